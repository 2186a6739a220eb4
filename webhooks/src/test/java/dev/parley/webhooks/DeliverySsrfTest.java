package dev.parley.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.net.AddressClass;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.HostResolver;
import dev.parley.net.SsrfPolicy;
import dev.parley.net.UnsafeTargetException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Webhooks delivery goes through the shared SSRF guard ({@code dev.parley.net}, tested in core
 * with the full corpus): unsafe endpoint URLs are refused at registration, and a name that
 * resolves to a refused address at delivery time ends the attempt as
 * {@link AttemptOutcome#REFUSED} without contacting anything.
 */
class DeliverySsrfTest {

    @TempDir
    Path dir;

    Webhooks webhooks(WebhookStore store, GuardedHttpClient client) {
        return Webhooks.builder().store(store).httpClient(client).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://127.0.0.1/", "http://localhost/", "http://2130706433/", "http://0x7f.0.0.1/", "http://0177.0.0.1/",
        "http://[::1]/", "http://[::ffff:169.254.169.254]/", "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/", "http://0.0.0.0/", "ftp://example.com/", "http://user:pw@example.com/",
    })
    void theDefaultClientRefusesUnsafeEndpointsAtRegistration(String url) throws Exception {
        try (WebhookStore store = WebhookStore.h2File(dir.resolve("webhooks"));
             Webhooks webhooks = webhooks(store, GuardedHttpClient.builder().build())) {
            assertThatThrownBy(() -> webhooks.createEndpoint(URI.create(url), Set.of("*"), ""))
                    .isInstanceOf(UnsafeTargetException.class).hasMessageContaining("refused");
            assertThat(webhooks.endpoints()).isEmpty();
        }
    }

    @Test
    void aNameResolvingToAPrivateAddressIsRefusedOnEveryAttemptAndNothingIsSent() throws Exception {
        try (RecordingReceiver receiver = RecordingReceiver.start204()) {
            // The endpoint's name passed registration (no lookup there); at delivery time it
            // answers both the local receiver and a private address, a rebinding attempt.
            HostResolver rebinding = host -> List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("10.1.2.3"));
            GuardedHttpClient client = GuardedHttpClient.builder()
                    .ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK)).resolver(rebinding).build();
            try (WebhookStore store = WebhookStore.h2File(dir.resolve("webhooks"));
                 Webhooks webhooks = webhooks(store, client)) {
                String id = webhooks.createEndpoint(URI.create("http://hooks.customer.test:" + receiver.port() + "/in"),
                        Set.of("*"), "").endpoint().id();
                webhooks.publish("trips.TripCompleted", "{\"tripId\":\"t-1\"}".getBytes());
                Await.until("the first attempt", () -> webhooks.deliveries(id, 10).stream().anyMatch(d -> d.attempts() > 0));
                DeliveryAttempt attempt = webhooks.deliveries(id, 10).get(0).attemptLog().get(0);
                assertThat(attempt.outcome()).isEqualTo(AttemptOutcome.REFUSED);
                assertThat(attempt.response()).contains("10.1.2.3 is PRIVATE");
                assertThat(receiver.received()).isEmpty();
            }
        }
    }
}
