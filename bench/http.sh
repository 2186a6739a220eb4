#!/usr/bin/env bash
# The HTTP comparison of docs/benchmarks.md ("### HTTP"): POST /v1/echo with a 99-byte JSON body
# over HTTP/1.1 keep-alive, 64 connections in a closed loop, against
#   netty          raw Netty (HttpServerCodec + HttpObjectAggregator + one handler)
#   vertx          Vert.x Web 5.1.6 (Router + BodyHandler)
#   parley         Parley's HttpTransport, handlers on virtual threads (the default)
#   parley-direct  the same with HandlerExecution.DIRECT
# then Parley's HTTP client against the JDK HttpClient, 64 callers each, calling the raw Netty
# server. Every server, and every load generator, runs in its own JVM; the systems are
# interleaved and the whole sequence runs twice, so drift shows.
#
#   bench/http.sh                 # 10 s warm-up + 20 s measured per system and round (~7 min)
#   bench/http.sh 5 10            # 5 s warm-up + 10 s measured (~4 min)
#   bench/http.sh 5 10 2 64       # ... rounds, connections (and callers)
#
# Prints a table and RATIO lines (e.g. "RATIO http parley/netty throughput=0.81 p99=1.30 ...")
# with the issue's targets; the raw lines stay in bench/target/http-results.txt.
#
# Environment: JAVA_HOME (used if it is JDK 21 or newer), BENCH_SKIP_BUILD=1 to reuse the jar, BENCH_JAR=<path> to
# run a copy of it,
# HTTP_SYSTEMS / HTTP_CLIENTS to pick a subset, HTTP_JVM_FLAGS to add JVM flags.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

warmup="${1:-10}"
measure="${2:-20}"
rounds="${3:-2}"
connections="${4:-64}"
systems=(${HTTP_SYSTEMS-netty vertx parley parley-direct})
clients=(${HTTP_CLIENTS-jdk parley})

# shellcheck source=bench/jdk.sh
source "$root/bench/jdk.sh"
java="$JAVA_HOME/bin/java"
echo "bench/http.sh: using $JAVA_HOME ($("$java" -version 2>&1 | head -n 1)), $(nproc) CPUs;" \
     "${warmup} s warm-up, ${measure} s measured, ${rounds} rounds, ${connections} connections" >&2

# BENCH_JAR runs a copy of the jar instead (the build rewrites bench/target/benchmarks.jar in place).
jar="${BENCH_JAR:-bench/target/benchmarks.jar}"
if [[ -z "${BENCH_JAR:-}" && ( "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f "$jar" ) ]]; then
    ./mvnw -q -pl bench -am package -DskipTests
fi

# On JDK 24+ Netty needs sun.misc.Unsafe and native access to run at full speed; JDK 21 does not
# know the first flag, so both are passed from 24 on. Every JVM gets the same fixed heap.
flags=(-Xms1g -Xmx1g -XX:+UseG1GC)
if (( $(java_major "$JAVA_HOME") >= 24 )); then
    flags+=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
fi
flags+=(${HTTP_JVM_FLAGS:-})

out=bench/target/http-results.txt
: > "$out"
server_pid=""
server_log=""

stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
trap stop_server EXIT

start_server() { # starts server $1, sets server_pid and port
    server_log="bench/target/http-server-$1.log"
    "$java" "${flags[@]}" -cp "$jar" dev.parley.bench.HttpServers "$1" 0 > "$server_log" 2>&1 &
    server_pid=$!
    local i
    for i in $(seq 1 150); do
        port="$(awk '/^LISTENING/ {print $2}' "$server_log")"
        [[ -n "$port" ]] && return 0
        if ! kill -0 "$server_pid" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    echo "bench/http.sh: server $1 did not start:" >&2
    cat "$server_log" >&2
    exit 1
}

run_load() { # runs a load generator main with its arguments, appends its RESULT line
    local line
    line="$("$java" "${flags[@]}" -cp "$jar" "$@" | grep '^RESULT')"
    echo "$line" | tee -a "$out"
}

for round in $(seq 1 "$rounds"); do
    echo "ROUND $round" | tee -a "$out"
    for system in "${systems[@]}"; do
        start_server "$system"
        run_load dev.parley.bench.HttpLoad "$system" "$port" "$connections" "$warmup" "$measure"
        stop_server
    done
    if (( ${#clients[@]} > 0 )); then
        start_server netty
        for client in "${clients[@]}"; do
            run_load dev.parley.bench.HttpClientLoad "$client" "$port" "$connections" "$warmup" "$measure"
        done
        stop_server
    fi
done

echo
"$java" -cp "$jar" dev.parley.bench.HttpReport "$out"
