package dev.parley.discovery.kubernetes;

import static dev.parley.discovery.RecordingWatchListener.ids;
import static dev.parley.discovery.kubernetes.Slices.endpoint;
import static dev.parley.discovery.kubernetes.Slices.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.RecordingWatchListener;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API server over HTTPS, trusted through a PEM CA file as in a pod's {@code ca.crt}: the fake
 * API server gets a self-signed certificate for 127.0.0.1 made with the JDK's keytool.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@SuppressWarnings("try") // watches are opened for their effect, closed by try-with-resources
class KubernetesTlsTest {

    private static final String TOKEN = "tls-token";

    @Test
    void theApiServerIsTrustedThroughItsCaFileAndAnUnknownCaIsAClearError(@TempDir Path dir) throws Exception {
        Path keyStore = dir.resolve("api.p12");
        Path ca = dir.resolve("ca.crt");
        keytool("-genkeypair", "-alias", "api", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=kubernetes",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, "changeit".toCharArray());
        }
        // The self-signed certificate is its own CA: written as PEM, like a pod's ca.crt.
        Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                        .encodeToString(ks.getCertificate("api").getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);

        try (FakeKubernetesApi api = FakeKubernetesApi.startTls(TOKEN, serverTls)) {
            api.apply("shop", slice("trips-v1-abc", "trips-v1", Map.of("http", 8080), endpoint("trips-1", "10.1.0.1", true, "zone-a")));
            try (KubernetesDiscovery k8s = KubernetesDiscovery.builder().apiServer(api.url()).token(TOKEN).namespace("shop")
                    .trustedCertificates(ca).build()) {
                RecordingWatchListener listener = new RecordingWatchListener();
                try (var watch = k8s.watch(new ContractVersion("trips", 1), listener)) {
                    assertThat(listener.await("trips-1 over TLS", ids("trips-1")).get(0).addresses())
                            .containsEntry("http", "http://10.1.0.1:8080");
                }
            }
            // Without the CA (the JVM's default trust store does not know it): refused, and said so.
            try (KubernetesDiscovery untrusting = KubernetesDiscovery.builder().apiServer(api.url()).token(TOKEN).namespace("shop")
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(200)).build()) {
                RecordingWatchListener listener = new RecordingWatchListener();
                try (var watch = untrusting.watch(new ContractVersion("trips", 1), listener)) {
                    assertThat(listener.awaitOutage()).isInstanceOf(KubernetesException.class)
                            .hasMessageContaining(api.url()).hasMessageContaining("SSLHandshakeException");
                    assertThat(listener.snapshots).isEmpty();
                }
            }
        }
        Path notPem = dir.resolve("not.pem");
        Files.writeString(notPem, "hello");
        assertThatThrownBy(() -> KubernetesDiscovery.builder().apiServer("https://127.0.0.1:6443").trustedCertificates(notPem).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trustedCertificates: " + notPem)
                .hasMessageContaining("(expected: ");
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC")); // a short-lived JVM: start fast
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("keytool " + String.join(" ", args) + " failed:\n" + out);
        }
    }
}
