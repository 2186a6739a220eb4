package dev.parley.messaging;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Checks that a broker the tests need is reachable: without it the tests are skipped on a
 * developer's machine, and fail in CI ({@code CI=true}), where a missing broker is a broken
 * environment, not a reason to pass.
 */
public final class Brokers {

    private Brokers() {}

    public static void require(String broker, String host, int port) {
        boolean up;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2_000);
            up = true;
        } catch (IOException e) {
            up = false;
        }
        String why = broker + " is not reachable at " + host + ":" + port;
        if (!up && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + " (CI=true: broker tests must run; .ci/run starts the brokers)");
        }
        assumeTrue(up, why + ": skipping (set CI=true to make this a failure)");
    }
}
