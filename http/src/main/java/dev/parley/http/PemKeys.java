package dev.parley.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Private keys and certificate chains from PEM files with the JDK alone (no BouncyCastle), so
 * that what a {@link TlsSettings} accepts does not depend on the class path. Accepted keys:
 *
 * <table>
 *   <caption>PEM private key forms</caption>
 *   <tr><th>PEM label</th><th>content</th></tr>
 *   <tr><td>{@code PRIVATE KEY}</td><td>PKCS#8: RSA, RSASSA-PSS, EC, Ed25519, Ed448, DSA</td></tr>
 *   <tr><td>{@code ENCRYPTED PRIVATE KEY}</td><td>PKCS#8 encrypted with a password (PBES2 as OpenSSL 3 writes it, or the
 *       PBES1 schemes the JDK knows), needs {@code privateKeyPassword}</td></tr>
 *   <tr><td>{@code RSA PRIVATE KEY}</td><td>PKCS#1 RSA (OpenSSL's "traditional" form), unencrypted</td></tr>
 *   <tr><td>{@code EC PRIVATE KEY}</td><td>SEC 1 EC with named-curve parameters, unencrypted; an {@code EC PARAMETERS}
 *       block before it is skipped</td></tr>
 * </table>
 *
 * PKCS#1 and SEC 1 keys are rewrapped as PKCS#8 (an AlgorithmIdentifier around the same bytes).
 * Traditional keys encrypted with {@code Proc-Type: 4,ENCRYPTED} headers (MD5-based, weak) are
 * refused with the command that converts them. Every failure is an {@link IllegalArgumentException}
 * whose message names the file and what is wrong with it.
 */
final class PemKeys {

    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");

