/**
 * Parley over RabbitMQ (AMQP 0-9-1, the official {@code amqp-client}): see
 * {@link dev.parley.messaging.rabbitmq.RabbitMqTransport} and docs/brokers/rabbitmq.md.
 */
@NullMarked
package dev.parley.messaging.rabbitmq;

import org.jspecify.annotations.NullMarked;
