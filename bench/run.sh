#!/usr/bin/env bash
# Builds the JMH benchmarks jar and runs it; arguments go to JMH as they are, e.g.
#   bench/run.sh                          # everything (about 4 minutes on 2 cores)
#   bench/run.sh PipelineBenchmark        # a regex picks benchmarks
#   bench/run.sh PipelineBenchmark -prof gc
# Then prints one summary line per comparison (PIPELINE ..., CODEC ...), from the JSON results
# in bench/target/jmh.json. See docs/benchmarks.md.
#
# Environment: JAVA_HOME (used if it is JDK 21 or newer), BENCH_SKIP_BUILD=1 to reuse the jar.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=bench/jdk.sh
source "$root/bench/jdk.sh"
java="$JAVA_HOME/bin/java"
echo "bench/run.sh: using $JAVA_HOME ($("$java" -version 2>&1 | head -n 1)), $(nproc) CPUs" >&2

jar=bench/target/benchmarks.jar
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f "$jar" ]]; then
    ./mvnw -q -pl bench -am package -DskipTests
fi

results=bench/target/jmh.json
rm -f "$results"
"$java" -jar "$jar" -rf json -rff "$results" "$@"

if [[ -s "$results" ]]; then
    echo
    echo "Summary (overhead = median of the Parley call - median of the direct call):"
    "$java" -cp "$jar" dev.parley.bench.Summary "$results"
fi
