package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.TransportException;
import dev.parley.http.Trips.CreateTrip;
import dev.parley.http.Trips.Trip;
import dev.parley.http.Trips.TripId;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS between real sockets: who is refused (no client certificate, an untrusted
 * server, a certificate for another host, a plaintext client), who is served, and ALPN towards
 * clients that are not Parley. Every certificate is made for the test by {@link Pki}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTransportTest {

    @TempDir
    static Path dir;

    private Pki pki;
    private HttpTransport mtlsServer;
    private Parley mtlsRuntime;

    @BeforeAll
    void start() {
        pki = Pki.create(dir);
        mtlsServer = HttpTransport.builder().server(0).bindAddress("127.0.0.1")
                .serverTls(TlsSettings.from(pki.serverTls()).trustedCertificates(pki.caPem).requireClientAuth(true).build())
                .build();
        mtlsRuntime = Parley.builder().service("trip-management").transport(mtlsServer).build();
        mtlsRuntime.serve(Trips.class, new RecordingTrips());
    }

    @AfterAll
    void stop() {
        mtlsRuntime.close();
        mtlsServer.close();
    }

    @Test
    void mutualTlsRefusesAClientWithoutCertificateAndServesOneFromTheTrustedCa() {
        TlsSettings anonymous = TlsSettings.custom().trustedCertificates(pki.caPem).build();
        for (HttpProtocol protocol : new HttpProtocol[] {HttpProtocol.HTTP_1_1, HttpProtocol.H2}) {
            assertThatThrownBy(() -> createTrip(mtlsServer.port(), protocol, anonymous))
                    .as("client without a certificate over %s", protocol)
                    .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        }
        // The same client with a certificate from the CA, as PEM files and as key stores.
        assertThat(createTrip(mtlsServer.port(), HttpProtocol.H2, pki.clientTls()).rider()).isEqualTo("ada");
        TlsSettings fromKeyStores = TlsSettings.custom().keyStore(pki.clientKeyStore(), Pki.PASSWORD).trustStore(pki.trustStore()).build();
        assertThat(createTrip(mtlsServer.port(), HttpProtocol.HTTP_1_1, fromKeyStores).rider()).isEqualTo("ada");
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() {
        TlsSettings stranger = TlsSettings.custom().certificateChain(pki.strangerChain).privateKey(pki.strangerKey)
                .trustedCertificates(pki.caPem).build();
        assertThatThrownBy(() -> createTrip(mtlsServer.port(), HttpProtocol.HTTP_1_1, stranger))
                .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(createTrip(mtlsServer.port(), HttpProtocol.HTTP_1_1, pki.clientTls()).rider()).isEqualTo("ada");
    }

    @Test
    void aServerCertificateFromAnUntrustedCaIsRefusedByTheClient() {
        TlsSettings untrusted = TlsSettings.custom().certificateChain(pki.strangerChain).privateKey(pki.strangerKey).build();
        try (HttpTransport server = HttpTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(untrusted).build();
             Parley runtime = Parley.builder().service("impostor").transport(server).build()) {
            runtime.serve(Trips.class, new RecordingTrips());
            for (HttpProtocol protocol : new HttpProtocol[] {HttpProtocol.HTTP_1_1, HttpProtocol.H2}) {
                assertThatThrownBy(() -> createTrip(server.port(), protocol, pki.clientTls()))
                        .as("untrusted server over %s", protocol)
                        .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            }
            // The JDK's default trust store does not know the test CA either.
            assertThatThrownBy(() -> createTrip(server.port(), HttpProtocol.HTTP_1_1, TlsSettings.ofDefaults()))
                    .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedUnlessHostNameVerificationIsOff() {
        TlsSettings elsewhere = TlsSettings.custom().certificateChain(pki.elsewhereChain).privateKey(pki.elsewhereKey).build();
        try (HttpTransport server = HttpTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(elsewhere).build();
             Parley runtime = Parley.builder().service("elsewhere").transport(server).build()) {
            runtime.serve(Trips.class, new RecordingTrips());
            TlsSettings trusting = TlsSettings.custom().trustedCertificates(pki.caPem).build();
            assertThatThrownBy(() -> createTrip(server.port(), HttpProtocol.H2, trusting))
                    .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            TlsSettings pinned = TlsSettings.from(trusting).verifyHostname(false).build();
            assertThat(createTrip(server.port(), HttpProtocol.H2, pinned).rider()).isEqualTo("ada");
        }
    }

    @Test
    void aPlaintextClientOnTheTlsPortFailsCleanlyAndTheServerKeepsServing() throws Exception {
        for (HttpProtocol protocol : new HttpProtocol[] {HttpProtocol.HTTP_1_1, HttpProtocol.H2C}) {
            try (HttpTransport plain = HttpTransport.builder().target("http://127.0.0.1:" + mtlsServer.port()).protocol(protocol).build();
                 Parley p = Parley.builder().transport(plain).build()) {
                Trips trips = p.client(Trips.class);
                long start = System.nanoTime();
                assertThatThrownBy(() -> trips.get(new TripId("t-1")))
                        .as("plaintext %s client", protocol)
                        .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
        }
        HttpClient jdk = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertThatThrownBy(() -> jdk.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mtlsServer.port() + "/health/live"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);

        assertThat(createTrip(mtlsServer.port(), HttpProtocol.HTTP_1_1, pki.clientTls()).rider()).isEqualTo("ada");
    }

    @Test
    void alpnGivesForeignClientsH2OrHttp11() throws Exception {
        try (HttpTransport server = HttpTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(pki.serverTls()).build()) {
            URI live = URI.create("https://127.0.0.1:" + server.port() + "/health/live");
            for (HttpClient.Version version : HttpClient.Version.values()) {
                HttpClient jdk = HttpClient.newBuilder().sslContext(pki.clientSslContext(false)).version(version).build();
                HttpResponse<String> response = jdk.send(HttpRequest.newBuilder(live).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.version()).as("asked for %s", version).isEqualTo(version);
            }
        }
    }

    @Test
    void anH2ClientFallsBackToHttp11WhenTheServerDoesNotOfferH2() throws Exception {
        // The JDK's HTTPS server knows no ALPN: the handshake selects no protocol, so HTTP/1.1 it is.
        com.sun.net.httpserver.HttpsServer foreign = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        foreign.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(pki.serverSslContext()));
        AtomicLong requests = new AtomicLong();
        foreign.createContext("/v1/trips/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "{\"id\":\"t-1\",\"rider\":\"over http/1.1\",\"seats\":1,\"status\":\"open\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        foreign.start();
        try (HttpTransport client = HttpTransport.builder().target("https://127.0.0.1:" + foreign.getAddress().getPort())
                     .protocol(HttpProtocol.H2).clientTls(TlsSettings.custom().trustedCertificates(pki.caPem).build()).build();
             Parley p = Parley.builder().transport(client).build()) {
            Trips trips = p.client(Trips.class);
            assertThat(trips.get(new TripId("t-1")).rider()).isEqualTo("over http/1.1");
            assertThat(trips.get(new TripId("t-1")).rider()).isEqualTo("over http/1.1");
            assertThat(requests.get()).isEqualTo(2);
        } finally {
            foreign.stop(0);
        }
    }

    private Trip createTrip(int port, HttpProtocol protocol, TlsSettings tls) {
        try (HttpTransport client = HttpTransport.builder().target("https://127.0.0.1:" + port).protocol(protocol).clientTls(tls)
                     .connectTimeout(Duration.ofSeconds(2)).build();
             Parley p = Parley.builder().service("passenger-app").transport(client).build()) {
            return p.client(Trips.class).create(new CreateTrip("ada", 2));
        }
    }

    /**
     * A throw-away public key infrastructure in a directory: a CA; a server certificate for
     * {@code 127.0.0.1} and {@code localhost} and a client certificate, both signed by the CA;
     * a certificate signed by the CA for another host only; and a self-signed stranger. EC P-256
     * keys, generated in milliseconds. PEM files (PKCS#8 keys) and PKCS#12 key stores.
     */
    static final class Pki {
        static final char[] PASSWORD = "changeit".toCharArray();
        private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

        final Path caPem;
        final Path serverChain;
        final Path serverKey;
        final Path clientChain;
        final Path clientKey;
        final Path strangerChain;
        final Path strangerKey;
        final Path elsewhereChain;
        final Path elsewhereKey;
        private final X509Certificate ca;
        private final X509Certificate server;
        private final KeyPair serverKeys;
        private final X509Certificate client;
        private final KeyPair clientKeys;

        private Pki(Path dir) throws GeneralSecurityException, IOException, OperatorCreationException {
            KeyPair caKeys = keyPair();
            X500Name caName = new X500Name("CN=Parley Test CA");
            ca = certificate(caName, caKeys.getPublic(), caName, caKeys.getPrivate(), true);
            serverKeys = keyPair();
            server = certificate(new X500Name("CN=localhost"), serverKeys.getPublic(), caName, caKeys.getPrivate(), false,
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost"));
            clientKeys = keyPair();
            client = certificate(new X500Name("CN=passenger-app"), clientKeys.getPublic(), caName, caKeys.getPrivate(), false);
            KeyPair strangerKeys = keyPair();
            X500Name strangerName = new X500Name("CN=stranger");
            X509Certificate stranger = certificate(strangerName, strangerKeys.getPublic(), strangerName, strangerKeys.getPrivate(), false,
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            KeyPair elsewhereKeys = keyPair();
            X509Certificate elsewhere = certificate(new X500Name("CN=elsewhere"), elsewhereKeys.getPublic(), caName, caKeys.getPrivate(), false,
                    new GeneralName(GeneralName.dNSName, "elsewhere.example"));

            caPem = write(dir.resolve("ca.crt"), pem("CERTIFICATE", ca.getEncoded()));
            serverChain = write(dir.resolve("server.crt"), pem("CERTIFICATE", server.getEncoded()));
            serverKey = write(dir.resolve("server.key"), pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
            clientChain = write(dir.resolve("client.crt"), pem("CERTIFICATE", client.getEncoded()));
            clientKey = write(dir.resolve("client.key"), pem("PRIVATE KEY", clientKeys.getPrivate().getEncoded()));
            strangerChain = write(dir.resolve("stranger.crt"), pem("CERTIFICATE", stranger.getEncoded()));
            strangerKey = write(dir.resolve("stranger.key"), pem("PRIVATE KEY", strangerKeys.getPrivate().getEncoded()));
            elsewhereChain = write(dir.resolve("elsewhere.crt"), pem("CERTIFICATE", elsewhere.getEncoded()));
            elsewhereKey = write(dir.resolve("elsewhere.key"), pem("PRIVATE KEY", elsewhereKeys.getPrivate().getEncoded()));
        }

        static Pki create(Path dir) {
            try {
                return new Pki(dir);
            } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
                throw new IllegalStateException("cannot create the test PKI in " + dir, e);
            }
        }

        /** The server's key and chain, trusting nobody in particular. */
        TlsSettings serverTls() {
            return TlsSettings.custom().certificateChain(serverChain).privateKey(serverKey).build();
        }

        /** The client's key and chain, trusting the CA. */
        TlsSettings clientTls() {
            return TlsSettings.custom().certificateChain(clientChain).privateKey(clientKey).trustedCertificates(caPem).build();
        }

        KeyStore clientKeyStore() {
            return keyStore(clientKeys.getPrivate(), client);
        }

        KeyStore trustStore() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setCertificateEntry("ca", ca);
                return store;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** An SSLContext for the JDK's HTTPS server, with the server's key. */
        SSLContext serverSslContext() throws GeneralSecurityException {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore(serverKeys.getPrivate(), server), PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }

        /** An SSLContext for the JDK's HTTP client, trusting the CA, presenting the client certificate if asked to. */
        SSLContext clientSslContext(boolean withCertificate) throws GeneralSecurityException {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(clientKeyStore(), PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(withCertificate ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
            return context;
        }

        private static KeyStore keyStore(PrivateKey key, X509Certificate certificate) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("key", key, PASSWORD, new Certificate[] {certificate});
                return store;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private static KeyPair keyPair() throws GeneralSecurityException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        }

        private static X509Certificate certificate(X500Name subject, java.security.PublicKey key, X500Name issuer, PrivateKey issuerKey,
                                                   boolean ca, GeneralName... names)
                throws GeneralSecurityException, IOException, OperatorCreationException {
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    java.util.Date.from(now.minus(Duration.ofHours(1))), java.util.Date.from(now.plus(Duration.ofDays(1))), subject, key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            }
            if (names.length > 0) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END " + type + "-----\n";
        }

        private static Path write(Path file, String text) throws IOException {
            return Files.writeString(file, text);
        }
    }
}