    // DER of the algorithm OIDs (value bytes only).
    private static final byte[] RSA = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] RSA_PSS = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x0a};
    private static final byte[] EC = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] ED25519 = {0x2b, 0x65, 0x70};
    private static final byte[] ED448 = {0x2b, 0x65, 0x71};
    private static final byte[] DSA = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x38, 0x04, 0x01};

    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int NULL = 0x05;
    private static final int OID = 0x06;

    private PemKeys() {}

    /**
     * The private key in {@code file}, decrypted with {@code password} when it is encrypted (a
     * password for a key that is not encrypted is ignored, as OpenSSL does).
     *
     * @throws IllegalArgumentException {@code privateKey <file>: <what is wrong> (expected: ...)}
     */
    static PrivateKey privateKey(Path file, char @Nullable [] password) {
        String what = "privateKey " + file + ": ";
        String text = read(file, what);
        Matcher begin = BEGIN.matcher(text);
        String label = null;
        List<String> others = new ArrayList<>();
        while (begin.find()) {
            if (begin.group(1).endsWith("PRIVATE KEY")) {
                label = begin.group(1);
                break;
            }
            others.add(begin.group(1));
        }
        if (label == null) {
            throw new IllegalArgumentException(what + (others.isEmpty() ? "not PEM (no -----BEGIN ... PRIVATE KEY----- line)"
                    : "no private key in it (found " + String.join(", ", others) + ")")
                    + " (expected: a PEM private key: PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        String end = "-----END " + label + "-----";
        int endAt = text.indexOf(end, begin.end());
        if (endAt < 0) {
            throw new IllegalArgumentException(what + "no '" + end + "' line: the file is truncated (expected: a complete PEM block)");
        }
        String body = text.substring(begin.end(), endAt);
        if (body.contains("Proc-Type:") || body.contains("DEK-Info:")) {
            throw new IllegalArgumentException(what + "a " + label + " encrypted the legacy OpenSSL way (Proc-Type: 4,ENCRYPTED) "
                    + "(expected: PKCS#8; convert with 'openssl pkcs8 -topk8 -in <old> -out <new>', which asks for a new password)");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + "the " + label + " block is not valid base64: " + e.getMessage()
                    + " (expected: the base64 of the key between the BEGIN and END lines)", e);
        }
        if (der.length == 0) {
            throw new IllegalArgumentException(what + "the " + label + " block is empty (expected: the base64 of the key)");
        }
        try {
            return switch (label) {
                case "PRIVATE KEY" -> pkcs8(der, what);
                case "ENCRYPTED PRIVATE KEY" -> pkcs8(decrypt(der, password, what), what);
                case "RSA PRIVATE KEY" -> pkcs8(wrap(sequence(tlv(OID, RSA), tlv(NULL)), der), what);
                case "EC PRIVATE KEY" -> pkcs8(wrap(sequence(tlv(OID, EC), ecCurve(der, what)), der), what);
                default -> throw new IllegalArgumentException(what + "unsupported PEM block '" + label
                        + "' (expected: PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
            };
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /**
     * The certificates in a PEM file, leaf first.
     *
     * @throws IllegalArgumentException {@code certificateChain <file>: <what is wrong>}
     */
    static X509Certificate[] certificates(Path file) {
        String what = "certificateChain " + file + ": ";
        Collection<? extends Certificate> read;
        try (InputStream in = Files.newInputStream(file)) {
            read = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + "cannot read it: " + e, e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(what + "not a valid PEM certificate chain: " + e.getMessage()
                    + " (expected: -----BEGIN CERTIFICATE----- blocks, leaf first)", e);
        }
        if (read.isEmpty()) {
            throw new IllegalArgumentException(what + "no certificate in it (expected: -----BEGIN CERTIFICATE----- blocks, leaf first)");
        }
        return read.stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
    }

    private static String read(Path file, String what) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > 1024 * 1024) {
                throw new IllegalArgumentException(what + bytes.length + " bytes (expected: a PEM key file, far below 1 MiB)");
            }
            return new String(bytes, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + "cannot read it: " + e, e);
        }
    }

    private static byte[] decrypt(byte[] der, char @Nullable [] password, String what) {
        if (password == null || password.length == 0) {
            throw new IllegalArgumentException(what + "the key is encrypted (expected: its password as privateKeyPassword)");
        }
        EncryptedPrivateKeyInfo info;
        try {
            info = new EncryptedPrivateKeyInfo(der);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(what + "the ENCRYPTED PRIVATE KEY block is not a PKCS#8 EncryptedPrivateKeyInfo: "
                    + e.getMessage() + " (expected: what 'openssl pkcs8 -topk8' writes)", e);
        }
        SecretKey secret;
        try {
            secret = SecretKeyFactory.getInstance(info.getAlgName()).generateSecret(new PBEKeySpec(password));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + "the key is encrypted with " + info.getAlgName() + ", which this JDK cannot decrypt: "
                    + e.getMessage() + " (expected: PBES2 with PBKDF2 and AES, OpenSSL's default)", e);
        }
        try {
            // A wrong password shows as bad padding, or, one time in a few hundred, as a decryption to garbage.
            return info.getKeySpec(secret).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + "cannot decrypt the key with the privateKeyPassword given "
                    + "(expected: the password the key was encrypted with)", e);
        }
    }

    private static PrivateKey pkcs8(byte[] der, String what) {
        String algorithm = algorithm(der, what);
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + "not a valid " + algorithm + " private key: " + e.getMessage()
                    + " (expected: an intact key file)", e);
        }
    }

    /** The JDK algorithm of a PKCS#8 PrivateKeyInfo, from its AlgorithmIdentifier. */
    private static String algorithm(byte[] der, String what) {
        try {
            Der info = new Der(der, 0, der.length).enter(SEQUENCE, "PrivateKeyInfo");
            info.skip(INTEGER, "version");
            Der id = info.enter(SEQUENCE, "AlgorithmIdentifier");
            byte[] oid = id.value(OID, "algorithm");
            if (Arrays.equals(oid, RSA)) {
                return "RSA";
            } else if (Arrays.equals(oid, RSA_PSS)) {
                return "RSASSA-PSS";
            } else if (Arrays.equals(oid, EC)) {
                return "EC";
            } else if (Arrays.equals(oid, ED25519)) {
                return "Ed25519";
            } else if (Arrays.equals(oid, ED448)) {
                return "Ed448";
            } else if (Arrays.equals(oid, DSA)) {
                return "DSA";
            }
            throw new IllegalArgumentException(what + "a key of algorithm " + dotted(oid)
                    + " (expected: RSA, RSASSA-PSS, EC, Ed25519, Ed448 or DSA)");
        } catch (MalformedDer e) {
            throw new IllegalArgumentException(what + "the key is not valid DER: " + e.getMessage() + " (expected: an intact key file)");
        }
    }

    /** The named-curve OID (whole TLV) of a SEC 1 ECPrivateKey: {@code SEQUENCE { 1, OCTET STRING, [0] OID, [1] BIT STRING }}. */
    private static byte[] ecCurve(byte[] der, String what) {
        try {
            Der key = new Der(der, 0, der.length).enter(SEQUENCE, "ECPrivateKey");
            key.skip(INTEGER, "version");
            key.skip(OCTET_STRING, "privateKey");
            if (key.atEnd() || key.peekTag() != 0xa0) {
                throw new IllegalArgumentException(what + "the EC PRIVATE KEY does not name its curve (expected: a key with "
                        + "named-curve parameters, as 'openssl ecparam -genkey' writes; or PKCS#8)");
            }
            Der parameters = key.enter(0xa0, "parameters");
            int start = parameters.pos;
            parameters.skip(OID, "namedCurve");
            return Arrays.copyOfRange(der, start, parameters.pos);
        } catch (MalformedDer e) {
            throw new IllegalArgumentException(what + "the EC PRIVATE KEY is not valid DER: " + e.getMessage()
                    + " (expected: an intact key file)");
        }
    }

    /** PKCS#8 PrivateKeyInfo {@code SEQUENCE { 0, algorithm, OCTET STRING key }}. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        return sequence(tlv(INTEGER, new byte[] {0}), algorithm, tlv(OCTET_STRING, key));
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        return tlv(SEQUENCE, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte... value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static String dotted(byte[] oid) {
        if (oid.length == 0) {
            return "(empty OID)";
        }
        StringBuilder s = new StringBuilder();
        s.append((oid[0] & 0xff) / 40).append('.').append((oid[0] & 0xff) % 40);
        long v = 0;
        for (int i = 1; i < oid.length; i++) {
            v = (v << 7) | (oid[i] & 0x7f);
            if ((oid[i] & 0x80) == 0) {
                s.append('.').append(v);
                v = 0;
            }
        }
        return s.toString();
    }

    private static final class MalformedDer extends Exception {
        MalformedDer(String message) {
            super(message, null, false, false);
        }
    }

    /** A cursor over DER elements between {@code pos} and {@code end}, checked against the bounds. */
    private static final class Der {
        private final byte[] der;
        int pos;
        private final int end;

        Der(byte[] der, int pos, int end) {
            this.der = der;
            this.pos = pos;
            this.end = end;
        }

        boolean atEnd() {
            return pos >= end;
        }

        int peekTag() {
            return der[pos] & 0xff;
        }

        /** The element's content, as a cursor; moves past the element. */
        Der enter(int tag, String name) throws MalformedDer {
            int[] content = element(tag, name);
            return new Der(der, content[0], content[1]);
        }

        byte[] value(int tag, String name) throws MalformedDer {
            int[] content = element(tag, name);
            return Arrays.copyOfRange(der, content[0], content[1]);
        }

        void skip(int tag, String name) throws MalformedDer {
            element(tag, name);
        }

        private int[] element(int tag, String name) throws MalformedDer {
            if (pos + 2 > end) {
                throw new MalformedDer(name + " missing at byte " + pos);
            }
            int actual = der[pos] & 0xff;
            if (actual != tag) {
                throw new MalformedDer(name + ": tag 0x" + Integer.toHexString(actual) + " at byte " + pos + " (expected 0x"
                        + Integer.toHexString(tag) + ")");
            }
            int p = pos + 1;
            int length = der[p++] & 0xff;
            if (length >= 0x80) {
                int bytes = length & 0x7f;
                if (bytes == 0 || bytes > 3 || p + bytes > end) {
                    throw new MalformedDer(name + ": bad length at byte " + (pos + 1));
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[p++] & 0xff);
                }
            }
            if (length > end - p) {
                throw new MalformedDer(name + ": " + length + " bytes at byte " + pos + ", past the end (truncated?)");
            }
            pos = p + length;
            return new int[] {p, p + length};
        }
    }
}
