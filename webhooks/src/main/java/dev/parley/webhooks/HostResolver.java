package dev.parley.webhooks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses for the delivery client. The client resolves each host
 * once per attempt, checks every address against the {@link SsrfPolicy} and connects to the
 * checked address itself, so a DNS answer that changes between check and connect (DNS
 * rebinding) cannot redirect it. Tests plug in a fixed table.
 */
@FunctionalInterface
public interface HostResolver {

    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JVM's resolver ({@link InetAddress#getAllByName}). */
    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
