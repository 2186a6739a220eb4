#!/usr/bin/env bash
# The messaging comparison of docs/benchmarks.md ("Messaging"): Parley's broker transports
# against each broker's own Java client with the same guarantees, side by side in one JVM:
#
#   bench/messaging.sh rabbitmq [messages=20000] [payloadBytes=256] [rounds=3]
#   bench/messaging.sh nats
#   bench/messaging.sh kafka      # starts a KRaft broker from Maven Central jars (KafkaTestBroker)
#   bench/messaging.sh inprocess  # in-process pub/sub fan-out to 4 groups, events per second
#
# RabbitMQ (127.0.0.1:5672, guest/guest) and NATS with JetStream (127.0.0.1:4222) must run.
# Prints MESSAGING lines per round and a MESSAGING-VERDICT line with the issue's targets.
# Environment: JAVA_HOME (used if it is JDK 21 or newer), BENCH_SKIP_BUILD=1 to reuse the build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=bench/jdk.sh
source "$root/bench/jdk.sh"
java="$JAVA_HOME/bin/java"
echo "bench/messaging.sh: using $JAVA_HOME ($("$java" -version 2>&1 | head -n 1)), $(nproc) CPUs" >&2

cp_bench=bench/target/messaging-classpath.txt
cp_kafka=messaging/kafka/target/test-classpath.txt
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f "$cp_bench" ]]; then
    # The Kafka broker of the test harness lives in messaging/kafka's test classes; build them too.
    ./mvnw -q -pl bench,messaging/kafka -am install -DskipTests
    ./mvnw -q -pl bench dependency:build-classpath -Dmdep.outputFile="$root/$cp_bench"
    ./mvnw -q -pl messaging/kafka dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$root/$cp_kafka"
fi

classpath="bench/target/classes:$(cat "$cp_bench")"
if [[ "${1:-}" == kafka ]]; then
    classpath="$classpath:messaging/kafka/target/test-classes:$(cat "$cp_kafka")"
fi
exec "$java" -Xms1g -Xmx1g -cp "$classpath" dev.parley.bench.messaging.BrokerRace "$@"
