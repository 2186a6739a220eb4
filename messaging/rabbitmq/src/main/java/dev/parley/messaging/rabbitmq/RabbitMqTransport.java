package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import dev.parley.message.Envelope;
import dev.parley.messaging.BrokerTransport;
import dev.parley.messaging.Inbound;
import dev.parley.messaging.MessagingOptions;
import dev.parley.messaging.Subscription;
import dev.parley.transport.Registration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Parley's messaging transport on RabbitMQ (AMQP 0-9-1, the official {@code amqp-client}):
 * request/response, async responses, one-way commands, events and gather, all through the
 * broker. Every channel is a durable topic exchange; every durable consumer group is a quorum
 * queue {@code <channel>.<group>} bound to it, with a retry queue and a dead-letter queue;
 * replies go straight to an exclusive queue per transport instance. docs/brokers/rabbitmq.md
 * describes the names, arguments and guarantees.
 *
 * <pre>{@code
 * RabbitMqTransport rabbit = RabbitMqTransport.builder()
 *         .host("rabbit.internal").port(5672).credentials("trips", secret)
 *         .options(MessagingOptions.ofDefaults())
 *         .build();                                   // connects; fails fast when the broker is down
 * Parley trips = Parley.builder().service("trips").transport(rabbit).build();
 * }</pre>
 *
 * <p>One instance holds two connections (publishing and consuming) and is meant to be shared
 * by a whole process; it is thread-safe. Publishes complete when the broker confirmed them
 * (publisher confirms); consumers acknowledge manually after the handler finished. Both
 * connections recover by themselves when the broker comes back; publishes made while it is
 * away fail (they are never reported as confirmed unless the broker confirmed them).
 */
public final class RabbitMqTransport extends BrokerTransport {

    private static final Logger log = LoggerFactory.getLogger(RabbitMqTransport.class);

    private final RabbitBroker broker;

    private RabbitMqTransport(Builder b, RabbitBroker broker) {
        super("rabbitmq", b.options, b.clientId, Clock.systemUTC());
        this.broker = broker;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected void declare(Subscription subscription) {
        if (subscription.durable()) {
            broker.declareDurable(subscription.channel(), subscription.group());
        }
        // A transient group's exclusive queue belongs to the consuming connection: consume() declares it.
    }

    @Override
    protected CompletableFuture<Void> send(String channel, Envelope message, @Nullable String key) {
        return broker.send(channel, message.headers().asMap(), message.body(), key);
    }

    @Override
    protected Registration consume(Subscription subscription, Inbound inbound) {
        QueueSubscription queue = broker.consume(subscription.channel(), subscription.group(), subscription.durable(),
                options().prefetch(), delivery -> {
                    String malformed = delivery.malformed();
                    if (malformed != null) {
                        log.warn("malformed message on {}: {}", delivery.channel(), AmqpDelivery.printable(malformed));
                        delivery.deadLetter("INVALID_ARGUMENT: " + malformed);
                        return;
                    }
                    inbound.accept(delivery.raw(), delivery);
                });
        return queue::close;
    }

    @Override
    protected void closeBroker() {
        broker.close();
    }

    /**
     * Configures a {@link RabbitMqTransport}. Defaults: {@code 127.0.0.1:5672}, user and
     * password {@code guest}, vhost {@code /}, {@link MessagingOptions#ofDefaults()}, a random
     * client id.
     */
    public static final class Builder {
        private final ConnectionFactory factory = new ConnectionFactory();
        private MessagingOptions options = MessagingOptions.ofDefaults();
        private @Nullable String clientId;

        private Builder() {
            factory.setHost("127.0.0.1");
            factory.setPort(5672);
            factory.setNetworkRecoveryInterval(1_000);
            factory.setRequestedHeartbeat(15);
            factory.setConnectionTimeout(10_000);
        }

        public Builder host(String value) {
            factory.setHost(Objects.requireNonNull(value, "host"));
            return this;
        }

        public Builder port(int value) {
            if (value < 1 || value > 65_535) {
                throw new IllegalArgumentException("port: " + value + " (expected: 1 to 65535) for the RabbitMQ transport");
            }
            factory.setPort(value);
            return this;
        }

        public Builder credentials(String username, String password) {
            factory.setUsername(Objects.requireNonNull(username, "username"));
            factory.setPassword(Objects.requireNonNull(password, "password"));
            return this;
        }

        public Builder virtualHost(String value) {
            factory.setVirtualHost(Objects.requireNonNull(value, "virtualHost"));
            return this;
        }

        /**
         * Host, port, credentials and vhost from an {@code amqp://user:pass@host:port/vhost} URI
         * ({@code amqps://} enables TLS with the JVM's trust store).
         */
        public Builder uri(String value) {
            try {
                factory.setUri(value);
            } catch (Exception e) {
                throw new IllegalArgumentException("uri: '" + value.replaceAll("//[^@/]*@", "//***@")
                        + "' (expected: amqp://user:password@host:port/vhost): " + e.getMessage(), e);
            }
            return this;
        }

        /** How often a lost connection is tried again (default 1 s). */
        public Builder recoveryInterval(java.time.Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("recoveryInterval: " + value + " (expected: > 0) for the RabbitMQ transport");
            }
            factory.setNetworkRecoveryInterval(value.toMillis());
            return this;
        }

        public Builder options(MessagingOptions value) {
            this.options = Objects.requireNonNull(value, "options");
            return this;
        }

        /** Names this instance's reply channel {@code parley.replies.<clientId>}; random by default. */
        public Builder clientId(String value) {
            this.clientId = Objects.requireNonNull(value, "clientId");
            return this;
        }

        /**
         * Connects and returns the transport.
         *
         * @throws dev.parley.TransportException when RabbitMQ cannot be reached or refuses the login
         */
        public RabbitMqTransport build() {
            String name = "parley-" + (clientId != null ? clientId : "rabbitmq");
            RabbitBroker broker = new RabbitBroker(factory.clone(), name, options.publishTimeout());
            try {
                return new RabbitMqTransport(this, broker);
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
        }
    }
}
