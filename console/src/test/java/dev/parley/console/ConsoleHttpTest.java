package dev.parley.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.CallEvent;
import dev.parley.ErrorCode;
import dev.parley.contract.InteractionStyle;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's HTTP side over real sockets: page, snapshot, event stream, limits and hostile input. */
class ConsoleHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTILE = "<script>window.pwned=1</script><img src=x onerror=alert(1)>'&\"";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        http.close();
    }

    private OperationsConsole start(OperationsConsole.Builder builder) {
        OperationsConsole console = builder.build();
        closing.add(console);
        console.start();
        return console;
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageWithSecurityHeadersAndNoCors() throws Exception {
        OperationsConsole console = start(OperationsConsole.builder());
        assertThat(console.uri().getHost()).isEqualTo("127.0.0.1");
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(console.uri()).header("Origin", "http://evil.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe");
        assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(page.headers().map().keySet()).noneMatch(h -> h.startsWith("access-control-"));
        assertThat(page.body()).contains("<script src=\"/console.js\" defer></script>").doesNotContain("<script>");
        HttpResponse<String> script = get(console.uri().resolve("/console.js"));
        assertThat(script.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("EventSource").doesNotContain("innerHTML");
    }

    @Test
    void snapshotIsJsonWithEveryHostileStringEscaped() throws Exception {
        OperationsConsole console = start(OperationsConsole.builder()
                .source(() -> ConsoleSection.builder("Webhooks " + HOSTILE).columns("endpoint").row(HOSTILE).build()));
        console.listener(HOSTILE).onCall(new CallEvent(CallEvent.Side.CLIENT, "pricing/v1", HOSTILE, InteractionStyle.REQUEST_RESPONSE,
                "in-process:" + HOSTILE, Optional.of(ErrorCode.INTERNAL), 1_000_000, 1, false));
        HttpResponse<String> response = get(console.uri().resolve("/api/snapshot"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).doesNotContain("<", ">", "&", "'").contains("\\u003Cscript\\u003E");
        JsonNode snapshot = JSON.readTree(response.body());
        JsonNode row = snapshot.get("interactions").get(0);
        assertThat(row.get("service").asText()).isEqualTo(HOSTILE);
        assertThat(row.get("operation").asText()).isEqualTo(HOSTILE);
        assertThat(snapshot.get("sections").get(0).get("rows").get(0).get(0).asText()).isEqualTo(HOSTILE);
    }

    @Test
    void eventStreamPushesFreshSnapshotsAndHeartbeats() throws Exception {
        OperationsConsole console = start(OperationsConsole.builder()
                .pushInterval(Duration.ofMillis(100)).heartbeat(Duration.ofMillis(150)));
        var listener = console.listener("trips");
        HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(console.uri().resolve("/api/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
        List<Long> sequences = new ArrayList<>();
        List<Long> calls = new ArrayList<>();
        boolean heartbeat = false;
        boolean retry = false;
        var lines = stream.body().iterator();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // Until several snapshots, a heartbeat, and a snapshot that counts the calls made since the first.
        while ((sequences.size() < 4 || !heartbeat || calls.getLast() <= calls.getFirst())
                && System.nanoTime() < deadline && lines.hasNext()) {
            String line = lines.next();
            heartbeat |= line.equals(": heartbeat");
            retry |= line.equals("retry: 2000");
            if (line.startsWith("data: ")) {
                JsonNode snapshot = JSON.readTree(line.substring(6));
                sequences.add(snapshot.get("sequence").asLong());
                JsonNode interactions = snapshot.get("interactions");
                calls.add(interactions.isEmpty() ? 0 : interactions.get(0).get("totalCalls").asLong());
                // Each snapshot we see makes the next one differ.
                listener.onCall(new CallEvent(CallEvent.Side.CLIENT, "pricing/v1", "quote", InteractionStyle.REQUEST_RESPONSE,
                        "in-process:pricing/v1", Optional.empty(), 1_000_000, 1, false));
            }
        }
        stream.body().close();
        assertThat(retry).isTrue();
        assertThat(heartbeat).isTrue();
        assertThat(sequences).hasSizeGreaterThanOrEqualTo(4).isSorted().doesNotHaveDuplicates();
        assertThat(calls.getLast()).isGreaterThan(calls.getFirst());
    }

    @Test
    void tooManyEventClientsGet503AndALeavingClientFreesItsPlace() throws Exception {
        OperationsConsole console = start(OperationsConsole.builder().maxEventClients(1));
        URI events = console.uri().resolve("/api/events");
        HttpResponse<Stream<String>> first = http.send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(first.statusCode()).isEqualTo(200);
        RawHttp.Response second = RawHttp.get(console.uri(), "/api/events");
        assertThat(second.status()).isEqualTo(503);
        assertThat(second.header("retry-after")).isEqualTo("5");
        assertThat(second.body()).contains("too many event-stream clients (limit 1)");
        first.body().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (console.server().eventClients() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        HttpResponse<Stream<String>> third = http.send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(third.statusCode()).isEqualTo(200);
        third.body().close();
    }

    @Test
    void closingTheConsoleEndsItsEventStreams() throws Exception {
        OperationsConsole console = start(OperationsConsole.builder());
        HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(console.uri().resolve("/api/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        var lines = stream.body().iterator();
        while (lines.hasNext() && !lines.next().startsWith("data: ")) {
            // read up to the first snapshot
        }
        console.close();
        long left = 0;
        while (lines.hasNext()) {
            lines.next();
            left++;
        }
        assertThat(left).as("lines after close").isLessThan(10);
        assertThat(console.uri()).isNotNull();
    }

    @Test
    void unknownPathsWrongMethodsAndForeignHostsAreRefused() throws Exception {
        OperationsConsole console = start(OperationsConsole.builder());
        URI base = console.uri();
        String host = "127.0.0.1:" + base.getPort();

        RawHttp.Response missing = RawHttp.get(base, "/nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("no such page: /nope (expected: /, /api/snapshot or /api/events)");
        assertThat(RawHttp.get(base, "/../../etc/passwd").status()).isEqualTo(404);
        assertThat(RawHttp.get(base, "/static/console.js").status()).isEqualTo(404);
        assertThat(RawHttp.get(base, "/api/snapshot?x=%3Cscript%3E").status()).isEqualTo(200);

        RawHttp.Response post = RawHttp.send(base, "POST /api/snapshot HTTP/1.1\r\nHost: " + host
                + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("allow")).isEqualTo("GET, HEAD");
        assertThat(post.body()).contains("method POST not allowed on /api/snapshot (expected: GET or HEAD)");
        assertThat(RawHttp.send(base, "DELETE / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").status()).isEqualTo(405);

        RawHttp.Response head = RawHttp.send(base, "HEAD / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();

        // DNS rebinding: a page on another origin that resolves to 127.0.0.1 sends its own Host.
        RawHttp.Response rebound = RawHttp.send(base, "GET /api/snapshot HTTP/1.1\r\nHost: evil.example:" + base.getPort()
                + "\r\nConnection: close\r\n\r\n");
        assertThat(rebound.status()).isEqualTo(403);
        assertThat(rebound.body()).contains("host 'evil.example:" + base.getPort() + "' is not allowed");
        assertThat(RawHttp.send(base, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n").status()).isEqualTo(403);
        assertThat(RawHttp.send(base, "GET / HTTP/1.1\r\nHost: localhost:" + base.getPort() + "\r\nConnection: close\r\n\r\n").status())
                .isEqualTo(200);
    }

    @Test
    void malformedAndOversizedRequestsAreRejected() throws Exception {
        OperationsConsole console = start(OperationsConsole.builder());
        URI base = console.uri();
        String host = "127.0.0.1:" + base.getPort();
        RawHttp.Response garbage = RawHttp.send(base, "\u0001\u0002 nonsense\r\n\r\n");
        assertThat(garbage.status()).isEqualTo(400);

        RawHttp.Response bigHeader = RawHttp.send(base, "GET / HTTP/1.1\r\nHost: " + host + "\r\nX-Big: " + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(bigHeader.status()).isEqualTo(431);

        RawHttp.Response longLine = RawHttp.send(base, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n\r\n");
        assertThat(longLine.status()).isEqualTo(414);

        RawHttp.Response bigBody = RawHttp.send(base, "GET / HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n"
                + "b".repeat(100_000));
        assertThat(bigBody.status()).isEqualTo(413);

        // The server is still fine afterwards.
        assertThat(get(base.resolve("/api/snapshot")).statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatStopsReadingIsDroppedWhileOthersKeepReceiving() throws Exception {
        String cell = "x".repeat(ConsoleSection.MAX_CELL);
        OperationsConsole console = start(OperationsConsole.builder()
                // ~200 KB per event: slow enough for the reading client to keep up on a busy machine,
                // fast enough for the one that stops reading to pass the 1 MiB limit within seconds.
                .pushInterval(Duration.ofMillis(250))
                .source(() -> {
                    ConsoleSection.Builder big = ConsoleSection.builder("Bulk").columns("a", "b");
                    for (int i = 0; i < ConsoleSection.MAX_ROWS; i++) {
                        big.row(cell, cell);
                    }
                    return big.build();
                }));
        URI base = console.uri();
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()));
            slow.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort() + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            slow.getOutputStream().flush();

            BlockingQueue<String> fastEvents = new LinkedBlockingQueue<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (Socket fast = new Socket(base.getHost(), base.getPort())) {
                    fast.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort() + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    BufferedReader in = new BufferedReader(new InputStreamReader(fast.getInputStream(), StandardCharsets.UTF_8));
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("id: ")) {
                            fastEvents.add(line);
                        }
                    }
                } catch (java.io.IOException e) {
                    fastEvents.add("closed: " + e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (console.server().droppedSlowClients() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(console.server().droppedSlowClients()).isEqualTo(1);
            fastEvents.clear();
            // The reader keeps getting events after the slow one was dropped.
            for (int i = 0; i < 3; i++) {
                String event = fastEvents.poll(20, TimeUnit.SECONDS);
                assertThat(event).startsWith("id: ");
            }
            assertThat(console.server().eventClients()).isEqualTo(1);
            console.close();
            reader.join(Duration.ofSeconds(20));
        }
    }
}
