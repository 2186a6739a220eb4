package dev.parley.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https to a checked, pinned address: the client connects to the address the resolver
 * gave, and the TLS handshake still checks the certificate against the URL's host name. The
 * certificate (SAN dns:hooks.customer.test) is made by the JDK's keytool.
 */
class GuardedHttpClientTlsTest {

    @TempDir
    static Path dir;

    static HttpsServer server;
    static SSLContext clientTls;
    static final List<String> hosts = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startHttpsReceiver() throws Exception {
        Path keystore = dir.resolve("receiver.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "receiver", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=hooks.customer.test", "-ext", "san=dns:hooks.customer.test",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("receiver", ks.getCertificate("receiver"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.createContext("/", exchange -> {
            try (exchange) {
                hosts.add(exchange.getRequestHeaders().getFirst("host"));
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    GuardedHttpClient client() {
        HostResolver dns = host -> List.of(InetAddress.getByName("127.0.0.1")); // every name is this receiver
        return GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK))
                .resolver(dns).sslContext(clientTls).build();
    }

    @Test
    void deliversOverTlsToThePinnedAddressVerifyingTheUrlsHostName() throws Exception {
        int port = server.getAddress().getPort();
        HttpResult r = client().post(URI.create("https://hooks.customer.test:" + port + "/in"), Map.of(), "{}".getBytes());
        assertThat(r.status()).isEqualTo(204);
        assertThat(hosts).contains("hooks.customer.test:" + port);
    }

    @Test
    void aCertificateForAnotherNameIsRefused() {
        int port = server.getAddress().getPort();
        // resolves to the same address, but the certificate is not for this name
        assertThatThrownBy(() -> client().post(URI.create("https://attacker.test:" + port + "/in"), Map.of(), "{}".getBytes()))
                .isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> client().post(URI.create("https://127.0.0.1:" + port + "/in"), Map.of(), "{}".getBytes()))
                .isInstanceOf(SSLHandshakeException.class);
    }
}
