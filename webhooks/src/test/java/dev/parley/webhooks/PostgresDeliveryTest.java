package dev.parley.webhooks;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The delivery suite on PostgreSQL at 127.0.0.1:5432 (user postgres; override with
 * PARLEY_PG_URL). Skipped when it is unreachable, failed when CI=true.
 */
class PostgresDeliveryTest extends DeliverySuite {

    static HikariDataSource pool;
    String prefix;

    @BeforeAll
    static void requirePostgres() {
        boolean up;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5432), 2_000);
            up = true;
        } catch (IOException e) {
            up = false;
        }
        String why = "PostgreSQL is not reachable at 127.0.0.1:5432";
        if (!up && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + " (CI=true: the PostgreSQL tests must run)");
        }
        assumeTrue(up, why + ": skipping (set CI=true to make this a failure)");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(System.getenv().getOrDefault("PARLEY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"));
        config.setUsername(System.getenv().getOrDefault("PARLEY_PG_USER", "postgres"));
        config.setMaximumPoolSize(16);
        pool = new HikariDataSource(config);
    }

    @AfterAll
    static void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    @Override
    WebhookStore newStore() {
        prefix = "wh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "_";
        return WebhookStore.postgres(pool, prefix);
    }

    @Override
    WebhookStore reopenStore() {
        return WebhookStore.postgres(pool, prefix);
    }

    @Override
    void dropStore() throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (String t : new String[] {"attempt", "delivery", "message", "endpoint"}) {
                s.execute("DROP TABLE IF EXISTS " + prefix + t);
            }
        }
    }
}
