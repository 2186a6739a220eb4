package dev.parley.net;

/**
 * What kind of network an IP address belongs to, for {@link SsrfPolicy}'s SSRF check. Only
 * {@link #PUBLIC} addresses are reachable by default; {@link SsrfPolicy} can allow others
 * (tests allow {@link #LOOPBACK} to reach a local receiver).
 */
public enum AddressClass {
    /** Globally routable unicast. */
    PUBLIC,
    /** 127.0.0.0/8, ::1. */
    LOOPBACK,
    /** 0.0.0.0/8 and :: ("this host": many stacks connect it to localhost). */
    UNSPECIFIED,
    /** 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT), fc00::/7, fec0::/10. */
    PRIVATE,
    /** 169.254/16, fe80::/10. */
    LINK_LOCAL,
    /** Cloud instance metadata: 169.254.169.254, 100.100.100.200, fd00:ec2::254. */
    METADATA,
    /**
     * IPv6 forms that embed an IPv4 address: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
     * (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
     */
    IPV4_EMBEDDED,
    /** 224/4, ff00::/8. */
    MULTICAST,
    /** Documentation, benchmarking, protocol-assignment and future-use ranges, broadcast. */
    RESERVED
}
