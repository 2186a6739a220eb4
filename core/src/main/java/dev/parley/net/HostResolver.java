package dev.parley.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses for {@link GuardedHttpClient}. The client resolves each host
 * once per attempt, checks every address against the {@link SsrfPolicy} and connects to the
 * checked address itself, so a DNS answer that changes between check and connect (DNS
 * rebinding) cannot redirect it. Tests plug in a fixed table.
 */
@FunctionalInterface
public interface HostResolver {

    /** Every address {@code host} has; an empty list or {@link UnknownHostException} when it has none. */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JVM's resolver ({@link InetAddress#getAllByName}). */
    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
