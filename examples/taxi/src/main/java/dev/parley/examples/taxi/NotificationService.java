package dev.parley.examples.taxi;

import dev.parley.examples.taxi.Contracts.TripEvents;
import dev.parley.net.AddressClass;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.SsrfPolicy;
import dev.parley.transport.Registration;
import dev.parley.transport.TopicTransport;
import dev.parley.webhooks.Endpoint;
import dev.parley.webhooks.NewSecret;
import dev.parley.webhooks.WebhookNotice;
import dev.parley.webhooks.WebhookSecret;
import dev.parley.webhooks.WebhookStore;
import dev.parley.webhooks.Webhooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The Notification service: forwards every trip event from the broker to the partner's
 * endpoint as a signed webhook, through a durable queue in an embedded H2 file database.
 * On start it (re)registers the demo partner and hands it a fresh secret, in memory for the
 * all-in-one application and in {@code <dataDir>/partner-webhook-secret} for a partner
 * running as its own process.
 */
final class NotificationService implements AutoCloseable {

    static final String PARTNER = "taxi demo partner";
    static final String SECRET_FILE = "partner-webhook-secret";
    /** The consumer group of the forwarding: its own, so that it gets every event besides the notifier. */
    static final String GROUP = "partner-webhooks";

    private final Webhooks webhooks;
    private final Registration forwarding;
    private final WebhookSecret secret;

    private NotificationService(Webhooks webhooks, Registration forwarding, WebhookSecret secret) {
        this.webhooks = webhooks;
        this.forwarding = forwarding;
        this.secret = secret;
    }

    static NotificationService start(TopicTransport topics, Path dataDir, String partnerUrl, Consumer<String> out) {
        // The demo partner is on this machine: the SSRF policy refuses loopback unless allowed.
        GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK))
                .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(5)).build();
        Webhooks webhooks = Webhooks.builder().store(WebhookStore.h2File(dataDir.resolve("webhooks")))
                .httpClient(client)
                .notices(notice -> out.accept("notification: " + describe(notice)))
                .build();
        try {
            for (Endpoint e : webhooks.endpoints()) {
                if (e.description().equals(PARTNER)) {
                    webhooks.delete(e.id()); // an earlier run's registration, whose secret is gone
                }
            }
            NewSecret registered = webhooks.createEndpoint(URI.create(partnerUrl), Set.of(Endpoint.ALL_EVENTS), PARTNER);
            writeSecret(dataDir.resolve(SECRET_FILE), registered.secret());
            Registration forwarding = webhooks.forward(topics, TripEvents.class, GROUP);
            return new NotificationService(webhooks, forwarding, registered.secret());
        } catch (RuntimeException e) {
            webhooks.close();
            throw e;
        }
    }

    WebhookSecret partnerSecret() {
        return secret;
    }

    Webhooks webhooks() {
        return webhooks;
    }

    /** Reads the secret a notification service of another process wrote, waiting up to {@code patience} for it. */
    static WebhookSecret readSecret(Path dataDir, Duration patience) throws InterruptedException {
        Path file = dataDir.resolve(SECRET_FILE);
        long end = System.nanoTime() + patience.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException(file.toAbsolutePath() + " did not appear within " + patience
                        + " (expected: the notification service to be started first, with the same taxi.dataDir)");
            }
            Thread.sleep(200);
        }
        try {
            return WebhookSecret.parse(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeSecret(Path file, WebhookSecret secret) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling("." + SECRET_FILE + ".tmp");
            Files.writeString(tmp, secret.serialized(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private static String describe(WebhookNotice notice) {
        return switch (notice) {
            case WebhookNotice.EndpointDisabled d -> "webhook endpoint " + d.endpointId() + " disabled: " + d.reason();
            case WebhookNotice.DeliveryFailed f -> "webhook " + f.messageId() + " to " + f.endpointId() + " failed after "
                    + f.attempts() + " attempts";
        };
    }

    @Override
    public void close() {
        forwarding.close();
        webhooks.close();
    }
}
