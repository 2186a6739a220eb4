package dev.parley.rpc;

import dev.parley.http.TlsSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
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

/** A test CA with a server certificate (for 127.0.0.1 and localhost), a client certificate, and a self-signed stranger, as PEM files. */
final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    final Path caPem;
    final Path serverChain;
    final Path serverKey;
    final Path clientChain;
    final Path clientKey;
    final Path strangerChain;
    final Path strangerKey;
    private final X509Certificate ca;
    private final X509Certificate server;
    private final KeyPair serverKeys;
    private final X509Certificate client;
    private final KeyPair clientKeys;

    private TestPki(Path dir) throws GeneralSecurityException, IOException, OperatorCreationException {
        KeyPair caKeys = keyPair();
        X500Name caName = new X500Name("CN=Parley RPC Test CA");
        ca = certificate(caName, caKeys.getPublic(), caName, caKeys.getPrivate(), true);
        serverKeys = keyPair();
        server = certificate(new X500Name("CN=localhost"), serverKeys.getPublic(), caName, caKeys.getPrivate(), false,
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost"));
        clientKeys = keyPair();
        client = certificate(new X500Name("CN=rider-app"), clientKeys.getPublic(), caName, caKeys.getPrivate(), false);
        KeyPair strangerKeys = keyPair();
        X500Name strangerName = new X500Name("CN=stranger");
        X509Certificate stranger = certificate(strangerName, strangerKeys.getPublic(), strangerName, strangerKeys.getPrivate(), false,
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        caPem = Files.writeString(dir.resolve("ca.crt"), pem("CERTIFICATE", ca.getEncoded()));
        serverChain = Files.writeString(dir.resolve("server.crt"), pem("CERTIFICATE", server.getEncoded()));
        serverKey = Files.writeString(dir.resolve("server.key"), pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
        clientChain = Files.writeString(dir.resolve("client.crt"), pem("CERTIFICATE", client.getEncoded()));
        clientKey = Files.writeString(dir.resolve("client.key"), pem("PRIVATE KEY", clientKeys.getPrivate().getEncoded()));
        strangerChain = Files.writeString(dir.resolve("stranger.crt"), pem("CERTIFICATE", stranger.getEncoded()));
        strangerKey = Files.writeString(dir.resolve("stranger.key"), pem("PRIVATE KEY", strangerKeys.getPrivate().getEncoded()));
    }

    static TestPki create(Path dir) {
        try {
            return new TestPki(dir);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the test PKI in " + dir, e);
        }
    }

    TlsSettings.Builder server() {
        return TlsSettings.custom().certificateChain(serverChain).privateKey(serverKey);
    }

    TlsSettings.Builder client() {
        return TlsSettings.custom().certificateChain(clientChain).privateKey(clientKey).trustedCertificates(caPem);
    }

    /** A PKCS#12 key store (loaded, as a user would load it from a file) with the server's key and chain, under {@code password}. */
    KeyStore serverKeyStore(char[] password) {
        return keyStore(serverKeys.getPrivate(), server, password);
    }

    /** A PKCS#12 key store with the client's key and chain, under {@code password}. */
    KeyStore clientKeyStore(char[] password) {
        return keyStore(clientKeys.getPrivate(), client, password);
    }

    /** The server's key as an encrypted PKCS#8 PEM file ({@code BEGIN ENCRYPTED PRIVATE KEY}, PBES2 with AES-256), as OpenSSL writes it. */
    Path encryptedServerKey(Path dir, char[] password) {
        try {
            String algorithm = "PBEWithHmacSHA256AndAES_256";
            byte[] salt = new byte[16];
            byte[] iv = new byte[16];
            java.security.SecureRandom random = new java.security.SecureRandom();
            random.nextBytes(salt);
            random.nextBytes(iv);
            javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance(algorithm);
            cipher.init(javax.crypto.Cipher.ENCRYPT_MODE,
                    javax.crypto.SecretKeyFactory.getInstance(algorithm).generateSecret(new javax.crypto.spec.PBEKeySpec(password)),
                    new javax.crypto.spec.PBEParameterSpec(salt, 10_000, new javax.crypto.spec.IvParameterSpec(iv)));
            java.security.AlgorithmParameters pbes2 = java.security.AlgorithmParameters.getInstance("PBES2");
            pbes2.init(cipher.getParameters().getEncoded());
            byte[] der = new javax.crypto.EncryptedPrivateKeyInfo(pbes2, cipher.doFinal(serverKeys.getPrivate().getEncoded())).getEncoded();
            return Files.writeString(dir.resolve("server.enc.key"), pem("ENCRYPTED PRIVATE KEY", der));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#12 trust store holding the test CA. */
    KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            return reload(store, "trust".toCharArray());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private KeyStore keyStore(PrivateKey key, X509Certificate certificate, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, password, new Certificate[] {certificate, ca});
            return reload(store, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Through the PKCS#12 encoding and back, so that the test uses what a .p12 file gives. */
    private static KeyStore reload(KeyStore store, char[] password) throws GeneralSecurityException, IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        store.store(bytes, password);
        KeyStore loaded = KeyStore.getInstance("PKCS12");
        loaded.load(new ByteArrayInputStream(bytes.toByteArray()), password);
        return loaded;
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(X500Name subject, PublicKey key, X500Name issuer, PrivateKey issuerKey, boolean ca,
                                               GeneralName... names) throws GeneralSecurityException, IOException, OperatorCreationException {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, key);
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
}
