package dev.parley.webhooks;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The delivery suite on the default store: H2 in file mode. */
class H2DeliveryTest extends DeliverySuite {

    @TempDir
    Path dir;

    @Override
    WebhookStore newStore() {
        return WebhookStore.h2File(dir.resolve("webhooks"));
    }

    @Override
    WebhookStore reopenStore() {
        return WebhookStore.h2File(dir.resolve("webhooks"));
    }
}
