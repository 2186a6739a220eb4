package dev.parley.net;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * An SSRF-safe POST client for URLs someone else chose (webhook endpoints, async-operation
 * callbacks): one HTTP/1.1 POST per call, to an address checked by the
 * {@link SsrfPolicy}. The host is resolved once, every address is checked, and the socket
 * connects to that checked address (the JDK's {@code HttpClient} resolves again on its own,
 * which is why this client opens its sockets itself); for https the TLS handshake still
 * verifies the certificate against the URL's host name (SNI and endpoint identification).
 * Redirects are never followed: a 3xx is returned like any other status. The connect and the
 * whole request are bounded by timeouts, so a receiver that drips bytes cannot hold a worker.
 *
 * <p>Every request uses its own connection ({@code connection: close}): such targets are
 * many and each gets a message now and then, so pooling buys little and an idle pool would pin
 * addresses past their check. Blocking I/O: call it from virtual threads. Thread-safe.
 */
public final class GuardedHttpClient {

    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private final SsrfPolicy policy;
    private final HostResolver resolver;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int snippetBytes;
    private final @Nullable SSLContext ssl;

    private GuardedHttpClient(Builder b) {
        this.policy = b.policy;
        this.resolver = b.resolver;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.snippetBytes = b.snippetBytes;
        this.ssl = b.ssl;
    }

    /** Public addresses only, the JVM's resolver and TLS context, 5 s connect and 15 s request timeouts. */
    public static Builder builder() {
        return new Builder();
    }

    /** The policy every {@link #post} is checked against. */
    public SsrfPolicy policy() {
        return policy;
    }

    /**
     * POSTs {@code body} to {@code url}. Throws {@link UnsafeTargetException} before connecting
     * when the policy refuses the URL, and {@link IOException} when the connection fails or times
     * out; any HTTP answer, 3xx and 5xx included, is a result.
     */
    public HttpResult post(URI url, Map<String, String> headers, byte[] body) throws IOException {
        long start = System.nanoTime();
        long deadline = start + requestTimeout.toNanos();
        SsrfPolicy.Target target = policy.target(url, resolver);
        byte[] head = requestHead(target, headers, body.length);
        Socket raw = new Socket();
        try (Socket socket = open(raw, target, deadline)) {
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.write(body);
            out.flush();
            return readResponse(socket, deadline, start);
        } finally {
            raw.close();
        }
    }

