package dev.parley.rpc;

import dev.parley.TransportException;
import dev.parley.http.NettyIo;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of a transport to one server ({@code host:port}): a few long-lived
 * connections (one by default), each carrying many calls, opened lazily and reopened after a
 * loss with exponential backoff and jitter. While a connection is backing off, calls fail fast
 * with {@code UNAVAILABLE} (retryable: the client pipeline retries idempotent calls on its own
 * backoff) instead of piling up.
 */
final class Endpoint {

    private static final Logger log = LoggerFactory.getLogger(Endpoint.class);

    /** Client settings, shared by every endpoint of a transport. */
    record Settings(int maxFrameBytes, long maxQueuedBytes, Duration connectTimeout, Duration keepaliveInterval,
                    Duration initialBackoff, Duration maxBackoff, int connectionsPerTarget, int writeBufferHighWater) {}

    final Settings settings;
    private final String host;
    private final int port;
    private final NettyIo io;
    private final @Nullable SslContext tls;
    private final Slot[] slots;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    Endpoint(String host, int port, Settings settings, NettyIo io, @Nullable SslContext tls) {
        this.host = host;
        this.port = port;
        this.settings = settings;
        this.io = io;
        this.tls = tls;
        this.slots = new Slot[settings.connectionsPerTarget()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
    }

    String address() {
        return host + ":" + port;
    }

    /** A ready connection, or the one being opened; fails fast while backing off. */
    CompletableFuture<ClientConnection> acquire() {
        if (closed) {
            return CompletableFuture.failedFuture(new TransportException("rpc://" + address() + ": the transport is closed", null));
        }
        Slot slot = slots.length == 1 ? slots[0] : slots[Math.floorMod(next.getAndIncrement(), slots.length)];
        ClientConnection current = slot.current;
        if (current != null && current.usable()) {
            return current.ready;
        }
        return slot.acquire();
    }

    /** Called by a connection that closed or got GOAWAY: the next call opens a new one. */
    void retire(ClientConnection connection) {
        for (Slot slot : slots) {
            synchronized (slot) {
                if (slot.current == connection) {
                    slot.current = null;
                }
            }
        }
    }

    void close() {
        closed = true;
        for (Slot slot : slots) {
            ClientConnection c;
            synchronized (slot) {
                c = slot.current;
                slot.current = null;
            }
            if (c != null && c.ready.isDone() && !c.ready.isCompletedExceptionally()) {
                c.goAway();
            } else if (c != null) {
                c.close();
            }
        }
    }

    /** One connection and its reconnect state. */
    private final class Slot {
        volatile @Nullable ClientConnection current;
        private int failures;
        private long nextAttemptNanos;

        synchronized CompletableFuture<ClientConnection> acquire() {
            ClientConnection c = current;
            if (c != null && (c.usable() || !c.ready.isDone())) {
                return c.ready;
            }
            long now = System.nanoTime();
            if (failures > 0 && now - nextAttemptNanos < 0) {
                return CompletableFuture.failedFuture(new TransportException("rpc://" + address() + ": not connected; reconnecting in "
                        + TimeUnit.NANOSECONDS.toMillis(nextAttemptNanos - now) + " ms (after " + failures + " failed attempt"
                        + (failures == 1 ? "" : "s") + ")", null));
            }
            ClientConnection opening = connect();
            current = opening;
            opening.ready.whenComplete((ok, failure) -> {
                synchronized (Slot.this) {
                    if (failure == null) {
                        failures = 0;
                    } else {
                        failures++;
                        long backoff = backoffNanos(failures);
                        nextAttemptNanos = System.nanoTime() + backoff;
                        if (current == opening) {
                            current = null;
                        }
                        log.info("RPC: cannot connect to {} (attempt {}): {}; next attempt in {} ms", address(), failures,
                                failure.getMessage(), TimeUnit.NANOSECONDS.toMillis(backoff));
                    }
                }
            });
            return opening.ready;
        }

        /** Exponential backoff with "equal jitter": half the delay fixed, half random. */
        private long backoffNanos(int attempt) {
            long base = settings.initialBackoff().toNanos();
            long max = settings.maxBackoff().toNanos();
            long delay = attempt >= 30 ? max : Math.min(max, base << (attempt - 1));
            return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
        }
    }

    private ClientConnection connect() {
        ClientConnection connection = new ClientConnection(this, tls != null);
        Bootstrap bootstrap = new Bootstrap()
                .group(io.group())
                .channel(io.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(settings.writeBufferHighWater() / 2, settings.writeBufferHighWater()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connection.attach(ch);
                        if (tls != null) {
                            var handler = tls.newHandler(ch.alloc(), host, port);
                            handler.setHandshakeTimeoutMillis(settings.connectTimeout().toMillis());
                            ch.pipeline().addLast("tls", handler);
                        }
                        ch.pipeline()
                                .addLast("keepalive", new IdleStateHandler(settings.keepaliveInterval().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("frames", new FrameDecoder(settings.maxFrameBytes(), Frame.HELLO_ACK))
                                .addLast("calls", connection);
                    }
                });
        bootstrap.connect(host, port).addListener((io.netty.channel.ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                connection.ready.completeExceptionally(new TransportException("rpc://" + address() + ": cannot connect: "
                        + f.cause().getMessage(), f.cause()));
                return;
            }
            // The TCP connect is bounded by CONNECT_TIMEOUT_MILLIS; TLS and HELLO by the same timeout again.
            f.channel().eventLoop().schedule(() -> {
                if (!connection.ready.isDone()) {
                    connection.ready.completeExceptionally(new TransportException("rpc://" + address() + ": no handshake within "
                            + settings.connectTimeout(), null));
                    f.channel().close();
                }
            }, settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        });
        return connection;
    }
}
