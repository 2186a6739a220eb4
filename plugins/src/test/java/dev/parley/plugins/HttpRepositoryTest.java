package dev.parley.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.pricing.Pricing;
import com.example.pricing.Pricing.QuoteRequest;
import com.sun.net.httpserver.HttpServer;
import dev.parley.CallRejectedException;
import dev.parley.Parley;
import dev.parley.testkit.ManualClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP repository against a real local HTTP server (the JDK's), polled on a manual clock. */
class HttpRepositoryTest {

    private static final Duration POLL = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final ManualClock clock = ManualClock.create();
    private final RecordingListener events = new RecordingListener();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> requested = new CopyOnWriteArrayList<>();
    private volatile boolean down;
    private HttpServer server;
    private PluginTransport transport;
    private Parley parley;
    private Pricing pricing;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/plugins/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/plugins/".length());
            requested.add(name);
            byte[] body = down ? null : files.get(name);
            if (body == null) {
                exchange.sendResponseHeaders(down ? 503 : 404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (parley != null) {
            parley.close();
        }
        if (transport != null) {
            transport.close();
        }
        server.stop(0);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/plugins/");
    }

    /** Publishes {@code entries} (file -> sha256) as the index. */
    private void index(List<String> entries) {
        files.put("index.json", ("{\"plugins\": [" + String.join(",", entries) + "]}").getBytes());
    }

    private String publish(PluginJars.Spec spec) {
        byte[] jar = spec.bytes();
        files.put(spec.fileName(), jar);
        return entry(spec.version(), spec.fileName(), PluginJars.sha256(jar));
    }

    private static String entry(String version, String file, String sha) {
        return "{\"contract\": \"pricing\", \"version\": \"" + version + "\", \"file\": \"" + file + "\", \"sha256\": \"" + sha + "\"}";
    }

    private void open() {
        transport = PluginTransport.builder(Pricing.class).repository(PluginRepository.http(base())).cacheDirectory(dir.resolve("cache"))
                .clock(clock).pollInterval(POLL).deploymentWindow(Duration.ofMinutes(1)).listener(events).build();
        parley = Parley.builder().service("shop").transport(transport).clock(clock).build();
        pricing = parley.client(Pricing.class);
    }

    private String pricedBy() {
        return pricing.quote(new QuoteRequest("x")).pricedBy();
    }

    @Test
    void loadsTheNewestVersionOfTheIndexAndPollsForNewOnes() {
        String v1 = publish(PluginJars.plugin("1.0.0"));
        index(List.of(v1, entry("9.0.0", "billing-9.0.0.jar", "a".repeat(64)).replace("pricing", "billing")));
        open();
        assertThat(pricedBy()).isEqualTo("1.0.0");

        String v2 = publish(PluginJars.plugin("1.1.0").library(PluginJars.Library.V2_FLAT));
        index(List.of(v1, v2));
        clock.advance(POLL);

        events.await(PluginEvent.Activated.class, a -> a.version().text().equals("1.1.0"));
        assertThat(pricing.quote(new QuoteRequest("x")).library()).isEqualTo("lib-2 for pricing!");

        index(List.of(v1)); // roll back
        clock.advance(POLL);
        events.await(PluginEvent.Activated.class, a -> a.version().text().equals("1.0.0") && a.previous().isPresent());
        assertThat(pricedBy()).isEqualTo("1.0.0");
    }

    @Test
    void aChecksumMismatchOrAMissingJarIsRejectedAndTheCurrentVersionKeepsServing() {
        String v1 = publish(PluginJars.plugin("1.0.0"));
        index(List.of(v1));
        open();

        publish(PluginJars.plugin("1.1.0"));
        index(List.of(v1, entry("1.1.0", "pricing-1.1.0.jar", "b".repeat(64))));
        transport.refresh();
        assertThat(events.awaitRejected("pricing-1.1.0.jar").reason()).isEqualTo(RejectionReason.CHECKSUM_MISMATCH);

        index(List.of(v1, entry("1.2.0", "pricing-1.2.0.jar", "c".repeat(64))));
        transport.refresh();
        PluginEvent.Rejected missing = events.awaitRejected("pricing-1.2.0.jar");
        assertThat(missing.reason()).isEqualTo(RejectionReason.FETCH_FAILED);
        assertThat(missing.message()).contains("404");

        assertThat(pricedBy()).isEqualTo("1.0.0");
    }

    @Test
    void entriesPointingOutsideTheRepositoryAreNeverFetched() {
        String v1 = publish(PluginJars.plugin("1.0.0"));
        index(List.of(v1, entry("2.0.0", "../secret/pricing-2.0.0.jar", "d".repeat(64)),
                entry("3.0.0", "http://elsewhere.example/pricing-3.0.0.jar", "e".repeat(64))));
        open();

        assertThat(pricedBy()).isEqualTo("1.0.0");
        assertThat(requested).noneMatch(r -> r.contains("secret") || r.contains("elsewhere"));
    }

    @Test
    void anUnreachableServerClosesTheDeploymentWindowUntilItAnswersAgain() {
        index(List.of(publish(PluginJars.plugin("1.0.0"))));
        open();
        assertThat(pricedBy()).isEqualTo("1.0.0");

        down = true;
        clock.advance(POLL);
        assertThat(events.await(PluginEvent.RepositoryUnreachable.class, e -> true).error()).contains("503");
        clock.advance(Duration.ofMinutes(1));
        assertThatThrownBy(this::pricedBy).isInstanceOf(CallRejectedException.class);

        down = false;
        transport.refresh();
        assertThat(pricedBy()).isEqualTo("1.0.0");
        assertThat(requested.stream().filter(r -> r.endsWith(".jar")).collect(Collectors.toList())).hasSize(1);
    }
}
