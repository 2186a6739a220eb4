package dev.parley.discovery;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The backend suite against a real {@link EmbeddedRegistry} on an ephemeral port; a restart loses its state. */
class EmbeddedRegistryBackendTest extends DiscoveryBackendSuite {

    private EmbeddedRegistry registry;
    private int port;

    @BeforeEach
    void startRegistry() {
        registry = EmbeddedRegistry.builder().port(0).start();
        port = registry.port();
    }

    @AfterEach
    void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Override
    protected DiscoveryBackend newBackend() {
        return EmbeddedRegistryBackend.builder("http://127.0.0.1:" + port)
                .ttl(leaseTtl())
                .waitTime(Duration.ofSeconds(5))
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build();
    }

    @Override
    protected void makeRegistryUnreachable() {
        registry.close();
        registry = null;
    }

    @Override
    protected void makeRegistryReachable() throws InterruptedException {
        registry = Registries.restartOn(port);
    }

    @Override
    protected void crash(DiscoveryBackend.Lease lease) {
        ((EmbeddedRegistryBackend.LeaseKeeper) lease).abandon();
    }
}
