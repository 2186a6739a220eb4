package dev.parley.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which URLs an outbound client may call when someone else chose them: webhook endpoints,
 * async-operation callbacks. Such URLs come from outside the trust boundary, so every attempt is
 * checked (server-side request forgery): the scheme must be
 * {@code http} or {@code https}; user info and percent-encoded hosts are refused; an IPv4
 * host must be plain dotted decimal (decimal {@code 2130706433}, octal {@code 0177.0.0.1}, hex
 * {@code 0x7f.1} and short forms are refused as ambiguous, since resolvers disagree on them);
 * and the host, or every address a name resolves to, must be of an allowed
 * {@link AddressClass}. Only {@link AddressClass#PUBLIC} is allowed by {@link #strict()}.
 *
 * <pre>{@code
 * SsrfPolicy.strict()                              // production
 * SsrfPolicy.strict().allowing(AddressClass.LOOPBACK)  // tests with a local receiver
 * }</pre>
 *
 * <p>A name is only checked together with a resolution ({@link #check(URI, HostResolver)}); the
 * address it is checked at must be the one connected to, which {@link GuardedHttpClient} does.
 * Checking and then handing the URL to a client that resolves again (the JDK's
 * {@code HttpClient}) leaves a DNS-rebinding window.
 *
 * <p>Immutable; {@link #allowing} returns a copy.
 */
public final class SsrfPolicy {

    private static final Pattern DOTTED_DECIMAL = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    // WHATWG URL: a host whose last label is a number is an IPv4 address in some notation.
    private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|[0-9]+)");
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");

    private final Set<AddressClass> allowed;

    private SsrfPolicy(Set<AddressClass> allowed) {
        this.allowed = Set.copyOf(allowed);
    }

    /** Public addresses only. */
    public static SsrfPolicy strict() {
        return new SsrfPolicy(EnumSet.of(AddressClass.PUBLIC));
    }

    /** A copy that also allows {@code classes}; explicit, so a test or an internal deployment says what it opens. */
    public SsrfPolicy allowing(AddressClass... classes) {
        EnumSet<AddressClass> more = EnumSet.copyOf(allowed);
        more.addAll(List.of(classes));
        return new SsrfPolicy(more);
    }

    /** The classes of address this policy lets through. */
    public Set<AddressClass> allowed() {
        return allowed;
    }

    /** Checks a URL without connecting (the resolver is asked for names); throws {@link UnsafeTargetException}. */
    public void check(URI url, HostResolver resolver) {
        target(url, resolver);
    }

    /**
     * Checks what can be checked without DNS: scheme, syntax, and literal addresses. For
     * accepting a URL (registering an endpoint, a request naming its callback) where a lookup
     * would block; names are resolved and checked again on every attempt.
     */
    public void checkWithoutResolving(URI url) {
        parse(url, null);
    }

    /** Parses, resolves and checks {@code url}: the address returned is the one to connect to. */
    Target target(URI url, HostResolver resolver) {
        Target t = parse(url, resolver);
        if (t == null) {
            throw new IllegalStateException("a resolver was given");
        }
        return t;
    }

    private @org.jspecify.annotations.Nullable Target parse(URI url, @org.jspecify.annotations.Nullable HostResolver resolver) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused(url, "scheme '" + scheme + "' (expected: http or https)");
        }
        String authority = url.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw refused(url, "no host");
        }
        if (authority.contains("@")) {
            throw refused(url, "user info in the authority (expected: no credentials in the URL)");
        }
        String host;
        String portText;
        boolean bracketed = authority.startsWith("[");
        if (bracketed) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw refused(url, "unterminated IPv6 literal");
            }
            host = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw refused(url, "text after the IPv6 literal");
            }
            portText = rest.isEmpty() ? "" : rest.substring(1);
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? "" : authority.substring(colon + 1);
        }
        int port = port(url, scheme, portText);
        host = host.toLowerCase(Locale.ROOT);
        if (host.contains("%")) {
            throw refused(url, "percent-encoding or a zone id in the host");
        }
        if (!bracketed && host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw refused(url, "empty host");
        }
        InetAddress address;
        if (bracketed) {
            address = ipv6Literal(url, host);
        } else if (NUMERIC_LABEL.matcher(host.substring(host.lastIndexOf('.') + 1)).matches()) {
            if (!DOTTED_DECIMAL.matcher(host).matches()) {
                throw refused(url, "ambiguous numeric host '" + host + "' (expected: dotted-decimal IPv4 such as 203.0.113.7)");
            }
            address = dottedDecimal(host);
            requireAllowed(url, address, classify(address));
        } else {
            if (!DNS_NAME.matcher(host).matches()) {
                throw refused(url, "host '" + host + "' is not a valid DNS name");
            }
            // RFC 6761: localhost names are loopback whatever a resolver says; refused without asking one.
            if ((host.equals("localhost") || host.endsWith(".localhost")) && !allowed.contains(AddressClass.LOOPBACK)) {
                throw refused(url, "host '" + host + "' is LOOPBACK (allowed: " + allowed + ")");
            }
            if (resolver == null) {
                return null;
            }
            address = resolved(url, host, resolver);
        }
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String requestTarget = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
        boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        String hostHeader = (bracketed ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port);
        return new Target(scheme.equals("https"), bracketed || address.getHostAddress().equals(host) ? null : host,
                address, port, requestTarget, hostHeader);
    }

    private InetAddress ipv6Literal(URI url, String host) {
        if (!host.contains(":") || !host.matches("[0-9a-f:.]+")) {
            throw refused(url, "malformed IPv6 literal [" + host + "]");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw refused(url, "malformed IPv6 literal [" + host + "]");
        }
        // The JDK turns ::ffff:a.b.c.d into an Inet4Address; it still was an IPv4-mapped literal.
        AddressClass kind = address instanceof Inet4Address ? AddressClass.IPV4_EMBEDDED : classify(address);
        requireAllowed(url, address, kind);
        return address;
    }

    private InetAddress resolved(URI url, String host, HostResolver resolver) {
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw refused(url, "host '" + host + "' does not resolve");
        }
        if (addresses.isEmpty()) {
            throw refused(url, "host '" + host + "' does not resolve");
        }
        // Every address must pass: a name answering both a public and a private address is
        // a rebinding attempt, whichever one a later connection would pick.
        for (InetAddress a : addresses) {
            requireAllowed(url, a, classify(a));
        }
        return addresses.get(0);
    }

    private void requireAllowed(URI url, InetAddress address, AddressClass kind) {
        if (!allowed.contains(kind)) {
            throw refused(url, "address " + address.getHostAddress() + " is " + kind + " (allowed: " + allowed + ")");
        }
    }

    private static int port(URI url, String scheme, String text) {
        if (text.isEmpty()) {
            return scheme.equals("https") ? 443 : 80;
        }
        if (!text.matches("[0-9]{1,5}")) {
            throw refused(url, "port '" + text + "' (expected: 1..65535)");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw refused(url, "port " + port + " (expected: 1..65535)");
        }
        return port;
    }

    private static InetAddress dottedDecimal(String host) {
        String[] parts = host.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    /** The class of {@code address}. */
    public static AddressClass classify(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 ? classify4(b) : classify6(b);
    }

    private static AddressClass classify4(byte[] a) {
        int b0 = a[0] & 0xff;
        int b1 = a[1] & 0xff;
        int b2 = a[2] & 0xff;
        int b3 = a[3] & 0xff;
        if ((b0 == 169 && b1 == 254 && b2 == 169 && b3 == 254) || (b0 == 100 && b1 == 100 && b2 == 100 && b3 == 200)) {
            return AddressClass.METADATA;
        }
        if (b0 == 0) {
            return AddressClass.UNSPECIFIED;
        }
        if (b0 == 127) {
            return AddressClass.LOOPBACK;
        }
        if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168) || (b0 == 100 && (b1 & 0xc0) == 64)) {
            return AddressClass.PRIVATE;
        }
        if (b0 == 169 && b1 == 254) {
            return AddressClass.LINK_LOCAL;
        }
        if (b0 >= 224 && b0 <= 239) {
            return AddressClass.MULTICAST;
        }
        if (b0 >= 240
                || (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2))
                || (b0 == 198 && (b1 & 0xfe) == 18)
                || (b0 == 198 && b1 == 51 && b2 == 100)
                || (b0 == 203 && b1 == 0 && b2 == 113)) {
            return AddressClass.RESERVED;
        }
        return AddressClass.PUBLIC;
    }

    private static AddressClass classify6(byte[] a) {
        boolean first10Zero = true;
        for (int i = 0; i < 10; i++) {
            first10Zero &= a[i] == 0;
        }
        boolean first15Zero = first10Zero;
        for (int i = 10; i < 15; i++) {
            first15Zero &= a[i] == 0;
        }
        if (first15Zero && a[15] == 0) {
            return AddressClass.UNSPECIFIED;
        }
        if (first15Zero && a[15] == 1) {
            return AddressClass.LOOPBACK;
        }
        int w0 = ((a[0] & 0xff) << 8) | (a[1] & 0xff);
        int w1 = ((a[2] & 0xff) << 8) | (a[3] & 0xff);
        if (first10Zero && ((a[10] == (byte) 0xff && a[11] == (byte) 0xff) || (a[10] == 0 && a[11] == 0))) {
            return AddressClass.IPV4_EMBEDDED; // ::ffff:a.b.c.d and ::a.b.c.d
        }
        if ((w0 == 0x0064 && w1 == 0xff9b) || w0 == 0x2002 || (w0 == 0x2001 && w1 == 0x0000)) {
            return AddressClass.IPV4_EMBEDDED; // NAT64, 6to4, Teredo
        }
        if (w0 == 0xfd00 && w1 == 0x0ec2 && isTail(a, 0x0254)) {
            return AddressClass.METADATA;
        }
        if ((a[0] & 0xfe) == 0xfc) {
            return AddressClass.PRIVATE;
        }
        if ((a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80) {
            return AddressClass.LINK_LOCAL;
        }
        if ((a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0xc0) {
            return AddressClass.PRIVATE; // deprecated site-local
        }
        if ((a[0] & 0xff) == 0xff) {
            return AddressClass.MULTICAST;
        }
        if ((w0 == 0x2001 && w1 == 0x0db8) || (w0 == 0x0100 && w1 == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0 && a[7] == 0)) {
            return AddressClass.RESERVED;
        }
        return AddressClass.PUBLIC;
    }

    private static boolean isTail(byte[] a, int last16) {
        for (int i = 4; i < 14; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (((a[14] & 0xff) << 8) | (a[15] & 0xff)) == last16;
    }

    private static UnsafeTargetException refused(URI url, String why) {
        return new UnsafeTargetException(url, why);
    }

    @Override
    public String toString() {
        return "SsrfPolicy{allowed=" + allowed + "}";
    }

    /**
     * A checked target: connect to {@code address}, send {@code hostHeader}, and for TLS use
     * {@code sniHost} (null for an IP literal) for SNI and certificate name checks.
     */
    record Target(boolean tls, @org.jspecify.annotations.Nullable String sniHost, InetAddress address, int port,
                  String requestTarget, String hostHeader) {}
}
