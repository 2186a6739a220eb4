package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private keys in every PEM form OpenSSL writes, made by {@code openssl} at test time: each one
 * serves a real TLS handshake; a wrong password and broken files fail the build with a message
 * naming the file.
 */
class PemKeyFormsTest {

    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static final String PASSWORD = "k3y-pass";

    @TempDir
    static Path dir;

    private static Path rsaCert;
    private static Path rsaPkcs8;
    private static Path ecCert;
    private static Path ecPkcs8;

    @BeforeAll
    static void keys() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(OPENSSL), "needs /usr/bin/openssl to make keys in OpenSSL's formats");
        rsaPkcs8 = dir.resolve("rsa.pkcs8.pem");
        rsaCert = dir.resolve("rsa.crt");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", rsaPkcs8, "-out", rsaCert, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        ecPkcs8 = dir.resolve("ec.pkcs8.pem");
        ecCert = dir.resolve("ec.crt");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ecPkcs8, "-out", ecCert,
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        assertThat(Files.readString(rsaPkcs8)).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    private static void openssl(Object... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(OPENSSL.toString());
        for (Object a : args) {
            command.add(a.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + output);
        }
    }

    private static Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /** Serves TLS with the key and certificate, and completes a handshake with a JDK client trusting the certificate. */
    private static void handshake(Path cert, Path key, char[] password) throws Exception {
        TlsSettings.Builder settings = TlsSettings.custom().certificateChain(cert).privateKey(key);
        if (password != null) {
            settings.privateKeyPassword(password);
        }
        try (HttpTransport server = HttpTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(settings.build()).build()) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            Certificate certificate;
            try (var in = Files.newInputStream(cert)) {
                certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            trust.setCertificateEntry("server", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(certificate);
            }
        }
    }

    private static IllegalArgumentException buildFails(Path cert, Path key, char[] password) {
        TlsSettings.Builder settings = TlsSettings.custom().certificateChain(cert).privateKey(key);
        if (password != null) {
            settings.privateKeyPassword(password);
        }
        TlsSettings tls = settings.build();
        IllegalArgumentException e = (IllegalArgumentException) org.assertj.core.api.Assertions.catchThrowable(
                () -> HttpTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(tls).build().close());
        assertThat(e).as("the build fails with an IllegalArgumentException").isNotNull();
        assertThat(e.getMessage()).startsWith("serverTls: privateKey " + key + ": ").endsWith(" for HttpTransport");
        return e;
    }

    @Test
    void unencryptedPkcs8AsBefore() throws Exception {
        handshake(rsaCert, rsaPkcs8, null);
        handshake(ecCert, ecPkcs8, null);
        // A password for a key that is not encrypted is ignored, as OpenSSL does.
        handshake(ecCert, ecPkcs8, PASSWORD.toCharArray());
    }

    @Test
    void encryptedPkcs8WithItsPassword() throws Exception {
        Path rsa = dir.resolve("rsa.enc.pem");
        openssl("pkcs8", "-topk8", "-in", rsaPkcs8, "-out", rsa, "-passout", "pass:" + PASSWORD);
        assertThat(Files.readString(rsa)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        handshake(rsaCert, rsa, PASSWORD.toCharArray());
        Path ec = dir.resolve("ec.enc.pem");
        openssl("pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA512", "-in", ecPkcs8, "-out", ec, "-passout",
                "pass:" + PASSWORD);
        handshake(ecCert, ec, PASSWORD.toCharArray());
    }

    @Test
    void pkcs1RsaAndSec1EcKeys() throws Exception {
        Path rsa = dir.resolve("rsa.pkcs1.pem");
        openssl("rsa", "-in", rsaPkcs8, "-traditional", "-out", rsa);
        assertThat(Files.readString(rsa)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        handshake(rsaCert, rsa, null);
        Path ec = dir.resolve("ec.sec1.pem");
        openssl("ec", "-in", ecPkcs8, "-out", ec);
        assertThat(Files.readString(ec)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        handshake(ecCert, ec, null);
        // 'openssl ecparam -genkey' puts an EC PARAMETERS block first.
        Path withParameters = file("ec.params.pem", "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + Files.readString(ec));
        handshake(ecCert, withParameters, null);
    }

    @Test
    void edwardsCurveKeysLoad() throws Exception {
        Path key = dir.resolve("ed25519.pem");
        Path cert = dir.resolve("ed25519.crt");
        openssl("req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost");
        TlsSettings tls = TlsSettings.custom().certificateChain(cert).privateKey(key).build();
        HttpTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(tls).build().close();
    }

    @Test
    void aWrongOrMissingPasswordIsNamed() throws Exception {
        Path key = dir.resolve("wrong.enc.pem");
        openssl("pkcs8", "-topk8", "-in", ecPkcs8, "-out", key, "-passout", "pass:" + PASSWORD);
        assertThat(buildFails(ecCert, key, "not-the-password".toCharArray()))
                .hasMessageContaining("cannot decrypt the key with the privateKeyPassword given (expected: the password the key was encrypted with)");
        assertThat(buildFails(ecCert, key, null))
                .hasMessageContaining("the key is encrypted (expected: its password as privateKeyPassword)");
        // The same through the RPC-independent client side.
        TlsSettings client = TlsSettings.custom().certificateChain(ecCert).privateKey(key).privateKeyPassword("nope".toCharArray()).build();
        assertThatThrownBy(() -> HttpTransport.builder().target("https://127.0.0.1:1").clientTls(client).build())
                .hasMessageStartingWith("clientTls: privateKey " + key + ": cannot decrypt");
    }

    @Test
    void legacyEncryptedPemIsRefusedWithTheCommandThatConvertsIt() throws Exception {
        Path key = dir.resolve("legacy.enc.pem");
        openssl("rsa", "-in", rsaPkcs8, "-traditional", "-aes256", "-passout", "pass:" + PASSWORD, "-out", key);
        assertThat(buildFails(rsaCert, key, PASSWORD.toCharArray()))
                .hasMessageContaining("Proc-Type: 4,ENCRYPTED").hasMessageContaining("openssl pkcs8 -topk8");
    }

    @Test
    void brokenFilesAreNamedWithWhatIsWrong() throws Exception {
        String good = Files.readString(rsaPkcs8);
        Path truncated = file("truncated.pem", good.substring(0, good.length() / 2));
        assertThat(buildFails(rsaCert, truncated, null)).hasMessageContaining("no '-----END PRIVATE KEY-----' line: the file is truncated");

        String[] lines = good.split("\n");
        Path shortened = file("shortened.pem", lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n" + lines[lines.length - 1] + "\n");
        assertThat(buildFails(rsaCert, shortened, null)).hasMessageContaining("the key is not valid DER")
                .hasMessageContaining("past the end (truncated?)");

        Path badBase64 = file("bad64.pem", "-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n");
        assertThat(buildFails(rsaCert, badBase64, null)).hasMessageContaining("the PRIVATE KEY block is not valid base64");

        Path noise = file("noise.pem", "-----BEGIN RSA PRIVATE KEY-----\nAAECAwQFBgcICQoLDA0ODw==\n-----END RSA PRIVATE KEY-----\n");
        assertThat(buildFails(rsaCert, noise, null)).hasMessageContaining("not a valid RSA private key");

        Path empty = file("empty.pem", "-----BEGIN EC PRIVATE KEY-----\n-----END EC PRIVATE KEY-----\n");
        assertThat(buildFails(ecCert, empty, null)).hasMessageContaining("the EC PRIVATE KEY block is empty");

        Path garbage = file("garbage.pem", "\u0000\u0001binary\u00ff garbage");
        assertThat(buildFails(rsaCert, garbage, null)).hasMessageContaining("not PEM");

        assertThat(buildFails(rsaCert, rsaCert, null)).hasMessageContaining("no private key in it (found CERTIFICATE)");

        Path encryptedNoise = file("encnoise.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAMCAQA=\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThat(buildFails(rsaCert, encryptedNoise, "x".toCharArray())).hasMessageContaining("not a PKCS#8 EncryptedPrivateKeyInfo");
    }

    @Test
    void aBrokenCertificateChainIsNamed() throws Exception {
        Path chain = file("broken.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        TlsSettings tls = TlsSettings.custom().certificateChain(chain).privateKey(rsaPkcs8).build();
        assertThatThrownBy(() -> HttpTransport.builder().server(0).bindAddress("127.0.0.1").serverTls(tls).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("serverTls: certificateChain " + chain + ": not a valid PEM certificate chain");
    }

    @Test
    void thePasswordComesFromPropertiesAndNeedsAKeyFile() throws Exception {
        Path key = dir.resolve("props.enc.pem");
        openssl("pkcs8", "-topk8", "-in", ecPkcs8, "-out", key, "-passout", "pass:" + PASSWORD);
        Properties p = new Properties();
        p.setProperty("h.server", "0");
        p.setProperty("h.bindAddress", "127.0.0.1");
        p.setProperty("h.serverTls.certificateChain", ecCert.toString());
        p.setProperty("h.serverTls.privateKey", key.toString());
        p.setProperty("h.serverTls.privateKeyPassword", PASSWORD);
        HttpTransport.fromProperties(p, "h.").build().close();
        assertThatThrownBy(() -> TlsSettings.custom().privateKeyPassword("x".toCharArray()).build())
                .hasMessageContaining("privateKeyPassword is set without privateKey");
        assertThat(TlsSettings.custom().certificateChain(ecCert).privateKey(key).privateKeyPassword("x".toCharArray()).build().toString())
                .contains("(with a password)").doesNotContain("x,");
    }
}
