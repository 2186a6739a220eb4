package dev.parley.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.TransportException;
import dev.parley.http.TlsSettings;
import dev.parley.rpc.Echo.Msg;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS between real sockets, with certificates made for the test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RpcTlsTest {

    @TempDir
    static Path dir;

    private TestPki pki;
    private RpcTransport tlsServer;
    private RpcTransport mtlsServer;
    private Parley tlsRuntime;
    private Parley mtlsRuntime;
    private final RecordingEcho echo = new RecordingEcho();

    @BeforeAll
    void start() {
        pki = TestPki.create(dir);
        tlsServer = RpcTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(pki.server().build()).build();
        mtlsServer = RpcTransport.builder().server(0).bindAddress("127.0.0.1")
                .serverTls(pki.server().trustedCertificates(pki.caPem).requireClientAuth(true).build()).build();
        tlsRuntime = Parley.builder().transport(tlsServer).authenticator(RpcTransportTest.TOKENS).build();
        tlsRuntime.serve(Echo.class, echo);
        mtlsRuntime = Parley.builder().transport(mtlsServer).authenticator(RpcTransportTest.TOKENS).build();
        mtlsRuntime.serve(Echo.class, echo);
    }

    @AfterAll
    void stop() {
        tlsRuntime.close();
        mtlsRuntime.close();
        tlsServer.close();
        mtlsServer.close();
    }

    private static void callWith(RpcTransport server, TlsSettings clientTls, java.util.function.Consumer<Echo> test) {
        RpcTransport.Builder b = RpcTransport.builder().target("127.0.0.1:" + server.port());
        if (clientTls != null) {
            b.clientTls(clientTls);
        }
        try (RpcTransport rpc = b.build(); Parley client = Parley.builder().transport(rpc).build()) {
            test.accept(client.client(Echo.class));
        }
    }

    @Test
    void tlsCarriesEveryStyle() throws Exception {
        callWith(tlsServer, TlsSettings.custom().trustedCertificates(pki.caPem).build(), e -> {
            assertThat(e.echo(new Msg("secret"))).isEqualTo(new Msg("secret"));
            e.note(new Msg("sealed note"));
            try {
                assertThat(echo.notes.poll(5, TimeUnit.SECONDS)).isEqualTo(new Msg("sealed note"));
                assertThat(e.later(new Msg("x")).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(new Msg("later x"));
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
    }

    @Test
    void mutualTlsFromPropertiesThroughTheSharedTlsParser() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("parley.rpc.target", "127.0.0.1:" + mtlsServer.port());
        p.setProperty("parley.rpc.clientTls.certificateChain", pki.clientChain.toString());
        p.setProperty("parley.rpc.clientTls.privateKey", pki.clientKey.toString());
        p.setProperty("parley.rpc.clientTls.trustedCertificates", pki.caPem.toString());
        p.setProperty("parley.rpc.clientTls.protocols", "TLSv1.3, TLSv1.2");
        p.setProperty("parley.rpc.clientTls.verifyHostname", "true");
        try (RpcTransport rpc = RpcTransport.fromProperties(p, "parley.rpc.").build();
             Parley client = Parley.builder().transport(rpc).build()) {
            assertThat(client.client(Echo.class).echo(new Msg("configured"))).isEqualTo(new Msg("configured"));
        }
        // Malformed values and unknown keys name the key and the value (booleans are strict: "yes" is refused).
        p.setProperty("parley.rpc.clientTls.verifyHostname", "yes");
        assertThatThrownBy(() -> RpcTransport.fromProperties(p, "parley.rpc."))
                .hasMessage("parley.rpc.clientTls.verifyHostname: 'yes': expected: true or false");
        p.setProperty("parley.rpc.clientTls.verifyHostname", "false");
        p.setProperty("parley.rpc.serverTls.pinning", "on");
        assertThatThrownBy(() -> RpcTransport.fromProperties(p, "parley.rpc."))
                .hasMessageStartingWith("parley.rpc.serverTls.pinning: 'on': unknown TLS setting");
        p.remove("parley.rpc.serverTls.pinning");
        p.setProperty("parley.rpc.clientTls.protocols", "TLSv1.1");
        assertThatThrownBy(() -> RpcTransport.fromProperties(p, "parley.rpc."))
                .hasMessageContaining("parley.rpc.clientTls.protocols: 'TLSv1.1': protocols: 'TLSv1.1'");
    }

    @Test
    void mutualTlsServesClientsWithATrustedCertificate() {
        callWith(mtlsServer, pki.client().build(), e -> assertThat(e.echo(new Msg("mutual"))).isEqualTo(new Msg("mutual")));
    }

    @Test
    void mutualTlsRefusesClientsWithoutACertificate() {
        callWith(mtlsServer, TlsSettings.custom().trustedCertificates(pki.caPem).build(), e ->
                assertThatThrownBy(() -> e.echo(new Msg("anonymous")))
                        .isInstanceOfSatisfying(TransportException.class, ex -> assertThat(ex.code()).isEqualTo(ErrorCode.UNAVAILABLE)));
    }

    @Test
    void mutualTlsRefusesAnUntrustedClientCertificate() {
        TlsSettings stranger = TlsSettings.custom().certificateChain(pki.strangerChain).privateKey(pki.strangerKey)
                .trustedCertificates(pki.caPem).build();
        callWith(mtlsServer, stranger, e ->
                assertThatThrownBy(() -> e.echo(new Msg("stranger"))).isInstanceOf(TransportException.class));
    }

    @Test
    void aClientRefusesAnUntrustedServer() {
        callWith(tlsServer, TlsSettings.custom().trustedCertificates(pki.strangerChain).build(), e ->
                assertThatThrownBy(() -> e.echo(new Msg("who are you?")))
                        .isInstanceOfSatisfying(TransportException.class, ex -> assertThat(ex.getMessage()).contains("TLS")));
    }

    @Test
    void aPlaintextClientGetsNowhereOnATlsPort() {
        callWith(tlsServer, null, e ->
                assertThatThrownBy(() -> e.echo(new Msg("in clear"))).isInstanceOf(TransportException.class));
        callWith(tlsServer, TlsSettings.custom().trustedCertificates(pki.caPem).build(),
                e -> assertThat(e.echo(new Msg("still serving"))).isEqualTo(new Msg("still serving")));
    }

    private static final char[] PASSWORD = "p12-secret".toCharArray();

    @Test
    void tlsAndMutualTlsWithPkcs12KeyStores() {
        try (RpcTransport server = RpcTransport.builder().server(0).bindAddress("127.0.0.1")
                     .serverTls(TlsSettings.custom().keyStore(pki.serverKeyStore(PASSWORD), PASSWORD).build()).build();
             RpcTransport mtls = RpcTransport.builder().server(0).bindAddress("127.0.0.1")
                     .serverTls(TlsSettings.custom().keyStore(pki.serverKeyStore(PASSWORD), PASSWORD).trustStore(pki.trustStore())
                             .requireClientAuth(true).build()).build();
             Parley runtime = Parley.builder().transport(server).authenticator(RpcTransportTest.TOKENS).build();
             Parley mtlsRuntime = Parley.builder().transport(mtls).authenticator(RpcTransportTest.TOKENS).build()) {
            runtime.serve(Echo.class, echo);
            mtlsRuntime.serve(Echo.class, echo);
            callWith(server, TlsSettings.custom().trustStore(pki.trustStore()).build(),
                    e -> assertThat(e.echo(new Msg("from a p12"))).isEqualTo(new Msg("from a p12")));
            // The client's key from a key store, trusting a PEM file; and the other way round.
            callWith(mtls, TlsSettings.custom().keyStore(pki.clientKeyStore(PASSWORD), PASSWORD).trustedCertificates(pki.caPem).build(),
                    e -> assertThat(e.echo(new Msg("mutual p12"))).isEqualTo(new Msg("mutual p12")));
            callWith(mtlsServer, TlsSettings.custom().keyStore(pki.clientKeyStore(PASSWORD), PASSWORD).trustStore(pki.trustStore()).build(),
                    e -> assertThat(e.echo(new Msg("p12 to pem"))).isEqualTo(new Msg("p12 to pem")));
            // A server with a key store still refuses a client without a certificate.
            callWith(mtls, TlsSettings.custom().trustStore(pki.trustStore()).build(), e ->
                    assertThatThrownBy(() -> e.echo(new Msg("anonymous"))).isInstanceOf(TransportException.class));
        }
    }

    @Test
    void aWrongKeyStorePasswordFailsTheBuildWithAClearError() {
        TlsSettings wrong = TlsSettings.custom().keyStore(pki.serverKeyStore(PASSWORD), "not-it".toCharArray()).build();
        assertThatThrownBy(() -> RpcTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(wrong).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("serverTls: the keyStore password does not unlock the private key entries [key]")
                .hasMessageEndingWith("for RpcTransport");
        TlsSettings wrongClient = TlsSettings.custom().keyStore(pki.clientKeyStore(PASSWORD), new char[0]).trustedCertificates(pki.caPem).build();
        assertThatThrownBy(() -> RpcTransport.builder().target("127.0.0.1:1").clientTls(wrongClient).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("clientTls: the keyStore password does not unlock");
        // A key store with certificates only (a trust store given as key material).
        TlsSettings noKey = TlsSettings.custom().keyStore(pki.trustStore(), PASSWORD).build();
        assertThatThrownBy(() -> RpcTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(noKey).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serverTls: the key store of type PKCS12 holds no private key entry");
        assertThatThrownBy(() -> RpcTransport.builder().server(0).serverTls(TlsSettings.custom().trustStore(pki.trustStore()).build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: certificateChain and privateKey, or keyStore");
    }

    @Test
    void anEncryptedPemKeyWithItsPassword() {
        Path key = pki.encryptedServerKey(dir, PASSWORD);
        TlsSettings.Builder settings = TlsSettings.custom().certificateChain(pki.serverChain).privateKey(key);
        try (RpcTransport server = RpcTransport.builder().server(0).bindAddress("127.0.0.1")
                     .serverTls(settings.privateKeyPassword(PASSWORD).build()).build();
             Parley runtime = Parley.builder().transport(server).authenticator(RpcTransportTest.TOKENS).build()) {
            runtime.serve(Echo.class, echo);
            callWith(server, TlsSettings.custom().trustedCertificates(pki.caPem).build(),
                    e -> assertThat(e.echo(new Msg("unlocked"))).isEqualTo(new Msg("unlocked")));
        }
        TlsSettings wrong = settings.privateKeyPassword("guess".toCharArray()).build();
        assertThatThrownBy(() -> RpcTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(wrong).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("serverTls: privateKey " + key + ": cannot decrypt the key with the privateKeyPassword given "
                        + "(expected: the password the key was encrypted with) for RpcTransport");
    }

    @Test
    void theServersKeepalivePingsTravelInsideTls() {
        try (RpcTransport server = RpcTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(pki.server().build())
                     .serverKeepaliveInterval(java.time.Duration.ofMillis(100)).build();
             Parley runtime = Parley.builder().transport(server).authenticator(RpcTransportTest.TOKENS).build()) {
            runtime.serve(Echo.class, echo);
            callWith(server, TlsSettings.custom().trustedCertificates(pki.caPem).build(), e -> {
                assertThat(e.echo(new Msg("before"))).isEqualTo(new Msg("before"));
                Polling.await("three pings answered over TLS", java.time.Duration.ofSeconds(20),
                        () -> server.server().keepalivePingsSent() >= 3);
                assertThat(server.openServerConnections()).isEqualTo(1);
                assertThat(e.echo(new Msg("after"))).isEqualTo(new Msg("after"));
            });
        }
    }
}
