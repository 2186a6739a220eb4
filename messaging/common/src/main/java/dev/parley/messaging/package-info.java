/**
 * What the broker transports (RabbitMQ, Kafka, NATS JetStream) share: {@link BrokerTransport},
 * the base every adapter extends, which implements Parley's transport SPI once on top of four
 * broker operations; {@link MessagingOptions}; the channel names and headers of the wire
 * mapping ({@link ChannelNames}, {@link MessagingHeaders}); and a durable
 * {@link JdbcIdempotencyStore}.
 */
@NullMarked
package dev.parley.messaging;

import org.jspecify.annotations.NullMarked;
