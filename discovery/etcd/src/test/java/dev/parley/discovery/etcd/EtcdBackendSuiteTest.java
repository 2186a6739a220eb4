package dev.parley.discovery.etcd;

import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.DiscoveryBackendSuite;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The shared backend suite against a real etcd process of this class's own (the suite kills and restarts it). */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EtcdBackendSuiteTest extends DiscoveryBackendSuite {

    private static EtcdTestServer etcd;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdTestServer.create();
        etcd.start();
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    protected DiscoveryBackend newBackend() {
        return EtcdDiscovery.builder().endpoints(etcd.endpoint()).leaseTtl(leaseTtl())
                .requestTimeout(Duration.ofSeconds(2)).connectTimeout(Duration.ofMillis(500))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500)).probeInterval(Duration.ofSeconds(2)).build();
    }

    /** etcd's shortest lease is about 2 s (it raises shorter ones), so the suite's 1 s would not be honest. */
    @Override
    protected Duration leaseTtl() {
        return Duration.ofSeconds(2);
    }

    @Override
    protected void makeRegistryUnreachable() {
        etcd.kill();
    }

    @Override
    protected void makeRegistryReachable() {
        etcd.start();
    }

    @Override
    protected void crash(DiscoveryBackend.Lease lease) {
        ((EtcdRegistration) lease).crash();
    }
}
