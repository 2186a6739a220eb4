package dev.parley.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.pricing.Gate;
import com.example.pricing.Pricing;
import com.example.pricing.Pricing.Quote;
import com.example.pricing.Pricing.QuoteRequest;
import dev.parley.ClientOptions;
import dev.parley.Parley;
import dev.parley.testkit.ManualClock;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot swap from a watched folder. The poll interval is an hour, so every change in these tests is
 * picked up through file system events (the JDK's WatchService).
 */
class HotSwapTest {

    @TempDir
    Path dir;

    private Path repo;
    private final RecordingListener events = new RecordingListener();
    private final ManualClock clock = ManualClock.create();
    private PluginTransport transport;
    private Parley parley;
    private Pricing pricing;

    @BeforeEach
    void start() {
        repo = dir.resolve("repo");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
    }

    private void open(PluginTransport.Builder builder) {
        transport = builder.repository(PluginRepository.folder(repo))
                .cacheDirectory(dir.resolve("cache"))
                .pollInterval(Duration.ofHours(1))
                .deploymentWindow(Duration.ofHours(2))
                .listener(events)
                .build();
        parley = Parley.builder().service("shop").transport(transport).build();
        pricing = parley.client(Pricing.class, ClientOptions.custom().deadline(Duration.ofSeconds(30)).build());
    }

    private void open() {
        open(PluginTransport.builder(Pricing.class));
    }

    @AfterEach
    void close() {
        Gate.release();
        if (parley != null) {
            parley.close();
        }
        if (transport != null) {
            transport.close();
        }
    }

    private String pricedBy() {
        return pricing.quote(new QuoteRequest("x")).pricedBy();
    }

    private void awaitServing(String version) {
        RecordingListener.awaitTrue(() -> pricedBy().equals(version), () -> "still served by " + pricedBy() + "; events: " + events.events());
    }

    @Test
    void aNewVersionTakesOverAndTheOldClassLoaderIsCollected() {
        open();
        assertThat(pricedBy()).isEqualTo("1.0.0");
        WeakReference<ClassLoader> old = new WeakReference<>(transport.currentClassLoader());

        PluginJars.deploy(repo, PluginJars.plugin("1.1.0"));

        awaitServing("1.1.0");
        assertThat(events.await(PluginEvent.Activated.class, a -> a.version().text().equals("1.1.0")).previous())
                .contains(PluginVersion.parse("1.0.0"));
        events.await(PluginEvent.Unloaded.class, u -> u.version().text().equals("1.0.0"));
        RecordingListener.awaitTrue(() -> {
            System.gc();
            return old.get() == null;
        }, () -> "the class loader of 1.0.0 is still reachable");
    }

    @Test
    void theWatchStartsOnceAFolderMissingAtStartAppears() throws Exception {
        Path later = dir.resolve("later");
        repo = later;
        open(PluginTransport.builder(Pricing.class).clock(clock));
        assertThat(transport.currentVersion()).isEmpty();

        PluginJars.deploy(later, PluginJars.plugin("1.0.0"));
        clock.advance(Duration.ofHours(1)); // the poll finds the folder and starts watching it
        events.await(PluginEvent.Activated.class, a -> a.version().text().equals("1.0.0"));

        PluginJars.deploy(later, PluginJars.plugin("1.1.0")); // no poll is due: only a file event can bring it
        awaitServing("1.1.0");
    }

    @Test
    void inFlightCallsFinishOnTheOldVersionWhileNewCallsGoToTheNewOne() throws Exception {
        open();
        Gate.reset();
        CompletableFuture<Quote> inFlight = CompletableFuture.supplyAsync(() -> pricing.slowQuote(new QuoteRequest("slow")));
        assertThat(Gate.awaitArrival()).isTrue();

        PluginJars.deploy(repo, PluginJars.plugin("1.1.0"));
        awaitServing("1.1.0");
        assertThat(events.of(PluginEvent.Unloaded.class)).isEmpty(); // 1.0.0 still has a call in flight

        Gate.release();
        assertThat(inFlight.get().pricedBy()).isEqualTo("1.0.0");
        events.await(PluginEvent.Unloaded.class, u -> u.version().text().equals("1.0.0"));
    }

    @Test
    void removingTheNewestVersionRollsBackAndReplacingItReloads() throws Exception {
        open();
        Path v2 = PluginJars.deploy(repo, PluginJars.plugin("2.0.0"));
        awaitServing("2.0.0");

        Files.delete(v2);
        awaitServing("1.0.0");

        PluginJars.deploy(repo, PluginJars.plugin("2.0.0"));
        awaitServing("2.0.0");
        PluginJars.deploy(repo, PluginJars.plugin("2.0.0").label("2.0.0-fixed"));
        awaitServing("2.0.0-fixed");
    }

    @Test
    void badVersionsAreRejectedWithAReasonAndTheCurrentVersionKeepsServing() {
        open();
        PluginJars.Spec ok = PluginJars.plugin("1.0.0");

        PluginJars.deploy(repo, "pricing-1.1.0.jar", "this is not a jar".getBytes());
        assertThat(events.awaitRejected("pricing-1.1.0.jar").reason()).isEqualTo(RejectionReason.CORRUPT_ARCHIVE);
        assertThat(pricedBy()).isEqualTo("1.0.0");

        PluginJars.deploy(repo, PluginJars.plugin("1.2.0").contractVersion("2.0"));
        PluginEvent.Rejected wrongMajor = events.awaitRejected("pricing-1.2.0.jar");
        assertThat(wrongMajor.reason()).isEqualTo(RejectionReason.INCOMPATIBLE_CONTRACT);
        assertThat(wrongMajor.message()).contains("2.0").contains("1.2");

        PluginJars.deploy(repo, PluginJars.plugin("1.3.0").setting("init", "fail"));
        PluginEvent.Rejected init = events.awaitRejected("pricing-1.3.0.jar");
        assertThat(init.reason()).isEqualTo(RejectionReason.INIT_FAILED);
        assertThat(init.message()).contains("cannot reach the price list");

        PluginJars.deploy(repo, PluginJars.plugin("1.4.0").setting("health", "fail"));
        assertThat(events.awaitRejected("pricing-1.4.0.jar").reason()).isEqualTo(RejectionReason.HEALTH_CHECK_FAILED);

        PluginJars.sidecar(repo, "pricing-1.5.0.jar", ".sha256", "0".repeat(64) + "  pricing-1.5.0.jar");
        PluginJars.deploy(repo, PluginJars.plugin("1.5.0"));
        assertThat(events.awaitRejected("pricing-1.5.0.jar").reason()).isEqualTo(RejectionReason.CHECKSUM_MISMATCH);

        PluginJars.deploy(repo, PluginJars.plugin("1.6.0").contract("billing"));
        assertThat(events.awaitRejected("pricing-1.6.0.jar").reason()).isEqualTo(RejectionReason.INCOMPATIBLE_CONTRACT);

        PluginJars.deploy(repo, PluginJars.plugin("1.7.0").entryPoint("com.example.pricing.impl.Missing"));
        assertThat(events.awaitRejected("pricing-1.7.0.jar").reason()).isEqualTo(RejectionReason.BAD_ENTRY_POINT);

        PluginJars.deploy(repo, "pricing-1.8.0.jar", PluginJars.plugin("1.8.1").bytes());
        assertThat(events.awaitRejected("pricing-1.8.0.jar").reason()).isEqualTo(RejectionReason.INVALID_MANIFEST);

        assertThat(pricedBy()).isEqualTo("1.0.0");
        assertThat(transport.currentVersion()).contains(PluginVersion.parse(ok.version()));
        assertThat(events.of(PluginEvent.Activated.class)).hasSize(1);

        // A correct checksum for the same version: complete now, so it loads.
        byte[] good = PluginJars.plugin("1.9.0").bytes();
        PluginJars.sidecar(repo, "pricing-1.9.0.jar", ".sha256", PluginJars.sha256(good));
        PluginJars.deploy(repo, "pricing-1.9.0.jar", good);
        awaitServing("1.9.0");
    }

    @Test
    void aHangingInitIsRejectedAfterTheInitTimeout() {
        open(PluginTransport.builder(Pricing.class).initTimeout(Duration.ofMillis(300)));

        PluginJars.deploy(repo, PluginJars.plugin("1.1.0").setting("init", "hang"));

        PluginEvent.Rejected rejected = events.awaitRejected("pricing-1.1.0.jar");
        assertThat(rejected.reason()).isEqualTo(RejectionReason.INIT_FAILED);
        assertThat(rejected.message()).contains("did not finish within");
        assertThat(pricedBy()).isEqualTo("1.0.0");
    }

    @Test
    void withAPublicKeyOnlyCorrectlySignedVersionsLoad() throws Exception {
        KeyPair trusted = PluginJars.ed25519();
        KeyPair other = PluginJars.ed25519();
        byte[] v1 = Files.readAllBytes(repo.resolve("pricing-1.0.0.jar"));
        PluginJars.sidecar(repo, "pricing-1.0.0.jar", ".sig", PluginJars.sign(v1, trusted.getPrivate(), "Ed25519"));
        open(PluginTransport.builder(Pricing.class).publicKey(trusted.getPublic()));
        assertThat(pricedBy()).isEqualTo("1.0.0");

        PluginJars.deploy(repo, PluginJars.plugin("1.1.0"));
        assertThat(events.awaitRejected("pricing-1.1.0.jar").reason()).isEqualTo(RejectionReason.SIGNATURE_INVALID);

        byte[] v2 = PluginJars.plugin("1.2.0").bytes();
        PluginJars.sidecar(repo, "pricing-1.2.0.jar", ".sig", PluginJars.sign(v2, other.getPrivate(), "Ed25519"));
        PluginJars.deploy(repo, "pricing-1.2.0.jar", v2);
        PluginEvent.Rejected forged = events.awaitRejected("pricing-1.2.0.jar");
        assertThat(forged.reason()).isEqualTo(RejectionReason.SIGNATURE_INVALID);
        assertThat(forged.message()).contains("does not verify");
        assertThat(pricedBy()).isEqualTo("1.0.0");

        byte[] v3 = PluginJars.plugin("1.3.0").bytes();
        PluginJars.sidecar(repo, "pricing-1.3.0.jar", ".sig", PluginJars.sign(v3, trusted.getPrivate(), "Ed25519"));
        PluginJars.deploy(repo, "pricing-1.3.0.jar", v3);
        awaitServing("1.3.0");
    }

    @Test
    void anEcdsaKeyVerifiesToo() throws Exception {
        KeyPair ec = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair();
        byte[] v1 = Files.readAllBytes(repo.resolve("pricing-1.0.0.jar"));
        PluginJars.sidecar(repo, "pricing-1.0.0.jar", ".sig", PluginJars.sign(v1, ec.getPrivate(), "SHA256withECDSA"));
        open(PluginTransport.builder(Pricing.class).publicKey(ec.getPublic()));

        assertThat(pricedBy()).isEqualTo("1.0.0");
    }
}
