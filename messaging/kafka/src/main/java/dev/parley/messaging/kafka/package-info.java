/**
 * Parley's messaging transport on Apache Kafka: {@link dev.parley.messaging.kafka.KafkaTransport}.
 * docs/brokers/kafka.md describes how channels, groups, keys and dead letters map to topics,
 * consumer groups, record keys and dead-letter topics.
 */
@NullMarked
package dev.parley.messaging.kafka;

import org.jspecify.annotations.NullMarked;
