package dev.parley.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.pricing.Gate;
import com.example.pricing.Pricing;
import com.example.pricing.Pricing.Quote;
import com.example.pricing.Pricing.QuoteRequest;
import dev.parley.CallRejectedException;
import dev.parley.ClientOptions;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.resilience.Fallback;
import dev.parley.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment window and polling, on a manual clock. */
class DeploymentWindowTest {

    private static final Duration POLL = Duration.ofSeconds(10);
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Quote DEGRADED = new Quote("-", "fallback", "-");

    @TempDir
    Path dir;

    private final ManualClock clock = ManualClock.create();
    private final RecordingListener events = new RecordingListener();
    private PluginTransport transport;
    private Parley parley;

    @AfterEach
    void close() {
        if (parley != null) {
            parley.close();
        }
        if (transport != null) {
            transport.close();
        }
    }

    private void open(PluginRepository repository) {
        transport = PluginTransport.builder(Pricing.class).repository(repository).cacheDirectory(dir.resolve("cache"))
                .clock(clock).pollInterval(POLL).deploymentWindow(WINDOW).listener(events).build();
        parley = Parley.builder().service("shop").transport(transport).clock(clock).build();
    }

    @Test
    void callsFailFastOnceTheRepositoryWasNotReachedWithinTheWindowAndRecoverWhenItIs() throws IOException {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        open(PluginRepository.folder(repo));
        Pricing pricing = parley.client(Pricing.class);
        Pricing withFallback = parley.client(Pricing.class, ClientOptions.custom()
                .method("quote", m -> m.fallback(Fallback.value(DEGRADED))).build());
        assertThat(pricing.quote(new QuoteRequest("x")).pricedBy()).isEqualTo("1.0.0");

        Path away = dir.resolve("away");
        Files.move(repo, away);
        clock.advance(Duration.ofSeconds(30));
        events.await(PluginEvent.RepositoryUnreachable.class, e -> true);
        assertThat(pricing.quote(new QuoteRequest("x")).pricedBy()).isEqualTo("1.0.0"); // still within the window

        clock.advance(Duration.ofSeconds(31));
        assertThat(events.of(PluginEvent.DeploymentWindowPassed.class)).singleElement()
                .satisfies(e -> assertThat(e.window()).isEqualTo(WINDOW));
        assertThat(transport.withinDeploymentWindow()).isFalse();
        assertThatThrownBy(() -> pricing.quote(new QuoteRequest("x")))
                .isInstanceOfSatisfying(CallRejectedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.reason()).isEqualTo("deployment-window");
                    assertThat(e.getMessage()).contains("deployment window").contains(repo.toString());
                });
        assertThat(withFallback.quote(new QuoteRequest("x"))).isEqualTo(DEGRADED);

        Files.move(away, repo);
        transport.refresh();

        assertThat(pricing.quote(new QuoteRequest("x")).pricedBy()).isEqualTo("1.0.0");
        assertThat(withFallback.quote(new QuoteRequest("x")).pricedBy()).isEqualTo("1.0.0");
        events.await(PluginEvent.RepositoryReachable.class, e -> true);
    }

    @Test
    void reachingTheRepositoryOnEveryPollKeepsTheWindowOpen() {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        open(PluginRepository.folder(repo));
        Pricing pricing = parley.client(Pricing.class);

        for (int i = 0; i < 20; i++) {
            clock.advance(POLL);
            transport.refresh(); // and waits for the poll's listing queued before it
        }

        assertThat(transport.withinDeploymentWindow()).isTrue();
        assertThat(pricing.quote(new QuoteRequest("x")).pricedBy()).isEqualTo("1.0.0");
        assertThat(events.of(PluginEvent.DeploymentWindowPassed.class)).isEmpty();
    }

    @Test
    void withoutFileSystemEventsPollingFindsNewVersions() {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        PluginRepository folder = PluginRepository.folder(repo);
        PluginRepository withoutEvents = new PluginRepository() { // watch() keeps its default: no events
            @Override
            public String describe() {
                return folder.describe();
            }

            @Override
            public List<PluginArtifact> list(String contract) throws IOException {
                return folder.list(contract);
            }

            @Override
            public void fetch(PluginArtifact artifact, Path target, long maxBytes) throws IOException {
                folder.fetch(artifact, target, maxBytes);
            }
        };
        open(withoutEvents);
        Pricing pricing = parley.client(Pricing.class);

        PluginJars.deploy(repo, PluginJars.plugin("1.1.0"));
        clock.advance(POLL);

        events.await(PluginEvent.Activated.class, a -> a.version().text().equals("1.1.0"));
        assertThat(pricing.quote(new QuoteRequest("x")).pricedBy()).isEqualTo("1.1.0");
    }

    @Test
    void aReplacedVersionStillBusyIsClosedAfterTheDrainTimeout() throws Exception {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        transport = PluginTransport.builder(Pricing.class).repository(PluginRepository.folder(repo)).cacheDirectory(dir.resolve("cache"))
                .clock(clock).pollInterval(POLL).deploymentWindow(WINDOW).drainTimeout(Duration.ofSeconds(5)).listener(events).build();
        parley = Parley.builder().service("shop").transport(transport).clock(clock).build();
        Pricing pricing = parley.client(Pricing.class, ClientOptions.custom().deadline(Duration.ofMinutes(5)).build());
        Gate.reset();
        CompletableFuture<Quote> stuck = CompletableFuture.supplyAsync(() -> pricing.slowQuote(new QuoteRequest("x")));
        assertThat(Gate.awaitArrival()).isTrue();

        PluginJars.deploy(repo, PluginJars.plugin("1.1.0"));
        transport.refresh();
        assertThat(transport.currentVersion()).contains(PluginVersion.parse("1.1.0"));
        assertThat(events.of(PluginEvent.Unloaded.class)).isEmpty();

        clock.advance(Duration.ofSeconds(5));

        events.await(PluginEvent.Unloaded.class, u -> u.version().text().equals("1.0.0"));
        Gate.release();
        stuck.cancel(true);
    }
}
