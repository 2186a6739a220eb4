package dev.parley.webhooks;

import dev.parley.net.AddressClass;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.SsrfPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;

/**
 * A publisher in its own JVM, for {@link PublisherKillTest}: registers an endpoint, publishes
 * events, prints {@code endpoint <id> <secret>} and one {@code queued <webhook-id>} line per
 * event once {@code publish} returned (the publisher's acknowledgement), then keeps retrying
 * until it is killed.
 */
public final class PublisherProcess {

    private PublisherProcess() {}

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        URI url = URI.create(args[1]);
        int events = Integer.parseInt(args[2]);
        WebhookStore store = WebhookStore.h2File(db);
        Webhooks webhooks = Webhooks.builder().store(store)
                .retrySchedule(RetrySchedule.of(Collections.nCopies(50, Duration.ofMillis(200))))
                .circuitBreaker(1_000, Duration.ZERO)
                .httpClient(GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK)).build())
                .build();
        NewSecret endpoint = webhooks.createEndpoint(url, Set.of("*"), "kill test");
        System.out.println("endpoint " + endpoint.endpoint().id() + " " + endpoint.secret().serialized());
        // The first half one by one, the rest in one publishAll: both acknowledge only what is stored.
        for (int i = 0; i < events / 2; i++) {
            String id = webhooks.publish("kill.test", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            System.out.println("queued " + id);
        }
        java.util.List<OutgoingEvent> rest = new java.util.ArrayList<>();
        for (int i = events / 2; i < events; i++) {
            rest.add(webhooks.event("kill.test", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        for (String id : webhooks.publishAll(rest)) {
            System.out.println("queued " + id);
        }
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5)); // retrying on virtual threads until SIGKILL
        webhooks.close();
    }
}
