package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS settings that cannot work are refused when the transport is built, naming the setting. */
class TlsSettingsTest {

    @TempDir
    static Path dir;

    private static TlsTransportTest.Pki pki;

    @BeforeAll
    static void createPki() {
        pki = TlsTransportTest.Pki.create(dir);
    }

    @Test
    void defaultsAreTls13And12WithHostNameVerification() {
        TlsSettings defaults = TlsSettings.ofDefaults();
        assertThat(defaults.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(defaults.verifyHostname()).isTrue();
        assertThat(defaults.requireClientAuth()).isFalse();
        assertThat(defaults.hasKeyMaterial()).isFalse();
        assertThat(TlsSettings.custom().protocols("TLSv1.2", "TLSv1.3").build().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    }

    @Test
    void incompleteOrConflictingSettingsAreRefused() {
        assertThatThrownBy(() -> TlsSettings.custom().protocols("TLSv1.1")).hasMessageContaining("protocols: 'TLSv1.1'");
        assertThatThrownBy(() -> TlsSettings.custom().certificateChain(pki.serverChain).build())
                .hasMessageContaining("(expected: both or neither)");
        assertThatThrownBy(() -> TlsSettings.custom().privateKey(dir.resolve("absent.key")))
                .hasMessageContaining("privateKey: " + dir.resolve("absent.key"));
        assertThatThrownBy(() -> HttpTransport.builder().server(0).serverTls(TlsSettings.ofDefaults()).build())
                .hasMessageStartingWith("serverTls: ").hasMessageContaining("expected: certificateChain and privateKey, or keyStore");
        assertThatThrownBy(() -> HttpTransport.builder().target("http://trips:8080").serverTls(pki.serverTls()).build())
                .hasMessageContaining("serverTls is set but there is no server");
    }

    @Test
    void aKeyFileThatIsNotAKeyFailsTheBuild() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.key"), "not a key");
        TlsSettings broken = TlsSettings.custom().certificateChain(pki.serverChain).privateKey(garbage).build();
        assertThatThrownBy(() -> HttpTransport.builder().server(0).serverTls(broken).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("serverTls: privateKey " + garbage + ": not PEM (no -----BEGIN ... PRIVATE KEY----- line) (expected: a PEM "
                        + "private key: PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY) for HttpTransport");
    }

    @Test
    void theProtocolMustFitTheTargetsScheme() {
        assertThatThrownBy(() -> HttpTransport.builder().target("https://trips:8443").protocol(HttpProtocol.H2C).build())
                .hasMessageContaining("protocol H2C is cleartext");
        assertThatThrownBy(() -> HttpTransport.builder().target("http://trips:8080").protocol(HttpProtocol.H2).build())
                .hasMessageContaining("protocol H2 runs over TLS");
        assertThatThrownBy(() -> HttpTransport.builder().target("http://trips:8080").clientTls(pki.clientTls()).build())
                .hasMessageContaining("clientTls is set but no target is https://");
        assertThatThrownBy(() -> HttpTransport.builder().target("https://trips:8080").target("ops", "http://trips:8080").build())
                .hasMessageContaining("is both http:// and https://");
        assertThatThrownBy(() -> HttpTransport.builder().target("https://trips:8080").clientTls(
                TlsSettings.from(pki.clientTls()).requireClientAuth(true).build()).build())
                .hasMessageContaining("requireClientAuth is set (expected: only in serverTls)");
        HttpTransport.builder().target("https://trips").protocol(HttpProtocol.H2).build().close();
    }

    @Test
    void textSettingsAreParsedOnceForEveryTransport() {
        TlsSettings server = TlsSettings.custom()
                .set("certificateChain", pki.serverChain.toString())
                .set("privateKey", pki.serverKey.toString())
                .set("trustedCertificates", pki.caPem.toString())
                .set("requireClientAuth", "true")
                .set("protocols", " TLSv1.3 ")
                .build();
        assertThat(server.hasKeyMaterial()).isTrue();
        assertThat(server.requireClientAuth()).isTrue();
        assertThat(server.protocols()).containsExactly("TLSv1.3");
        assertThat(TlsSettings.custom().set("verifyHostname", "false").build().verifyHostname()).isFalse();

        assertThatThrownBy(() -> TlsSettings.custom().set("pinning", "on"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown TLS setting (expected: certificateChain,");
        assertThatThrownBy(() -> TlsSettings.custom().set("keyStore", "/etc/ks.p12")).hasMessageStartingWith("unknown TLS setting");
        assertThatThrownBy(() -> TlsSettings.custom().set("CertificateChain", pki.serverChain.toString()))
                .hasMessageStartingWith("unknown TLS setting");
        for (String notABoolean : new String[] {"yes", "TRUE", "1", "", " true"}) {
            assertThatThrownBy(() -> TlsSettings.custom().set("requireClientAuth", notABoolean))
                    .as(notABoolean).hasMessage("expected: true or false");
        }
        assertThatThrownBy(() -> TlsSettings.custom().set("protocols", "TLSv1.3,,TLSv1.2")).hasMessageContaining("protocols: ''");
        assertThatThrownBy(() -> TlsSettings.custom().set("protocols", "SSLv3")).hasMessageContaining("protocols: 'SSLv3'");
        assertThatThrownBy(() -> TlsSettings.custom().set("certificateChain", dir.resolve("missing.pem").toString()))
                .hasMessageContaining("(expected: a readable PEM file)");
        assertThatThrownBy(() -> TlsSettings.custom().set("privateKey", "bad\u0000path"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsSettings.custom().set("privateKey", dir.toString()))
                .hasMessageContaining("(expected: a readable PEM file)");
    }

    @Test
    void tlsSettingsComeFromProperties() {
        Properties p = new Properties();
        p.setProperty("parley.http.server", "0");
        p.setProperty("parley.http.bindAddress", "127.0.0.1");
        p.setProperty("parley.http.serverTls.certificateChain", pki.serverChain.toString());
        p.setProperty("parley.http.serverTls.privateKey", pki.serverKey.toString());
        p.setProperty("parley.http.serverTls.trustedCertificates", pki.caPem.toString());
        p.setProperty("parley.http.serverTls.requireClientAuth", "true");
        p.setProperty("parley.http.serverTls.protocols", "TLSv1.3");
        try (HttpTransport server = HttpTransport.fromProperties(p, "parley.http.").build()) {
            assertThat(server.toString()).contains("TLS");
        }
        p.setProperty("parley.http.serverTls.requireClientAuth", "yes");
        assertThatThrownBy(() -> HttpTransport.fromProperties(p, "parley.http."))
                .hasMessage("parley.http.serverTls.requireClientAuth: 'yes': expected: true or false");
        p.setProperty("parley.http.serverTls.requireClientAuth", "true");
        p.setProperty("parley.http.clientTls.pinning", "on");
        assertThatThrownBy(() -> HttpTransport.fromProperties(p, "parley.http.")).hasMessageStartingWith("parley.http.clientTls.pinning: 'on': unknown TLS setting");
    }
}
