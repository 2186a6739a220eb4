#!/usr/bin/env bash
# The binary RPC comparison of issue 5 (docs/benchmarks.md): a 100-byte payload echoed in a closed
# loop over one connection (one channel for gRPC), at 1, 16, 64 and 256 calls in flight, with
#   parley          Parley RpcTransport, handlers on virtual threads (the default), CBOR
#   grpc            gRPC-java unary calls, async stub, default executor   (like with like: defaults)
#   parley-direct   Parley with HandlerExecution.DIRECT (no thread hand-off)
#   grpc-direct     gRPC-java with directExecutor() on server and channel (like with like: fastest)
#   netty           raw Netty length-prefixed echo, pipelined (the practical limit)
# then one-way notifications: parley-oneway against netty-oneway. Every server and every load
# generator runs in its own JVM; systems are interleaved within each level and the whole
# sequence repeats, so drift shows.
#
#   bench/rpc.sh                  # 10 s warm-up + 20 s measured per run, 2 rounds (~45 min)
#   bench/rpc.sh 5 10 1           # quicker: 5 s + 10 s, 1 round
#   RPC_LEVELS="64" RPC_SYSTEMS="parley grpc" bench/rpc.sh 3 5 1
#
# Prints a table and RATIO lines, e.g. "RATIO parley/grpc in_flight=64 throughput=1.72 p99=0.61";
# the raw lines stay in bench/target/rpc-results.txt.
#
# Environment: JAVA_HOME (used if it is JDK 21 or newer), BENCH_SKIP_BUILD=1 to reuse the jar, BENCH_JAR=<path> to
# run a copy of it,
# RPC_SYSTEMS / RPC_LEVELS / RPC_ONEWAY to pick a subset, RPC_JVM_FLAGS to add JVM flags.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

warmup="${1:-10}"
measure="${2:-20}"
rounds="${3:-2}"
systems=(${RPC_SYSTEMS-parley grpc parley-direct grpc-direct netty})
levels=(${RPC_LEVELS-1 16 64 256})
oneway=(${RPC_ONEWAY-parley netty})

# shellcheck source=bench/jdk.sh
source "$root/bench/jdk.sh"
java="$JAVA_HOME/bin/java"
echo "bench/rpc.sh: using $JAVA_HOME ($("$java" -version 2>&1 | head -n 1)), $(nproc) CPUs;" \
     "${warmup} s warm-up, ${measure} s measured, ${rounds} rounds, in flight: ${levels[*]}" >&2

# BENCH_JAR runs a copy of the jar instead (the build rewrites bench/target/benchmarks.jar in place).
jar="${BENCH_JAR:-bench/target/benchmarks.jar}"
if [[ -z "${BENCH_JAR:-}" && ( "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f "$jar" ) ]]; then
    ./mvnw -q -pl bench -am package -DskipTests
fi

flags=(-Xms1g -Xmx1g -XX:+UseG1GC)
if (( $(java_major "$JAVA_HOME") >= 24 )); then
    flags+=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
fi
flags+=(${RPC_JVM_FLAGS:-})

out=bench/target/rpc-results.txt
: > "$out"
server_pid=""

stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
trap stop_server EXIT

start_server() { # starts server $1, sets server_pid and port
    local log="bench/target/rpc-server-$1.log"
    "$java" "${flags[@]}" -cp "$jar" dev.parley.bench.rpc.RpcBenchServer "$1" 0 > "$log" 2>&1 &
    server_pid=$!
    local i
    for i in $(seq 1 150); do
        port="$(awk '/^LISTENING/ {print $2}' "$log")"
        [[ -n "$port" ]] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.2
    done
    echo "bench/rpc.sh: server $1 did not start:" >&2
    cat "$log" >&2
    exit 1
}

run_load() { # system port inFlight
    local line
    line="$("$java" "${flags[@]}" -cp "$jar" dev.parley.bench.rpc.RpcBenchLoad "$1" "$2" "$3" "$warmup" "$measure" | grep '^RESULT')"
    echo "$line" | tee -a "$out"
}

server_of() { # the server a load system talks to
    case "$1" in
        parley-oneway) echo parley ;;
        netty-oneway) echo netty ;;
        *) echo "$1" ;;
    esac
}

for round in $(seq 1 "$rounds"); do
    echo "ROUND $round" | tee -a "$out"
    for level in "${levels[@]}"; do
        for system in "${systems[@]}"; do
            start_server "$(server_of "$system")"
            run_load "$system" "$port" "$level"
            stop_server
        done
    done
    for system in "${oneway[@]}"; do
        start_server "$system"
        run_load "$system-oneway" "$port" 64
        stop_server
    done
done

echo
"$java" -cp "$jar" dev.parley.bench.rpc.RpcBenchReport "$out"
