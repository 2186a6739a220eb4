package dev.parley.discovery;

import dev.parley.ErrorCode;
import dev.parley.TransportException;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.AddressableTransport;
import dev.parley.transport.ClientChannel;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hand-written transport for balancer and ejection tests: each address behaves as the test
 * says (answers, refuses, answers 503, holds the call open), and every call is recorded.
 */
final class FakeAddressableTransport implements AddressableTransport {

    enum Behaviour { ANSWER, REFUSE, ANSWER_UNAVAILABLE, HOLD }

    final Map<String, Behaviour> behaviour = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Envelope>> held = new CopyOnWriteArrayList<>();

    static final Envelope OK = Envelope.withoutBody(Headers.builder().set(StandardHeaders.STATUS, StandardHeaders.STATUS_OK).build());
    static final Envelope UNAVAILABLE = Envelope.withoutBody(Headers.builder().set(StandardHeaders.STATUS, "UNAVAILABLE").build());

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public ClientChannel connect(Class<?> contract) {
        throw new UnsupportedOperationException("the fake is reached by address only");
    }

    @Override
    public ClientChannel connect(Class<?> contract, String address) {
        if (!address.startsWith("fake://")) {
            throw new IllegalArgumentException("address: '" + address + "' (expected: fake://name)");
        }
        return new ClientChannel() {
            @Override
            public String target() {
                return address;
            }

            @Override
            public CompletableFuture<Envelope> request(Envelope request) {
                calls.add(address);
                return switch (behaviour.getOrDefault(address, Behaviour.ANSWER)) {
                    case ANSWER -> CompletableFuture.completedFuture(OK);
                    case ANSWER_UNAVAILABLE -> CompletableFuture.completedFuture(UNAVAILABLE);
                    case REFUSE -> CompletableFuture.failedFuture(new TransportException(ErrorCode.UNAVAILABLE, "connection refused: " + address, null));
                    case HOLD -> {
                        CompletableFuture<Envelope> f = new CompletableFuture<>();
                        held.add(f);
                        yield f;
                    }
                };
            }

            @Override
            public CompletableFuture<Void> send(Envelope message) {
                return request(message).thenApply(e -> null);
            }
        };
    }

    @Override
    public String serverAddress(String advertisedHost) {
        throw new IllegalStateException("the fake has no server");
    }

    @Override
    public Registration serve(Class<?> contract, InboundHandler handler) {
        throw new UnsupportedOperationException("the fake does not serve");
    }

    @Override
    public void close() {
    }
}
