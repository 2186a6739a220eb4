package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.RemoteException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against an HTTP server that knows nothing of Parley: the JDK's own. */
class ForeignServerTest {

    private HttpServer foreign;
    private HttpTransport transport;
    private Parley parley;
    private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws IOException {
        foreign = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        foreign.createContext("/api/v1/trips/", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " accept=" + exchange.getRequestHeaders().getFirst("Accept")
                    + " deadline=" + (exchange.getRequestHeaders().getFirst("parley-deadline") != null));
            String path = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            if (path.equals("/api/v1/trips/t-1")) {
                byte[] body = "{\"id\":\"t-1\",\"rider\":\"hand-written\",\"seats\":2,\"status\":\"open\",\"extra\":true}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } else if (path.equals("/api/v1/trips/busy")) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
            } else {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
            }
        });
        foreign.start();
        transport = HttpTransport.builder().target("trips", "http://127.0.0.1:" + foreign.getAddress().getPort() + "/api").build();
        parley = Parley.builder().transport(transport).build();
    }

    @AfterEach
    void stop() {
        parley.close();
        transport.close();
        foreign.stop(0);
    }

    @Test
    void callsAHandWrittenJsonRoute() throws Exception {
        Trips trips = parley.client(Trips.class);
        assertThat(trips.get(new Trips.TripId("t-1"))).isEqualTo(new Trips.Trip("t-1", "hand-written", 2, "open"));
        assertThat(seen.take()).isEqualTo("GET /api/v1/trips/t-1 accept=application/json deadline=true");
    }

    @Test
    void bareErrorStatusesMapToCodes() {
        Trips trips = parley.client(Trips.class);
        assertThatThrownBy(() -> trips.get(new Trips.TripId("t-2")))
                .isInstanceOfSatisfying(RemoteException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains("HTTP 404");
                });
        assertThatThrownBy(() -> trips.get(new Trips.TripId("busy")))
                .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }
}
