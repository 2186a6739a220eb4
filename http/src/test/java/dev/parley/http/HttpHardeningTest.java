package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Parley;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hostile bytes over real sockets: each test asserts the exact status (or the closed
 * connection) and that the server still serves the next client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpHardeningTest {

    private HttpTransport transport;
    private Parley parley;
    private int port;

    @BeforeAll
    void start() {
        transport = HttpTransport.builder().server(0).bindAddress("127.0.0.1")
                .maxHeaderBytes(2048).maxBodyBytes(1024).requestReadTimeout(Duration.ofMillis(300)).build();
        parley = Parley.builder().transport(transport).build();
        parley.serve(Trips.class, new RecordingTrips());
        port = transport.port();
    }

    @AfterAll
    void stop() {
        parley.close();
        transport.close();
    }

    @AfterEach
    void serverStillServesAnotherClient() throws IOException {
        try (RawSocket next = new RawSocket(port)) {
            RawSocket.Response response = next.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(response.status()).isEqualTo(200);
        }
    }

    @Test
    void oversizedHeadersAre431() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            RawSocket.Response r = s.write("GET /v1/trips/t-1 HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(4096) + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(431);
            assertThat(s.closedByServer()).isTrue();
        }
    }

    @Test
    void declaredOversizedBodyIs413BeforeItIsSent() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            // Only the headers are sent: the answer cannot have waited for 10 MB.
            RawSocket.Response r = s.write("POST /v1/trips HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.body()).contains("\"code\":\"PAYLOAD_TOO_LARGE\"");
            assertThat(s.closedByServer()).isTrue();
        }
    }

    @Test
    void chunkedBodyIsCountedAsItArrives() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            s.write("POST /v1/trips HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "a".repeat(600);
            s.write(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            s.write(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n"); // 1200 > 1024; no last chunk sent
            assertThat(s.read().status()).isEqualTo(413);
        }
    }

    @Test
    void malformedRequestLineIs400AndClosed() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            RawSocket.Response r = s.write("GARBAGE\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(s.closedByServer()).isTrue();
        }
    }

    @Test
    void contentLengthWithTransferEncodingIsRefusedAsSmuggling() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            RawSocket.Response r = s.write("POST /v1/trips HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\nGET /v1/trips/t-1 HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(s.closedByServer()).isTrue();
        }
    }

    @Test
    void conflictingContentLengthsAre400() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            RawSocket.Response r = s.write("POST /v1/trips HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(s.closedByServer()).isTrue();
        }
    }

    @Test
    void slowlorisIsCutAfterTheReadTimeout() throws Exception {
        try (RawSocket s = new RawSocket(port)) {
            long start = System.nanoTime();
            s.write("GET /v1/trips/t-1 HTTP/1.1\r\nHost: x\r\n");
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                try {
                    s.write("X-Drip-" + i + ": y\r\n");
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                s.timeout(100);
                closed = s.closedByServer();
            }
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(closed).isTrue();
            assertThat(elapsedMillis).isBetween(250L, 3000L);
        }
    }

    @Test
    void undecodableBodyIs400NamingTheField() throws IOException {
        String body = "{\"rider\":\"ada\",\"seats\":\"many\"}";
        try (RawSocket s = new RawSocket(port)) {
            RawSocket.Response r = s.write("POST /v1/trips HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.body()).contains("\"code\":\"INVALID_ARGUMENT\"").contains("\"field\":\"seats\"");
            // The connection stays usable after an application-level 400.
            assertThat(s.write("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void unknownRouteIs404Problem() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            RawSocket.Response r = s.write("GET /v1/nothing/here HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("\"type\":\"https://parley.dev/errors/not-found\"").contains("\"status\":404");
        }
    }

    @Test
    void wrongMethodIs405WithAllow() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            RawSocket.Response r = s.write("DELETE /v1/trips HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("allow")).isEqualTo("GET, POST");
        }
    }

    @Test
    void badPercentEncodingIsNotAServerError() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            assertThat(s.write("GET /v1/trips/%zz HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(404);
            assertThat(s.write("GET /v1/trips?rider=%zz HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(400);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            String slow = "{\"sleepMillis\":200}";
            s.write("POST /v1/trips/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + slow.length()
                    + "\r\n\r\n" + slow + "GET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(s.read().status()).isEqualTo(200);
            assertThat(s.read().status()).isEqualTo(404);
        }
    }
}
