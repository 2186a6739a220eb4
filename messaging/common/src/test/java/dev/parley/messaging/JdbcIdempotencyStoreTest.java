package dev.parley.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The durable idempotency store against the PostgreSQL server of this machine. */
class JdbcIdempotencyStoreTest {

    private static final Duration WINDOW = Duration.ofMinutes(10);

    private static HikariDataSource dataSource;
    private String table;
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-29T12:00:00Z"));

    @BeforeAll
    static void postgres() {
        Brokers.require("PostgreSQL", "127.0.0.1", 5432);
        // Pooled, as the store's Javadoc asks: every call borrows a connection.
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/postgres");
        config.setUsername("postgres");
        config.setMaximumPoolSize(6);
        dataSource = new HikariDataSource(config);
    }

    @AfterAll
    static void closePool() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    @BeforeEach
    void table() {
        table = "parley_processed_" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void drop() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    private JdbcIdempotencyStore store() {
        return JdbcIdempotencyStore.create(dataSource, table, WINDOW, clock);
    }

    @Test
    void aSecondClaimOfTheSameIdIsADuplicateInItsScopeOnly() {
        JdbcIdempotencyStore store = store();

        assertThat(store.claim("ledger/v1#billing", "m-1")).isTrue();
        assertThat(store.claim("ledger/v1#billing", "m-1")).isFalse();
        assertThat(store.claim("ledger/v1#audit", "m-1")).as("another consumer group").isTrue();
        assertThat(store.claim("ledger/v1#billing", "m-2")).isTrue();
        assertThat(store.duplicates()).isEqualTo(1);
    }

    @Test
    void claimsSurviveARestartOfTheService() {
        store().claim("s", "m-1");

        JdbcIdempotencyStore afterRestart = store();

        assertThat(afterRestart.claim("s", "m-1")).isFalse();
        assertThat(afterRestart.duplicates()).isEqualTo(1);
    }

    @Test
    void aReleasedClaimCanBeClaimedAgain() {
        JdbcIdempotencyStore store = store();
        store.claim("s", "m-1");

        store.release("s", "m-1");

        assertThat(store.claim("s", "m-1")).as("the redelivery of a failed message is processed").isTrue();
    }

    @Test
    void idsOlderThanTheWindowAreForgottenAndPurged() {
        JdbcIdempotencyStore store = store();
        store.claim("s", "old");
        clock.advance(WINDOW.plusSeconds(1));
        store.claim("s", "new");

        assertThat(store.claim("s", "old")).as("seen before the window: new as far as the store can tell").isTrue();
        clock.advance(WINDOW.plusSeconds(1));
        assertThat(store.purgeExpired()).isEqualTo(2);
        assertThat(store.claim("s", "new")).isTrue();
    }

    @Test
    void concurrentClaimsOfTheSameIdsSucceedOncePerId() throws Exception {
        JdbcIdempotencyStore store = store();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Integer>> workers = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                workers.add(() -> {
                    int won = 0;
                    for (int i = 0; i < 300; i++) {
                        if (store.claim("s", "m-" + i)) {
                            won++;
                        }
                    }
                    return won;
                });
            }
            int total = 0;
            for (Future<Integer> f : pool.invokeAll(workers)) {
                total += f.get();
            }
            assertThat(total).isEqualTo(300);
            assertThat(store.duplicates()).isEqualTo(5 * 300);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void idsLongerThanTheColumnAreStoredByTheirHash() {
        JdbcIdempotencyStore store = store();
        String longId = "x".repeat(10_000);

        assertThat(store.claim("s", longId)).isTrue();
        assertThat(store.claim("s", longId)).isFalse();
        assertThat(store.claim("s", longId + "y")).isTrue();
    }

    @Test
    void aHostileTableNameIsRefused() {
        assertThatThrownBy(() -> JdbcIdempotencyStore.create(dataSource, "t; DROP TABLE users", WINDOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table: 't; DROP TABLE users'");
    }

    @Test
    void anUnreachableDatabaseIsAClearError() {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/postgres");
        nowhere.setConnectTimeout(1);

        assertThatThrownBy(() -> JdbcIdempotencyStore.create(nowhere, "parley_processed", WINDOW))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot create idempotency table parley_processed");
    }

    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
