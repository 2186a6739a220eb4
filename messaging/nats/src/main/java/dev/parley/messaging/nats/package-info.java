/**
 * Parley's messaging over NATS JetStream: {@link dev.parley.messaging.nats.NatsTransport}.
 * docs/brokers/nats.md describes how channels, groups and headers map to streams, consumers
 * and NATS headers.
 */
@NullMarked
package dev.parley.messaging.nats;

import org.jspecify.annotations.NullMarked;
