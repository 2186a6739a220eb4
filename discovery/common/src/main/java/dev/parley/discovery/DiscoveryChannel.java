package dev.parley.discovery;

import dev.parley.CallRejectedException;
import dev.parley.ErrorCode;
import dev.parley.ParleyClock;
import dev.parley.TransportException;
import dev.parley.message.Envelope;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.AddressableTransport;
import dev.parley.transport.ClientChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel of one contract version behind a {@link DiscoveryTransport}: per call it picks a
 * route, counts the call as outstanding on the instance, and learns from the outcome.
 */
final class DiscoveryChannel implements ClientChannel {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryChannel.class);

    private final Class<?> contract;
    private final ContractVersion version;
    private final AddressableTransport transport;
    private final String transportName;
    private final ServiceDirectory directory;
    private final ServiceDirectory.Resolution resolution;
    private final Balancer balancer;
    private final ParleyClock clock;
    private final EjectionPolicy ejection;
    private final String target;
    private volatile RouteTable table = RouteTable.EMPTY;

    /** The routes built from one snapshot. */
    private record RouteTable(ServiceDirectory.@Nullable Snapshot snapshot, Route[] routes, Map<String, Route> byAddress) {
        static final RouteTable EMPTY = new RouteTable(null, new Route[0], Map.of());
    }

    DiscoveryChannel(Class<?> contract, ContractVersion version, AddressableTransport transport, String transportName,
                     ServiceDirectory directory, Balancer balancer) {
        this.contract = contract;
        this.version = version;
        this.transport = transport;
        this.transportName = transportName;
        this.directory = directory;
        this.resolution = directory.resolution(version);
        this.balancer = balancer;
        this.clock = directory.clock();
        this.ejection = directory.ejection();
        this.target = "discovery:" + transportName + ":" + version;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public CompletableFuture<Envelope> request(Envelope request) {
        return call(request, ch -> ch.request(request));
    }

    @Override
    public CompletableFuture<Void> send(Envelope message) {
        return call(message, ch -> ch.send(message));
    }

    private <T> CompletableFuture<T> call(Envelope message, Function<ClientChannel, CompletableFuture<T>> exchange) {
        ServiceDirectory.Snapshot snapshot = resolution.snapshot;
        if (snapshot == null) {
            // The first call of a version waits for the directory's first answer (the deadline above bounds it).
            CompletableFuture<T> result = new CompletableFuture<>();
            resolution.first.whenComplete((s, e) -> {
                if (!result.isDone()) {
                    relay(call(message, exchange), result);
                }
            });
            return result;
        }
        Route[] routes = routes(snapshot);
        int picked = balancer.pick(routes, clock);
        if (picked == Balancer.NONE) {
            return CompletableFuture.failedFuture(noInstance(snapshot, routes));
        }
        Route route = routes[picked >>> 2];
        int ticket = picked & 3;
        Endpoint endpoint = route.endpoint();
        endpoint.outstanding.incrementAndGet();
        CompletableFuture<T> sent;
        try {
            sent = exchange.apply(route.channel());
        } catch (RuntimeException e) {
            completed(endpoint, ticket, null, e);
            return CompletableFuture.failedFuture(e);
        }
        if (sent.isDone() && !sent.isCancelled()) {
            // Answered at once (a refused connection, a local reply): learn from it without another future.
            if (sent.isCompletedExceptionally()) {
                completed(endpoint, ticket, null, sent.exceptionNow());
            } else {
                completed(endpoint, ticket, sent.resultNow(), null);
            }
            return sent;
        }
        TrackedCall<T> call = new TrackedCall<>(this, endpoint, ticket, sent);
        sent.whenComplete(call);
        return call;
    }

    /**
     * The caller's future of one call: completes with the transport's outcome after the
     * bookkeeping, and passes cancellation (deadline, caller) on to the transport's future so
     * that the remote work is cancelled. One object per call: future and callback at once.
     */
    private static final class TrackedCall<T> extends CompletableFuture<T> implements java.util.function.BiConsumer<T, Throwable> {
        private final DiscoveryChannel channel;
        private final Endpoint endpoint;
        private final int ticket;
        private final CompletableFuture<T> sent;

        TrackedCall(DiscoveryChannel channel, Endpoint endpoint, int ticket, CompletableFuture<T> sent) {
            this.channel = channel;
            this.endpoint = endpoint;
            this.ticket = ticket;
            this.sent = sent;
        }

        @Override
        public void accept(T value, Throwable error) {
            channel.completed(endpoint, ticket, value, error);
            if (error != null) {
                completeExceptionally(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            } else {
                complete(value);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                sent.cancel(mayInterruptIfRunning);
            }
            return cancelled;
        }
    }

    private static <T> void relay(CompletableFuture<T> from, CompletableFuture<T> to) {
        from.whenComplete((v, e) -> {
            if (e != null) {
                to.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            } else {
                to.complete(v);
            }
        });
        to.whenComplete((v, e) -> {
            if (to.isCancelled()) {
                from.cancel(true);
            }
        });
    }

    private void completed(Endpoint endpoint, int ticket, @Nullable Object value, @Nullable Throwable error) {
        endpoint.outstanding.decrementAndGet();
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause == null) {
            if (value instanceof Envelope reply && ErrorCode.UNAVAILABLE.name().equals(reply.headers().valueOrNull(StandardHeaders.STATUS))) {
                // A draining or overloaded server answered 503: it is going away, send new calls elsewhere.
                endpoint.failed(ticket, clock, ejection);
            } else {
                endpoint.succeeded(ticket);
            }
        } else if (isTransportFailure(cause)) {
            endpoint.failed(ticket, clock, ejection);
            if (endpoint.ejected()) {
                log.debug("instance {} of {} ejected after {}", endpoint.id, version, cause.toString());
            }
        } else if (cause instanceof CancellationException) {
            endpoint.inconclusive(ticket);
        } else {
            endpoint.succeeded(ticket);
        }
    }

    static boolean isTransportFailure(Throwable cause) {
        if (cause instanceof TransportException t) {
            return t.code() == ErrorCode.UNAVAILABLE;
        }
        if (cause instanceof CallRejectedException r) {
            return "circuit-open".equals(r.reason());
        }
        return cause instanceof java.io.IOException;
    }

    private Route[] routes(ServiceDirectory.Snapshot snapshot) {
        RouteTable t = table;
        if (t.snapshot == snapshot) {
            return t.routes;
        }
        synchronized (this) {
            t = table;
            if (t.snapshot == snapshot) {
                return t.routes;
            }
            List<Route> routes = new ArrayList<>();
            Map<String, Route> byAddress = new HashMap<>();
            for (Endpoint e : snapshot.readyEndpoints) {
                String address = e.instance().addresses().get(transportName);
                if (address == null) {
                    continue;
                }
                Route route = t.byAddress.get(address);
                if (route == null || route.endpoint() != e) {
                    try {
                        route = new Route(e, address, transport.connect(contract, address));
                    } catch (IllegalArgumentException bad) {
                        log.warn("instance {} of {} has {} address '{}' that the transport rejects: {}", e.id, version, transportName,
                                address, bad.getMessage());
                        continue;
                    }
                }
                routes.add(route);
                byAddress.put(address, route);
            }
            table = new RouteTable(snapshot, balancer.arrange(routes), Map.copyOf(byAddress));
            return table.routes;
        }
    }

    private TransportException noInstance(ServiceDirectory.Snapshot s, Route[] routes) {
        StringBuilder why = new StringBuilder("no instance available for ").append(version).append(" over ").append(transportName).append(": ");
        if (s.all.isEmpty()) {
            why.append("none registered");
        } else {
            why.append(s.all.size()).append(" registered, ").append(s.ready.size()).append(" ready");
            if (routes.length < s.ready.size()) {
                why.append(", ").append(s.ready.size() - countDistinct(routes)).append(" without a '").append(transportName).append("' address");
            }
            if (routes.length > 0) {
                long next = Long.MAX_VALUE;
                for (Route r : routes) {
                    next = Math.min(next, r.endpoint().ejectionLeft(clock));
                }
                why.append(", all ").append(countDistinct(routes)).append(" ejected after transport failures (next trial in ")
                        .append(java.time.Duration.ofNanos(next).toMillis()).append(" ms)");
            }
        }
        s.failure().ifPresent(f -> why.append("; the ").append(directory.backendName()).append(" registry is unreachable (")
                .append(f.getMessage()).append("), using the instances last seen"));
        return new TransportException(ErrorCode.UNAVAILABLE, why.toString(), null);
    }

    private static int countDistinct(Route[] routes) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Route r : routes) {
            ids.add(r.endpoint().id);
        }
        return ids.size();
    }
}
