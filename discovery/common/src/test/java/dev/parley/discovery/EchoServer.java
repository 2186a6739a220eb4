package dev.parley.discovery;

import dev.parley.Parley;
import dev.parley.http.HttpTransport;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** A real service instance for the tests: a Parley runtime serving {@link Echo} (and optionally {@link EchoV2}) over HTTP on an ephemeral port. */
final class EchoServer implements AutoCloseable {

    final String id;
    final HttpTransport http;
    final Parley parley;
    final AtomicInteger calls = new AtomicInteger();

    private EchoServer(String id, boolean v1, boolean v2) {
        this.id = id;
        this.http = HttpTransport.builder().server(0).bindAddress("127.0.0.1").drainTimeout(Duration.ofMillis(200)).build();
        this.parley = Parley.builder().service("echo-service").instanceId(id).transport(http).build();
        if (v1) {
            parley.serve(Echo.class, new Echo() {
                @Override
                public Answer ask(Ask request) {
                    calls.incrementAndGet();
                    return new Answer(id, request.text());
                }

                @Override
                public Answer once(Ask request) {
                    calls.incrementAndGet();
                    return new Answer(id, request.text());
                }
            });
        }
        if (v2) {
            parley.serve(EchoV2.class, request -> {
                calls.incrementAndGet();
                return new EchoV2.Answer(id, request.text());
            });
        }
    }

    static EchoServer v1(String id) {
        return new EchoServer(id, true, false);
    }

    static EchoServer v2(String id) {
        return new EchoServer(id, false, true);
    }

    static EchoServer both(String id) {
        return new EchoServer(id, true, true);
    }

    String address() {
        return http.serverAddress("127.0.0.1");
    }

    /** This server as a ready instance serving {@code versions}. */
    ServiceInstance instance(ContractVersion... versions) {
        return new ServiceInstance(id, "echo-service", Set.of(versions), Map.of("http", address()), Map.of(), true);
    }

    @Override
    public void close() {
        // The transport first: it drains in-flight calls (their handlers still registered) and answers 503 to
        // newcomers, which discovery treats as a transport failure; closing the runtime first would answer 404.
        http.close();
        parley.close();
    }
}
