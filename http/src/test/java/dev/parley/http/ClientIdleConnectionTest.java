package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Parley;
import dev.parley.contract.Contract;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The client's idle connections over real sockets: closed after the client idle timeout, never
 * reused once the server closed them, and reused while alive.
 */
class ClientIdleConnectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Contract(name = "echo", version = "1.0")
    public interface Echo {
        record Text(String value) {}

        Text echo(Text request);
    }

    /** A served {@link Echo} counting its calls, and a client of it. */
    private static final class Pair implements AutoCloseable {
        final AtomicInteger calls = new AtomicInteger();
        final HttpTransport server;
        final Parley serving;
        final HttpTransport clientTransport;
        final Parley client;
        final Echo echo;

        Pair(HttpTransport.Builder serverSettings, HttpTransport.Builder clientSettings) {
            server = serverSettings.server(0).bindAddress("127.0.0.1").build();
            serving = Parley.builder().transport(server).build();
            serving.serve(Echo.class, request -> {
                calls.incrementAndGet();
                return new Echo.Text(request.value());
            });
            clientTransport = clientSettings.target("http://127.0.0.1:" + server.port()).build();
            client = Parley.builder().transport(clientTransport).build();
            echo = client.client(Echo.class);
        }

        @Override
        public void close() {
            client.close();
            clientTransport.close();
            serving.close();
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void anIdleConnectionIsClosedByTheClientAfterItsIdleTimeout(HttpProtocol protocol) {
        try (Pair pair = new Pair(HttpTransport.builder(),
                HttpTransport.builder().protocol(protocol).clientIdleTimeout(Duration.ofMillis(300)))) {
            assertThat(pair.echo.echo(new Echo.Text("a")).value()).isEqualTo("a");
            assertThat(pair.server.openServerConnections()).isEqualTo(1);

            // The server's own idle timeout is 60 s: only the client can have closed it.
            awaitTrue(() -> pair.server.openServerConnections() == 0, "the client closed its idle connection");
            if (protocol == HttpProtocol.H2C) {
                assertThat(pair.clientTransport.http2ConnectionsInUse()).isZero();
            }
            assertThat(pair.echo.echo(new Echo.Text("b")).value()).isEqualTo("b");
            assertThat(pair.server.openServerConnections()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void aConnectionTheServerClosedWhileIdleIsNeverHandedToACall(HttpProtocol protocol) {
        try (Pair pair = new Pair(HttpTransport.builder().idleTimeout(Duration.ofMillis(200)),
                HttpTransport.builder().protocol(protocol).clientIdleTimeout(Duration.ofSeconds(60)))) {
            for (int round = 0; round < 3; round++) {
                String value = "round-" + round;
                assertThat(pair.echo.echo(new Echo.Text(value)).value()).isEqualTo(value);
                awaitTrue(() -> pair.server.openServerConnections() == 0, "the server closed the idle connection");
            }
            // A POST is not idempotent: every one reached the handler exactly once.
            assertThat(pair.calls).hasValue(3);
            assertThat(pair.echo.echo(new Echo.Text("after")).value()).isEqualTo("after");
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void aConnectionInUseIsKeptAliveAndReused(HttpProtocol protocol) {
        try (Pair pair = new Pair(HttpTransport.builder(),
                HttpTransport.builder().protocol(protocol).clientIdleTimeout(Duration.ofSeconds(30)).maxConnectionsPerHost(1))) {
            for (int i = 0; i < 20; i++) {
                assertThat(pair.echo.echo(new Echo.Text("v" + i)).value()).isEqualTo("v" + i);
            }
            assertThat(pair.server.openServerConnections()).isEqualTo(1);
            assertThat(pair.calls).hasValue(20);
        }
    }

    @Test
    void theClientIdleTimeoutIsValidatedAndReadFromProperties() {
        assertThatThrownBy(() -> HttpTransport.builder().clientIdleTimeout(Duration.ZERO))
                .hasMessage("clientIdleTimeout: PT0S (expected: > 0) for HttpTransport");
        assertThatThrownBy(() -> HttpTransport.builder().clientIdleTimeout(Duration.ofSeconds(-1)))
                .hasMessage("clientIdleTimeout: PT-1S (expected: > 0) for HttpTransport");
        assertThatThrownBy(() -> HttpTransport.builder().clientIdleTimeout(null))
                .hasMessage("clientIdleTimeout: null (expected: > 0) for HttpTransport");
        Properties bad = new Properties();
        bad.setProperty("parley.http.clientIdleTimeout", "50s");
        assertThatThrownBy(() -> HttpTransport.fromProperties(bad, "parley.http."))
                .hasMessage("parley.http.clientIdleTimeout: '50s' (expected: an ISO-8601 duration such as PT2S)");

        Properties p = new Properties();
        p.setProperty("parley.http.server", "0");
        p.setProperty("parley.http.bindAddress", "127.0.0.1");
        p.setProperty("parley.http.clientIdleTimeout", "PT0.3S");
        try (HttpTransport server = HttpTransport.fromProperties(p, "parley.http.").build();
             Parley serving = Parley.builder().transport(server).build()) {
            serving.serve(Echo.class, request -> request);
            Properties c = new Properties();
            c.setProperty("parley.http.target", "http://127.0.0.1:" + server.port());
            c.setProperty("parley.http.clientIdleTimeout", "PT0.3S");
            try (HttpTransport clientTransport = HttpTransport.fromProperties(c, "parley.http.").build();
                 Parley client = Parley.builder().transport(clientTransport).build()) {
                assertThat(client.client(Echo.class).echo(new Echo.Text("p")).value()).isEqualTo("p");
                awaitTrue(() -> server.openServerConnections() == 0, "the 0.3 s client idle timeout from the properties applied");
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long until = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            try {
                Thread.sleep(20); // polling, not asserting a duration
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
