package dev.parley.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.pricing.Gate;
import com.example.pricing.Pricing;
import com.example.pricing.Pricing.Quote;
import com.example.pricing.Pricing.QuoteRequest;
import dev.parley.ClientOptions;
import dev.parley.DeadlineExceededException;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.RemoteException;
import dev.parley.TransportException;
import dev.parley.resilience.Fallback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a plugin jar in isolation and calling it through Parley's client pipeline. */
class PluginLoadingTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final RecordingListener events = new RecordingListener();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        Gate.release();
    }

    private PluginTransport transport(Path repository) {
        PluginTransport t = PluginTransport.builder(Pricing.class)
                .repository(PluginRepository.folder(repository))
                .cacheDirectory(dir.resolve("cache"))
                .listener(events)
                .build();
        closeables.add(t);
        return t;
    }

    private Pricing client(PluginTransport transport, ClientOptions options) {
        Parley parley = Parley.builder().service("shop").transport(transport).build();
        closeables.add(parley);
        return parley.client(Pricing.class, options);
    }

    @Test
    void callsThePluginThroughAParleyClient() {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        PluginTransport transport = transport(repo);

        Quote quote = client(transport, ClientOptions.ofDefaults()).quote(new QuoteRequest("apple"));

        assertThat(quote).isEqualTo(new Quote("apple", "1.0.0", "lib-1"));
        assertThat(transport.currentVersion()).contains(PluginVersion.parse("1.0.0"));
        assertThat(events.of(PluginEvent.Activated.class)).singleElement()
                .satisfies(a -> assertThat(a.version().text()).isEqualTo("1.0.0"));
    }

    @Test
    void twoVersionsWithConflictingLibrariesCoexistAndNeitherSeesTheConsumersCopy() {
        // The consumer has its own com.example.lib.Greeting ("host"); version 1 bundles library 1 as a
        // nested jar, version 2 bundles library 2 (another API) flattened; both run at once.
        Path repo1 = dir.resolve("repo1");
        Path repo2 = dir.resolve("repo2");
        PluginJars.deploy(repo1, PluginJars.plugin("1.0.0"));
        PluginJars.deploy(repo2, PluginJars.plugin("2.0.0").library(PluginJars.Library.V2_FLAT));
        PluginTransport first = transport(repo1);
        PluginTransport second = PluginTransport.builder(Pricing.class).repository(PluginRepository.folder(repo2))
                .cacheDirectory(dir.resolve("cache2")).build();
        closeables.add(second);

        Quote one = client(first, ClientOptions.ofDefaults()).quote(new QuoteRequest("a"));
        Quote two = client(second, ClientOptions.ofDefaults()).quote(new QuoteRequest("a"));

        assertThat(one.library()).isEqualTo("lib-1");
        assertThat(two.library()).isEqualTo("lib-2 for pricing!");
        assertThat(com.example.lib.Greeting.describe()).isEqualTo("host");
        assertThat(first.currentClassLoader()).isNotSameAs(second.currentClassLoader());
    }

    @Test
    void theContractAndParleysApiComeFromTheConsumerEverythingElseFromThePlugin() throws Exception {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        PluginTransport transport = transport(repo);
        ClassLoader plugin = transport.currentClassLoader();

        assertThat(plugin.loadClass(Pricing.class.getName())).isSameAs(Pricing.class);
        assertThat(plugin.loadClass(Quote.class.getName())).isSameAs(Quote.class);
        assertThat(plugin.loadClass(PluginLifecycle.class.getName())).isSameAs(PluginLifecycle.class);
        assertThat(plugin.loadClass("java.util.List")).isSameAs(List.class);
        assertThat(plugin.loadClass("com.example.lib.Greeting").getClassLoader()).isSameAs(plugin);
        // The consumer's libraries (here AssertJ, Jackson) are invisible to the plugin.
        assertThatThrownBy(() -> plugin.loadClass("org.assertj.core.api.Assertions")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> plugin.loadClass("com.fasterxml.jackson.databind.ObjectMapper"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(plugin.getResource("plugin.properties")).isNotNull();
    }

    @Test
    void pluginFailuresReachTheCallerAsTypedErrorsAndTheHostKeepsServing() {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        Pricing pricing = client(transport(repo), ClientOptions.ofDefaults());

        assertThatThrownBy(() -> pricing.explode(new QuoteRequest("x")))
                .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));

        assertThat(pricing.quote(new QuoteRequest("after")).pricedBy()).isEqualTo("1.0.0");
    }

    @Test
    void theDeadlineAndFallbackOfThePipelineApply() throws Exception {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        PluginTransport transport = transport(repo);
        Quote degraded = new Quote("-", "fallback", "-");
        Pricing pricing = client(transport, ClientOptions.custom()
                .method("slowQuote", m -> m.deadline(Duration.ofMillis(200)))
                .method("explode", m -> m.fallback(Fallback.value(degraded)))
                .build());
        Gate.reset();

        assertThatThrownBy(() -> pricing.slowQuote(new QuoteRequest("x"))).isInstanceOf(DeadlineExceededException.class);
        assertThat(pricing.explode(new QuoteRequest("x"))).isEqualTo(degraded);
    }

    @Test
    void withoutAnyVersionCallsFailAsUnavailableAndTheFallbackRuns() {
        Path repo = dir.resolve("repo");
        PluginTransport transport = transport(repo); // the folder does not exist yet
        Quote degraded = new Quote("-", "fallback", "-");
        Pricing plain = client(transport, ClientOptions.ofDefaults());
        Pricing withFallback = client(transport, ClientOptions.custom().method("quote", m -> m.fallback(Fallback.value(degraded))).build());

        assertThatThrownBy(() -> plain.quote(new QuoteRequest("x")))
                .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(withFallback.quote(new QuoteRequest("x"))).isEqualTo(degraded);
        assertThat(events.of(PluginEvent.RepositoryUnreachable.class)).hasSize(1);
    }

    @Test
    void passByReferenceHandsTheCallersObjectsToThePlugin() {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        PluginTransport transport = PluginTransport.builder(Pricing.class).repository(PluginRepository.folder(repo))
                .cacheDirectory(dir.resolve("cache")).passByReference(true).build();
        closeables.add(transport);

        assertThat(client(transport, ClientOptions.ofDefaults()).quote(new QuoteRequest("pear")))
                .isEqualTo(new Quote("pear", "1.0.0", "lib-1"));
    }

    @Test
    void closingDeletesTheCacheAndRefusesCalls() throws Exception {
        Path repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
        PluginTransport transport = transport(repo);
        Pricing pricing = client(transport, ClientOptions.ofDefaults());
        pricing.quote(new QuoteRequest("x"));

        transport.close();

        assertThat(events.await(PluginEvent.Unloaded.class, u -> true).version().text()).isEqualTo("1.0.0");
        try (var left = Files.list(dir.resolve("cache").resolve("pricing"))) {
            assertThat(left).isEmpty();
        }
        assertThatThrownBy(() -> pricing.quote(new QuoteRequest("x"))).isInstanceOf(TransportException.class);
    }

    @Test
    void connectingAnotherContractOrServingIsRefused() {
        Path repo = dir.resolve("repo");
        PluginTransport transport = transport(repo);
        assertThatThrownBy(() -> transport.connect(Runnable.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Pricing");
        assertThatThrownBy(() -> transport.serve(Pricing.class, (m, r) -> () -> false)).isInstanceOf(UnsupportedOperationException.class);
    }
}
