package dev.parley.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SSRF corpus, with a fixed DNS table standing in for names that resolve to internal addresses. */
class SsrfPolicyTest {

    static final HostResolver DNS = host -> switch (host) {
        case "public.example" -> List.of(ip("93.184.216.34"));
        case "internal.example" -> List.of(ip("10.0.0.5"));
        case "corp.example" -> List.of(ip("192.168.10.20"));
        case "metadata.example" -> List.of(ip("169.254.169.254"));
        case "loopback.example" -> List.of(ip("127.0.0.1"));
        case "zero.example" -> List.of(ip("0.0.0.0"));
        case "v6local.example" -> List.of(ip("::1"));
        case "v6private.example" -> List.of(ip("fd12:3456::1"));
        case "v6linklocal.example" -> List.of(ip("fe80::1"));
        case "mapped.example" -> List.of(ip("::ffff:10.0.0.1"));
        case "nat64.example" -> List.of(ip("64:ff9b::a00:1"));
        case "rebind.example" -> List.of(ip("93.184.216.34"), ip("127.0.0.1"));
        case "cgnat.example" -> List.of(ip("100.64.1.1"));
        default -> throw new UnknownHostException(host);
    };

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    final SsrfPolicy strict = SsrfPolicy.strict();
    final SsrfPolicy loopbackAllowed = SsrfPolicy.strict().allowing(AddressClass.LOOPBACK);

