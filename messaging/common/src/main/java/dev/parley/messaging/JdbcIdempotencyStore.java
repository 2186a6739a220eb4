package dev.parley.messaging;

import dev.parley.IdempotencyStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * A durable {@link IdempotencyStore} in a SQL table, so that duplicates are caught across
 * restarts and across the instances of a service that share the database. Tested on
 * PostgreSQL; plain SQL (insert, conditional update, delete), so other databases with a
 * primary key constraint work too.
 *
 * <pre>{@code
 * CREATE TABLE parley_processed (
 *   scope      VARCHAR(255) NOT NULL,
 *   message_id VARCHAR(255) NOT NULL,
 *   claimed_at TIMESTAMP    NOT NULL,
 *   PRIMARY KEY (scope, message_id))
 * }</pre>
 *
 * <p>A claim is one insert (the primary key refuses a duplicate); a claim of an id older than
 * the window takes the row over. Rows older than the window are deleted every
 * {@value #PURGE_EVERY} claims. Use a pooled {@link DataSource}: every call borrows a connection.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {

    static final int PURGE_EVERY = 1_000;
    private static final int MAX_KEY = 255;

    private final DataSource dataSource;
    private final String table;
    private final Duration window;
    private final Clock clock;
    private final LongAdder duplicates = new LongAdder();
    private final AtomicLong claims = new AtomicLong();

    private JdbcIdempotencyStore(DataSource dataSource, String table, Duration window, Clock clock) {
        this.dataSource = dataSource;
        this.table = table;
        this.window = window;
        this.clock = clock;
    }

    /**
     * A store in {@code table} (created if missing) that remembers ids for {@code window}.
     *
     * @throws IllegalArgumentException if {@code table} is not a plain SQL identifier
     * @throws IllegalStateException    if the table cannot be created
     */
    public static JdbcIdempotencyStore create(DataSource dataSource, String table, Duration window) {
        return create(dataSource, table, window, Clock.systemUTC());
    }

    static JdbcIdempotencyStore create(DataSource dataSource, String table, Duration window, Clock clock) {
        if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("table: '" + table + "' (expected: a SQL identifier of letters, digits and '_')");
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
        }
        JdbcIdempotencyStore store = new JdbcIdempotencyStore(dataSource, table, window, clock);
        store.createTable();
        return store;
    }

    private void createTable() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (scope VARCHAR(" + MAX_KEY + ") NOT NULL, message_id VARCHAR(" + MAX_KEY
                    + ") NOT NULL, claimed_at TIMESTAMP NOT NULL, PRIMARY KEY (scope, message_id))");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create idempotency table " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean claim(String scope, String messageId) {
        if (claims.incrementAndGet() % PURGE_EVERY == 0) {
            purgeExpired();
        }
        String s = key(scope);
        String id = key(messageId);
        Timestamp now = Timestamp.from(clock.instant());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (scope, message_id, claimed_at) VALUES (?, ?, ?)")) {
                insert.setString(1, s);
                insert.setString(2, id);
                insert.setTimestamp(3, now);
                insert.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (!isDuplicateKey(e)) {
                    throw e;
                }
            }
            // Seen before: a duplicate, unless the earlier claim is older than the window.
            try (PreparedStatement takeOver = c.prepareStatement(
                    "UPDATE " + table + " SET claimed_at = ? WHERE scope = ? AND message_id = ? AND claimed_at < ?")) {
                takeOver.setTimestamp(1, now);
                takeOver.setString(2, s);
                takeOver.setString(3, id);
                takeOver.setTimestamp(4, Timestamp.from(clock.instant().minus(window)));
                if (takeOver.executeUpdate() == 1) {
                    return true;
                }
            }
            duplicates.increment();
            return false;
        } catch (SQLException e) {
            // Fail the message, not the consumer: it is redelivered and claimed again later.
            throw new IllegalStateException("idempotency store " + table + " unavailable: " + e.getMessage(), e);
        }
    }

    @Override
    public void release(String scope, String messageId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE scope = ? AND message_id = ?")) {
            delete.setString(1, key(scope));
            delete.setString(2, key(messageId));
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("idempotency store " + table + " unavailable: " + e.getMessage(), e);
        }
    }

    @Override
    public long duplicates() {
        return duplicates.sum();
    }

    /** Deletes the claims older than the window; returns how many. */
    public int purgeExpired() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE claimed_at < ?")) {
            delete.setTimestamp(1, Timestamp.from(clock.instant().minus(window)));
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("idempotency store " + table + " unavailable: " + e.getMessage(), e);
        }
    }

    private static boolean isDuplicateKey(SQLException e) {
        // SQLState class 23: integrity constraint violation (23505 unique violation in PostgreSQL).
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    /** Keys longer than the column are stored as their SHA-256, so that any id fits. */
    private static String key(String value) {
        if (value.length() <= MAX_KEY) {
            return value;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "JdbcIdempotencyStore(" + table + ", window=" + window + ")";
    }
}
