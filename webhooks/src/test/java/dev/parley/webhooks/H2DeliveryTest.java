package dev.parley.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
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

    @Test
    void aStoreOfTheEarlierSchemaGetsTheDueIndexInDeliveryOrder() throws Exception {
        Path old = dir.resolve("old");
        String url = "jdbc:h2:file:" + old.toAbsolutePath();
        WebhookStore.h2File(old).close(); // the tables
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("DROP INDEX parley_wh_delivery_next");
            s.execute("CREATE INDEX parley_wh_delivery_due ON parley_wh_delivery (endpoint_id, status, next_attempt_at)");
        }
        try (WebhookStore reopened = WebhookStore.h2File(old)) {
            reopened.enqueueAll(List.of(new WebhookStore.NewMessage("msg_b", "a.b", json("{}"), List.of("ep_1"))), Instant.ofEpochMilli(1_000));
            reopened.enqueueAll(List.of(new WebhookStore.NewMessage("msg_a", "a.b", json("{}"), List.of("ep_1")),
                    new WebhookStore.NewMessage("msg_c", "a.b", json("{}"), List.of("ep_2"))), Instant.ofEpochMilli(2_000));
            assertThat(reopened.due("ep_1", 1_500, 10)).extracting(WebhookStore.Due::messageId).containsExactly("msg_b");
            assertThat(reopened.due("ep_1", 2_000, 10)).extracting(WebhookStore.Due::messageId).containsExactly("msg_b", "msg_a");
        }
        List<String> indexes = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_NAME = 'PARLEY_WH_DELIVERY'")) {
            while (r.next()) {
                indexes.add(r.getString(1).toLowerCase(java.util.Locale.ROOT));
            }
        }
        assertThat(indexes).contains("parley_wh_delivery_next").doesNotContain("parley_wh_delivery_due");
    }
}