    private Socket open(Socket raw, SsrfPolicy.Target target, long deadline) throws IOException {
        raw.setTcpNoDelay(true);
        int connectMillis = (int) Math.max(1, Math.min(connectTimeout.toMillis(), remainingMillis(deadline)));
        raw.connect(new InetSocketAddress(target.address(), target.port()), connectMillis);
        raw.setSoTimeout(remainingMillis(deadline));
        if (!target.tls()) {
            return raw;
        }
        String name = target.sniHost() != null ? target.sniHost() : target.address().getHostAddress();
        SSLContext context;
        try {
            context = ssl != null ? ssl : SSLContext.getDefault(); // loading the trust store costs, so only when needed
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no default TLS context in this JVM", e);
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, name, target.port(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (target.sniHost() != null) {
            params.setServerNames(List.of(new SNIHostName(target.sniHost())));
        }
        params.setApplicationProtocols(new String[] {"http/1.1"});
        tls.setSSLParameters(params);
        tls.startHandshake();
        return tls;
    }

    private static byte[] requestHead(SsrfPolicy.Target target, Map<String, String> headers, int length) {
        StringBuilder s = new StringBuilder(256);
        s.append("POST ").append(target.requestTarget()).append(" HTTP/1.1\r\n");
        s.append("host: ").append(target.hostHeader()).append("\r\n");
        headers.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("host") || lower.equals("content-length") || lower.equals("connection") || lower.equals("transfer-encoding")) {
                return;
            }
            if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+") || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + ": not a valid HTTP header name or value");
            }
            s.append(name).append(": ").append(value).append("\r\n");
        });
        s.append("content-length: ").append(length).append("\r\n");
        s.append("connection: close\r\n\r\n");
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private HttpResult readResponse(Socket socket, long deadline, long start) throws IOException {
        DeadlineInput in = new DeadlineInput(socket, deadline);
        int status;
        while (true) {
            String statusLine = in.line();
            while (statusLine.isEmpty()) {
                statusLine = in.line();
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[0-9]{3}")) {
                throw new IOException("malformed status line: " + truncate(statusLine, 80));
            }
            status = Integer.parseInt(parts[1]);
            if (status >= 200 || status < 100) {
                break;
            }
            // 100 Continue and other interim responses: skip their headers, the final one follows
            while (!in.line().isEmpty()) {
                // interim header
            }
        }
        Map<String, String> headers = new HashMap<>();
        String line;
        while (!(line = in.line()).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        String snippet = snippet(in, headers);
        return new HttpResult(status, headers, snippet, latency);
    }

    private String snippet(DeadlineInput in, Map<String, String> headers) {
        if (snippetBytes == 0) {
            return "";
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
                while (bytes.size() < snippetBytes) {
                    String sizeLine = in.line();
                    int semi = sizeLine.indexOf(';');
                    int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    bytes.write(in.bytes(Math.min(size, snippetBytes - bytes.size())));
                    if (bytes.size() >= snippetBytes) {
                        break;
                    }
                    in.line();
                }
            } else {
                long length = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : Long.MAX_VALUE;
                bytes.write(in.bytesUpTo((int) Math.min(length, snippetBytes)));
            }
        } catch (IOException | NumberFormatException e) {
            // The status decided the outcome; a body cut short only shortens the log snippet.
        }
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("request timeout");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** Reads from a socket, renewing the read timeout to what is left of the request's deadline. */
    private static final class DeadlineInput {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int limit;
        private int headBytes;

        DeadlineInput(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        private boolean fill() throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            int n = in.read(buf);
            if (n < 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }

        String line() throws IOException {
            StringBuilder s = new StringBuilder();
            while (true) {
                if (pos == limit && !fill()) {
                    throw new EOFException("connection closed in the response head");
                }
                byte b = buf[pos++];
                if (++headBytes > MAX_HEAD_BYTES) {
                    throw new IOException("response head over " + MAX_HEAD_BYTES + " bytes");
                }
                if (b == '\n') {
                    int len = s.length();
                    return len > 0 && s.charAt(len - 1) == '\r' ? s.substring(0, len - 1) : s.toString();
                }
                s.append((char) (b & 0xff));
            }
        }

        byte[] bytes(int n) throws IOException {
            byte[] out = new byte[n];
            int got = 0;
            while (got < n) {
                if (pos == limit && !fill()) {
                    throw new EOFException("connection closed in the body");
                }
                int take = Math.min(n - got, limit - pos);
                System.arraycopy(buf, pos, out, got, take);
                pos += take;
                got += take;
            }
            return out;
        }

        byte[] bytesUpTo(int n) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (out.size() < n) {
                if (pos == limit && !fill()) {
                    break;
                }
                int take = Math.min(n - out.size(), limit - pos);
                out.write(buf, pos, take);
                pos += take;
            }
            return out.toByteArray();
        }
    }

    /** Settings of a {@link GuardedHttpClient}. */
    public static final class Builder {
        private SsrfPolicy policy = SsrfPolicy.strict();
        private HostResolver resolver = HostResolver.system();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(15);
        private int snippetBytes = 1024;
        private @Nullable SSLContext ssl;

        private Builder() {}

        /** Which addresses may be called. Default {@link SsrfPolicy#strict()}: public addresses only. */
        public Builder ssrfPolicy(SsrfPolicy value) {
            this.policy = value;
            return this;
        }

        /** How host names become addresses; default {@link HostResolver#system()}. Tests plug in a fixed table. */
        public Builder resolver(HostResolver value) {
            this.resolver = value;
            return this;
        }

        /** Default 5 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive("connectTimeout", value);
            return this;
        }

        /** The whole attempt, connect to response head. Default 15 s (the specification suggests 15 to 30 s). */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive("requestTimeout", value);
            return this;
        }

        /** How much of a response body is kept in {@link HttpResult#snippet()} (for a delivery log). Default 1024 bytes. */
        public Builder snippetBytes(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("snippetBytes: " + value + " (expected: >= 0)");
            }
            this.snippetBytes = value;
            return this;
        }

        /** The TLS context for https endpoints (trust store). Default: the JVM's. */
        public Builder sslContext(SSLContext value) {
            this.ssl = value;
            return this;
        }

        /** A client with these settings. */
        public GuardedHttpClient build() {
            return new GuardedHttpClient(this);
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