    @ParameterizedTest
    @ValueSource(strings = {
        // loopback and "this host"
        "http://127.0.0.1/", "http://127.255.255.254:8080/x", "http://0.0.0.0/", "http://0.1.2.3/", "http://[::]/", "http://[::1]/",
        "http://[0:0:0:0:0:0:0:1]/",
        // decimal, octal, hex and short IPv4 forms
        "http://2130706433/", "http://017700000001/", "http://0177.0.0.1/", "http://0177.0000.0000.0001/",
        "http://0x7f.0.0.1/", "http://0x7f.0x0.0x0.0x1/", "http://0x7f000001/", "http://127.1/", "http://127.0.1/",
        "http://3232235521/", "http://0xa9fea9fe/", "http://169.254.43518/", "http://127.000.000.001/", "http://1.2.3.4.5/",
        "http://0/", "http://00000/",
        // private, shared, link-local, metadata
        "http://10.0.0.1/", "http://172.16.5.4/", "http://172.31.255.255/", "http://192.168.1.1/", "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/", "http://169.254.1.1/", "http://100.100.100.200/",
        "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd00:ec2::254]/", "http://[fec0::1]/",
        // IPv6 forms embedding IPv4
        "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:10.0.0.1]/",
        "http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        "http://[0:0:0:0:0:ffff:7f00:1]/",
        // multicast, broadcast, reserved
        "http://224.0.0.1/", "http://239.255.255.250/", "http://255.255.255.255/", "http://240.0.0.1/", "http://[ff02::1]/",
        "http://192.0.2.1/", "http://[2001:db8::1]/",
        // encodings and zone ids
        "http://%31%32%37.0.0.1/", "http://[fe80::1%25eth0]/", "http://127.0.0.1%2f/",
        // names resolving to internal addresses (DNS table above)
        "http://internal.example/", "http://corp.example/hook", "http://metadata.example/", "http://loopback.example/",
        "http://zero.example/", "http://v6local.example/", "http://v6private.example/", "http://v6linklocal.example/",
        "http://mapped.example/", "http://nat64.example/", "http://rebind.example/", "http://cgnat.example/",
        "http://LOOPBACK.example./", "http://unknown.example/",
        // not http(s), credentials, junk
        "ftp://public.example/", "file:///etc/passwd", "gopher://public.example/", "jar:http://public.example!/",
        "http://user:secret@public.example/", "http://public.example@127.0.0.1/", "http:///path", "http://public.example:0/",
        "http://public.example:99999/", "http://[::1/", "http://exa mple.com/",
    })
    void corpusIsRefused(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException notEvenAUri) {
            return; // cannot reach the client at all
        }
        assertThatThrownBy(() -> strict.check(uri, DNS)).isInstanceOf(UnsafeTargetException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://127.1/", "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/", "http://169.254.169.254/", "http://10.0.0.1/", "http://0.0.0.0/", "http://internal.example/",
    })
    void allowingLoopbackOpensNothingElse(String url) {
        assertThatThrownBy(() -> loopbackAllowed.check(URI.create(url), DNS)).isInstanceOf(UnsafeTargetException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://93.184.216.34/", "https://93.184.216.34:8443/hook?x=1", "http://public.example/", "HTTPS://Public.Example./",
        "http://[2606:2800:220:1:248:1893:25c8:1946]/",
    })
    void publicTargetsPass(String url) {
        strict.check(URI.create(url), DNS);
    }

    @Test
    void loopbackPassesOnlyWhenAllowed() {
        loopbackAllowed.check(URI.create("http://127.0.0.1:8080/"), DNS);
        loopbackAllowed.check(URI.create("http://[::1]:8080/"), DNS);
        loopbackAllowed.check(URI.create("http://loopback.example/"), DNS);
        assertThatThrownBy(() -> strict.check(URI.create("http://127.0.0.1:8080/"), DNS))
                .hasMessageContaining("LOOPBACK");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost/", "http://LOCALHOST:8080/x", "http://localhost./", "http://api.localhost/"})
    void localhostNamesAreLoopbackWithoutAskingTheResolver(String url) {
        HostResolver publicAnswer = host -> List.of(ip("93.184.216.34")); // a resolver that lies about localhost
        assertThatThrownBy(() -> strict.check(URI.create(url), publicAnswer))
                .isInstanceOf(UnsafeTargetException.class).hasMessageContaining("LOOPBACK");
        assertThatThrownBy(() -> strict.checkWithoutResolving(URI.create(url)))
                .isInstanceOf(UnsafeTargetException.class).hasMessageContaining("LOOPBACK");
        loopbackAllowed.checkWithoutResolving(URI.create(url));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://2130706433/", "http://0x7f.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/", "http://10.0.0.1/",
        "ftp://public.example/", "http://user@public.example/", "http://%31%32%37.0.0.1/", "http://public.example:0/",
    })
    void checkingWithoutResolvingRefusesWhatNeedsNoLookup(String url) {
        assertThatThrownBy(() -> strict.checkWithoutResolving(URI.create(url))).isInstanceOf(UnsafeTargetException.class);
    }

    @Test
    void checkingWithoutResolvingLeavesNamesForTheAttempt() {
        // internal.example resolves to 10.0.0.5, but only a lookup can tell: the attempt refuses it.
        strict.checkWithoutResolving(URI.create("https://internal.example/hook"));
        assertThatThrownBy(() -> strict.check(URI.create("https://internal.example/hook"), DNS))
                .isInstanceOf(UnsafeTargetException.class).hasMessageContaining("PRIVATE");
    }

    @Test
    void refusalIsAnIllegalArgumentNamingTheUrlAndTheReason() {
        assertThatThrownBy(() -> strict.check(URI.create("http://metadata.example/x"), DNS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://metadata.example/x").hasMessageContaining("169.254.169.254 is METADATA");
    }

    @Test
    void allowingIsACopy() {
        assertThat(strict.allowed()).containsExactly(AddressClass.PUBLIC);
        assertThat(loopbackAllowed.allowed()).containsExactlyInAnyOrder(AddressClass.PUBLIC, AddressClass.LOOPBACK);
    }

    @Test
    void classifiesAddresses() {
        assertThat(SsrfPolicy.classify(ip("8.8.8.8"))).isEqualTo(AddressClass.PUBLIC);
        assertThat(SsrfPolicy.classify(ip("172.32.0.1"))).isEqualTo(AddressClass.PUBLIC);
        assertThat(SsrfPolicy.classify(ip("172.15.255.255"))).isEqualTo(AddressClass.PUBLIC);
        assertThat(SsrfPolicy.classify(ip("169.254.169.254"))).isEqualTo(AddressClass.METADATA);
        assertThat(SsrfPolicy.classify(ip("fd00:ec2::254"))).isEqualTo(AddressClass.METADATA);
        assertThat(SsrfPolicy.classify(ip("::1"))).isEqualTo(AddressClass.LOOPBACK);
        assertThat(SsrfPolicy.classify(ip("2a00:1450:4001:81b::200e"))).isEqualTo(AddressClass.PUBLIC);
    }
}
