package dev.parley.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.net.AddressClass;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.SsrfPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher killed (SIGKILL, no shutdown hook, no close) in the middle of retrying, then
 * restarted on the same H2 file: every event it acknowledged reaches the receiver, with the
 * webhook-id it was first sent with.
 */
class PublisherKillTest {

    @TempDir
    Path dir;

    @Test
    void publisherKilledMidRetryLosesNothing() throws Exception {
        int events = 20;
        try (RecordingReceiver receiver = RecordingReceiver.start204()) {
            receiver.respondWith(500);
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classpath, PublisherProcess.class.getName(), dir.resolve("webhooks").toString(),
                    receiver.url("/hook").toString(), Integer.toString(events))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<String> acknowledged = new ArrayList<>();
            String endpointId;
            WebhookSecret secret;
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String[] endpointLine = out.readLine().split(" ");
                endpointId = endpointLine[1];
                secret = WebhookSecret.parse(endpointLine[2]);
                for (int i = 0; i < events; i++) {
                    String line = out.readLine();
                    assertThat(line).startsWith("queued ");
                    acknowledged.add(line.substring("queued ".length()));
                }
                // mid-retry: every event has been tried and failed at least twice
                Await.until("two failed attempts per event", Duration.ofSeconds(30), () -> {
                    java.util.Map<String, Long> counts = new java.util.HashMap<>();
                    receiver.received().forEach(r -> counts.merge(r.header("webhook-id"), 1L, Long::sum));
                    return counts.size() == events && counts.values().stream().allMatch(c -> c >= 2);
                });
            } finally {
                child.destroyForcibly(); // SIGKILL
                assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
            Set<String> sentBeforeKill = new HashSet<>();
            receiver.received().forEach(r -> sentBeforeKill.add(r.header("webhook-id")));
            assertThat(sentBeforeKill).containsExactlyInAnyOrderElementsOf(acknowledged);

            receiver.respondWith(204);
            int before = receiver.received().size();
            try (WebhookStore store = WebhookStore.h2File(dir.resolve("webhooks"));
                 Webhooks restarted = Webhooks.builder().store(store)
                         .httpClient(GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK)).build())
                         .build()) {
                Await.until("every acknowledged event delivered after the restart", Duration.ofSeconds(30),
                        () -> restarted.deliveries(endpointId, 100).stream().allMatch(d -> d.status() == DeliveryStatus.DELIVERED));
                List<RecordingReceiver.Received> afterRestart = receiver.received().subList(before, receiver.received().size());
                Set<String> deliveredIds = new HashSet<>();
                WebhookVerifier verifier = WebhookVerifier.builder().secret(secret).build();
                for (RecordingReceiver.Received r : afterRestart) {
                    deliveredIds.add(verifier.verify(r.headers(), r.body()).id()); // signed with the same secret, not replays
                }
                assertThat(deliveredIds).containsExactlyInAnyOrderElementsOf(acknowledged);
                // the restarted publisher went on with the retries the killed one had recorded
                assertThat(restarted.deliveries(endpointId, 100)).hasSize(events).allSatisfy(d -> {
                    DeliveryAttempt last = d.attemptLog().get(d.attemptLog().size() - 1);
                    assertThat(last.outcome()).isEqualTo(AttemptOutcome.SUCCESS);
                    assertThat(last.number()).isGreaterThanOrEqualTo(2);
                    assertThat(d.attemptLog().get(0).outcome()).isEqualTo(AttemptOutcome.HTTP_ERROR);
                });
            }
        }
    }
}
