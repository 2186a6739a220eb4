package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PEM key forms with keys made by the JDK alone (no {@code openssl} needed): each file gives
 * back exactly the key that was written. {@link PemKeyFormsTest} covers OpenSSL's own files and TLS.
 */
class PemKeysJdkTest {

    @TempDir
    Path dir;

    private Path pem(String name, String label, byte[] der) throws Exception {
        return Files.writeString(dir.resolve(name), "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + label + "-----\n");
    }

    /** The inner key of a PKCS#8 PrivateKeyInfo as the JDK writes it: the OCTET STRING after the AlgorithmIdentifier. */
    private static byte[] innerKey(byte[] pkcs8) {
        int p = 1 + lengthBytes(pkcs8, 1); // into the outer SEQUENCE
        p += 3; // INTEGER 0
        p += 1 + lengthBytes(pkcs8, p + 1) + length(pkcs8, p + 1); // skip the AlgorithmIdentifier
        int content = p + 1 + lengthBytes(pkcs8, p + 1);
        return Arrays.copyOfRange(pkcs8, content, content + length(pkcs8, p + 1));
    }

    private static int lengthBytes(byte[] der, int at) {
        return (der[at] & 0x80) == 0 ? 1 : 1 + (der[at] & 0x7f);
    }

    private static int length(byte[] der, int at) {
        if ((der[at] & 0x80) == 0) {
            return der[at];
        }
        int n = 0;
        for (int i = 1; i <= (der[at] & 0x7f); i++) {
            n = (n << 8) | (der[at + i] & 0xff);
        }
        return n;
    }

    @Test
    void pkcs1RsaIsTheSameKeyAsItsPkcs8Form() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PrivateKey key = generator.generateKeyPair().getPrivate();
        assertThat(PemKeys.privateKey(pem("k8.pem", "PRIVATE KEY", key.getEncoded()), null)).isEqualTo(key);
        assertThat(PemKeys.privateKey(pem("k1.pem", "RSA PRIVATE KEY", innerKey(key.getEncoded())), null)).isEqualTo(key);
    }

    @Test
    void sec1EcNeedsItsCurve() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair pair = generator.generateKeyPair();
        // The JDK's inner ECPrivateKey has no [0] parameters, unlike OpenSSL's: refused with the reason.
        Path noCurve = pem("ec.pem", "EC PRIVATE KEY", innerKey(pair.getPrivate().getEncoded()));
        assertThatThrownBy(() -> PemKeys.privateKey(noCurve, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("privateKey " + noCurve + ": the EC PRIVATE KEY does not name its curve");
        assertThat(PemKeys.privateKey(pem("ec8.pem", "PRIVATE KEY", pair.getPrivate().getEncoded()), null)).isEqualTo(pair.getPrivate());
    }

    @Test
    void encryptedPkcs8WithPbes2() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        PrivateKey key = generator.generateKeyPair().getPrivate();
        char[] password = "s3cret".toCharArray();
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        new SecureRandom().nextBytes(salt);
        new SecureRandom().nextBytes(iv);
        String algorithm = "PBEWithHmacSHA256AndAES_256";
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(Cipher.ENCRYPT_MODE, SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password)),
                new PBEParameterSpec(salt, 10_000, new IvParameterSpec(iv)));
        // Named by the PBES2 OID, as OpenSSL writes it (the JDK has no OID for the cipher's own name).
        AlgorithmParameters pbes2 = AlgorithmParameters.getInstance("PBES2");
        pbes2.init(cipher.getParameters().getEncoded());
        byte[] encrypted = new EncryptedPrivateKeyInfo(pbes2, cipher.doFinal(key.getEncoded())).getEncoded();
        Path file = pem("enc.pem", "ENCRYPTED PRIVATE KEY", encrypted);
        assertThat(PemKeys.privateKey(file, password)).isEqualTo(key);
        assertThatThrownBy(() -> PemKeys.privateKey(file, "wrong".toCharArray()))
                .hasMessage("privateKey " + file + ": cannot decrypt the key with the privateKeyPassword given "
                        + "(expected: the password the key was encrypted with)");
        assertThatThrownBy(() -> PemKeys.privateKey(file, new char[0])).hasMessageContaining("the key is encrypted");
    }

    @Test
    void hostileDerIsRefusedWithoutReadingPastTheEnd() throws Exception {
        byte[][] hostile = {
                {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // 4-byte length of 2 GiB
                {0x30, (byte) 0x82, 0x10, 0x00, 0x02, 0x01, 0x00}, // length past the end
                {0x30, 0x03, 0x02, 0x01, 0x00}, // no AlgorithmIdentifier
                {0x30, 0x07, 0x02, 0x01, 0x00, 0x30, 0x02, 0x06, 0x00}, // empty OID
                {0x04, 0x00}, // not a SEQUENCE
                {0x30, (byte) 0x80, 0x00, 0x00}, // indefinite length (BER, not DER)
        };
        for (int i = 0; i < hostile.length; i++) {
            Path file = pem("hostile" + i + ".pem", "PRIVATE KEY", hostile[i]);
            assertThatThrownBy(() -> PemKeys.privateKey(file, null)).as("case %d", i).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("privateKey " + file + ": ");
        }
        Path unknown = pem("unknown.pem", "PRIVATE KEY",
                new byte[] {0x30, 0x0b, 0x02, 0x01, 0x00, 0x30, 0x03, 0x06, 0x01, 0x2a, 0x04, 0x01, 0x00});
        assertThatThrownBy(() -> PemKeys.privateKey(unknown, null)).hasMessageContaining("a key of algorithm 1.2 (expected: RSA");
    }
}
