package dev.parley.webhooks;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jspecify.annotations.Nullable;

/**
 * Where endpoints, queued messages, deliveries and the attempt log live: an embedded H2
 * database in a file by default ({@link #h2File}), or PostgreSQL ({@link #postgres}). A
 * message is stored together with one delivery row per matching endpoint in one transaction
 * before the event is acknowledged, so a publisher that stops (or is killed) loses nothing:
 * the next start finds the pending deliveries.
 *
 * <p>Tables are created when missing, named with a prefix ({@code parley_wh_} by default).
 * One {@link Webhooks} instance dispatches from a store at a time (it keeps per-endpoint
 * timers in memory); several publishers share one PostgreSQL store by using distinct prefixes.
 */
public final class WebhookStore implements AutoCloseable {

    /** The SQL spoken by the store. */
    public enum Dialect {
        H2("VARBINARY"),
        POSTGRESQL("BYTEA");

        private final String binaryType;

        Dialect(String binaryType) {
            this.binaryType = binaryType;
        }
    }

    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String p;
    private final @Nullable AutoCloseable owned;

    private WebhookStore(DataSource dataSource, Dialect dialect, String tablePrefix, @Nullable AutoCloseable owned) {
        if (!tablePrefix.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("tablePrefix: '" + tablePrefix + "' (expected: lower-case letters, digits, _)");
        }
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.p = tablePrefix;
        this.owned = owned;
        createTables();
    }

    /**
     * An embedded H2 database in {@code file} (H2 adds {@code .mv.db}); the store owns its
     * connection pool. Commits reach the file before they return, which survives the process
     * being killed; surviving power loss needs a database that syncs to disk (PostgreSQL).
     */
    public static WebhookStore h2File(Path file) {
        // WRITE_DELAY=0: every commit is written to the file before publish() returns, so a killed
        // process loses no acknowledged event (H2's default writes up to a second later).
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + file.toAbsolutePath() + ";WRITE_DELAY=0", "sa", "");
        pool.setMaxConnections(32);
        return new WebhookStore(pool, Dialect.H2, "parley_wh_", pool::dispose);
    }

    /** PostgreSQL through {@code dataSource} (give it a pool, e.g. HikariCP); the caller owns the pool. */
    public static WebhookStore postgres(DataSource dataSource) {
        return postgres(dataSource, "parley_wh_");
    }

    /** PostgreSQL with tables named {@code tablePrefix + "endpoint"} etc. */
    public static WebhookStore postgres(DataSource dataSource, String tablePrefix) {
        return new WebhookStore(dataSource, Dialect.POSTGRESQL, tablePrefix, null);
    }

    /** Any supported database through {@code dataSource}; the caller owns the pool. */
    public static WebhookStore of(DataSource dataSource, Dialect dialect, String tablePrefix) {
        return new WebhookStore(dataSource, dialect, tablePrefix, null);
    }

    public Dialect dialect() {
        return dialect;
    }

    private void createTables() {
        String bin = dialect.binaryType;
        String[] ddl = {
            "CREATE TABLE IF NOT EXISTS " + p + "endpoint (id VARCHAR(64) PRIMARY KEY, url VARCHAR(2048) NOT NULL,"
                    + " event_types VARCHAR(4000) NOT NULL, description VARCHAR(1000) NOT NULL, status VARCHAR(16) NOT NULL,"
                    + " status_reason VARCHAR(1000), secret VARCHAR(200) NOT NULL, previous_secret VARCHAR(200),"
                    + " previous_secret_until BIGINT, created_at BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS " + p + "message (id VARCHAR(100) PRIMARY KEY, event_type VARCHAR(300) NOT NULL,"
                    + " payload " + bin + " NOT NULL, created_at BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS " + p + "delivery (id VARCHAR(64) PRIMARY KEY, endpoint_id VARCHAR(64) NOT NULL,"
                    + " message_id VARCHAR(100) NOT NULL, status VARCHAR(16) NOT NULL, attempts INT NOT NULL,"
                    + " attempt_seq INT NOT NULL, next_attempt_at BIGINT NOT NULL, created_at BIGINT NOT NULL,"
                    + " UNIQUE (endpoint_id, message_id))",
            "CREATE INDEX IF NOT EXISTS " + p + "delivery_due ON " + p + "delivery (endpoint_id, status, next_attempt_at)",
            "CREATE TABLE IF NOT EXISTS " + p + "attempt (delivery_id VARCHAR(64) NOT NULL, attempt_no INT NOT NULL,"
                    + " attempted_at BIGINT NOT NULL, outcome VARCHAR(16) NOT NULL, status_code INT NOT NULL,"
                    + " latency_ms BIGINT NOT NULL, response VARCHAR(1100) NOT NULL, PRIMARY KEY (delivery_id, attempt_no))",
        };
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String sql : ddl) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw failure("creating tables " + p + "*", e);
        }
    }

    // --- endpoints ---------------------------------------------------------------------------

    /** An endpoint with its secrets, as the dispatcher needs it. */
    record StoredEndpoint(Endpoint endpoint, WebhookSecret secret, @Nullable WebhookSecret previous, long previousUntilMillis) {
        List<WebhookSecret> signingSecrets(Instant now) {
            return previous != null && now.toEpochMilli() < previousUntilMillis ? List.of(secret, previous) : List.of(secret);
        }
    }

    void insertEndpoint(StoredEndpoint e) {
        Endpoint ep = e.endpoint();
        update("INSERT INTO " + p + "endpoint (id, url, event_types, description, status, status_reason, secret, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ep.id(), ep.url().toString(), String.join(",", ep.eventTypes()),
                ep.description(), ep.status().name(), ep.statusReason().orElse(null), e.secret().serialized(),
                ep.createdAt().toEpochMilli());
    }

    boolean updateStatus(String id, EndpointStatus status, @Nullable String reason) {
        return update("UPDATE " + p + "endpoint SET status = ?, status_reason = ? WHERE id = ?", status.name(), reason, id) > 0;
    }

    boolean rotateSecret(String id, WebhookSecret next, WebhookSecret previous, Instant previousUntil) {
        return update("UPDATE " + p + "endpoint SET secret = ?, previous_secret = ?, previous_secret_until = ? WHERE id = ?",
                next.serialized(), previous.serialized(), previousUntil.toEpochMilli(), id) > 0;
    }

    boolean deleteEndpoint(String id) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                exec(c, "DELETE FROM " + p + "attempt WHERE delivery_id IN (SELECT id FROM " + p + "delivery WHERE endpoint_id = ?)", id);
                exec(c, "DELETE FROM " + p + "delivery WHERE endpoint_id = ?", id);
                int n = exec(c, "DELETE FROM " + p + "endpoint WHERE id = ?", id);
                c.commit();
                return n > 0;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure("deleting endpoint " + id, e);
        }
    }

    List<StoredEndpoint> endpoints() {
        List<StoredEndpoint> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT id, url, event_types, description, status, status_reason, secret,"
                     + " previous_secret, previous_secret_until, created_at FROM " + p + "endpoint ORDER BY created_at, id");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                Set<String> types = new LinkedHashSet<>(Arrays.asList(r.getString(3).split(",")));
                Endpoint ep = new Endpoint(r.getString(1), URI.create(r.getString(2)), types, r.getString(4),
                        EndpointStatus.valueOf(r.getString(5)), Optional.ofNullable(r.getString(6)), Instant.ofEpochMilli(r.getLong(10)));
                String prev = r.getString(8);
                out.add(new StoredEndpoint(ep, WebhookSecret.parse(r.getString(7)), prev == null ? null : WebhookSecret.parse(prev),
                        r.getLong(9)));
            }
        } catch (SQLException e) {
            throw failure("reading endpoints", e);
        }
        return out;
    }

    // --- messages and deliveries -------------------------------------------------------------

    /**
     * Queues a message for {@code endpointIds} in one transaction. False when a message with this
     * id is already stored (a redelivered event): nothing changes.
     */
    boolean enqueue(String messageId, String eventType, byte[] payload, Instant now, List<String> endpointIds) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                exec(c, "INSERT INTO " + p + "message (id, event_type, payload, created_at) VALUES (?, ?, ?, ?)",
                        messageId, eventType, payload, now.toEpochMilli());
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + p + "delivery (id, endpoint_id, message_id, status,"
                        + " attempts, attempt_seq, next_attempt_at, created_at) VALUES (?, ?, ?, 'PENDING', 0, 0, ?, ?)")) {
                    for (String endpointId : endpointIds) {
                        s.setString(1, newId("dlv_"));
                        s.setString(2, endpointId);
                        s.setString(3, messageId);
                        s.setLong(4, now.toEpochMilli());
                        s.setLong(5, now.toEpochMilli());
                        s.addBatch();
                    }
                    if (!endpointIds.isEmpty()) {
                        s.executeBatch();
                    }
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                if (UNIQUE_VIOLATION.equals(e.getSQLState()) && messageExists(c, messageId)) {
                    return false;
                }
                throw e;
            }
        } catch (SQLException e) {
            throw failure("queueing message " + messageId, e);
        }
    }

    private boolean messageExists(Connection c, String messageId) throws SQLException {
        c.setAutoCommit(true);
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + p + "message WHERE id = ?")) {
            s.setString(1, messageId);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** A delivery ready to be attempted. */
    record Due(String id, String messageId, int attempts, int attemptSeq, byte[] payload) {}

    /** Pending deliveries of {@code endpointId} due by {@code nowMillis}, oldest first. */
    List<Due> due(String endpointId, long nowMillis, int limit) {
        List<Due> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT d.id, d.message_id, d.attempts, d.attempt_seq, m.payload FROM "
                     + p + "delivery d JOIN " + p + "message m ON m.id = d.message_id WHERE d.endpoint_id = ? AND d.status = 'PENDING'"
                     + " AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT ?")) {
            s.setString(1, endpointId);
            s.setLong(2, nowMillis);
            s.setInt(3, limit);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Due(r.getString(1), r.getString(2), r.getInt(3), r.getInt(4), r.getBytes(5)));
                }
            }
        } catch (SQLException e) {
            throw failure("reading due deliveries of " + endpointId, e);
        }
        return out;
    }

    /** When the earliest pending delivery of {@code endpointId} after {@code afterMillis} is due. */
    OptionalLong nextDueAfter(String endpointId, long afterMillis) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT MIN(next_attempt_at) FROM " + p + "delivery WHERE endpoint_id = ?"
                     + " AND status = 'PENDING' AND next_attempt_at > ?")) {
            s.setString(1, endpointId);
            s.setLong(2, afterMillis);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                long v = r.getLong(1);
                return r.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
            }
        } catch (SQLException e) {
            throw failure("reading the next due delivery of " + endpointId, e);
        }
    }

    /** Records an attempt and the delivery's new state in one transaction. */
    void recordAttempt(String deliveryId, DeliveryAttempt attempt, DeliveryStatus status, int attempts, long nextAttemptAtMillis) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                exec(c, "INSERT INTO " + p + "attempt (delivery_id, attempt_no, attempted_at, outcome, status_code, latency_ms, response)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", deliveryId, attempt.number(), attempt.at().toEpochMilli(),
                        attempt.outcome().name(), attempt.statusCode(), attempt.latency().toMillis(), truncate(attempt.response(), 1024));
                exec(c, "UPDATE " + p + "delivery SET status = ?, attempts = ?, attempt_seq = ?, next_attempt_at = ? WHERE id = ?",
                        status.name(), attempts, attempt.number(), nextAttemptAtMillis, deliveryId);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure("recording attempt " + attempt.number() + " of " + deliveryId, e);
        }
    }

    /** Endpoints that have pending deliveries. */
    List<String> endpointsWithPending() {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT DISTINCT endpoint_id FROM " + p + "delivery WHERE status = 'PENDING'");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw failure("reading pending deliveries", e);
        }
        return out;
    }

    /** The delivery log of an endpoint, newest first; {@code status} filters when present. */
    List<Delivery> deliveries(String endpointId, Optional<DeliveryStatus> status, int limit) {
        List<Delivery> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT d.id, d.message_id, m.event_type, d.status, d.attempts,"
                    + " d.next_attempt_at, d.created_at FROM " + p + "delivery d JOIN " + p + "message m ON m.id = d.message_id"
                    + " WHERE d.endpoint_id = ?" + (status.isPresent() ? " AND d.status = ?" : "")
                    + " ORDER BY d.created_at DESC, d.id DESC LIMIT ?")) {
                int i = 1;
                s.setString(i++, endpointId);
                if (status.isPresent()) {
                    s.setString(i++, status.get().name());
                }
                s.setInt(i, limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new Delivery(r.getString(1), endpointId, r.getString(2), r.getString(3),
                                DeliveryStatus.valueOf(r.getString(4)), r.getInt(5), Instant.ofEpochMilli(r.getLong(6)),
                                Instant.ofEpochMilli(r.getLong(7)), List.of()));
                    }
                }
            }
            List<Delivery> withAttempts = new ArrayList<>(out.size());
            try (PreparedStatement s = c.prepareStatement("SELECT attempt_no, attempted_at, outcome, status_code, latency_ms, response"
                    + " FROM " + p + "attempt WHERE delivery_id = ? ORDER BY attempt_no")) {
                for (Delivery d : out) {
                    s.setString(1, d.id());
                    List<DeliveryAttempt> attempts = new ArrayList<>();
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            attempts.add(new DeliveryAttempt(r.getInt(1), Instant.ofEpochMilli(r.getLong(2)),
                                    AttemptOutcome.valueOf(r.getString(3)), r.getInt(4), Duration.ofMillis(r.getLong(5)), r.getString(6)));
                        }
                    }
                    withAttempts.add(new Delivery(d.id(), d.endpointId(), d.messageId(), d.eventType(), d.status(), d.attempts(),
                            d.nextAttemptAt(), d.createdAt(), attempts));
                }
            }
            return withAttempts;
        } catch (SQLException e) {
            throw failure("reading deliveries of " + endpointId, e);
        }
    }

    /**
     * Makes deliveries of {@code endpointId} pending again from {@code now}, with a fresh retry
     * schedule: one message ({@code messageId} present) or every failed one. Returns how many.
     */
    int replay(String endpointId, Optional<String> messageId, Instant now) {
        if (messageId.isPresent()) {
            return update("UPDATE " + p + "delivery SET status = 'PENDING', attempts = 0, next_attempt_at = ?"
                    + " WHERE endpoint_id = ? AND message_id = ?", now.toEpochMilli(), endpointId, messageId.get());
        }
        return update("UPDATE " + p + "delivery SET status = 'PENDING', attempts = 0, next_attempt_at = ?"
                + " WHERE endpoint_id = ? AND status = 'FAILED'", now.toEpochMilli(), endpointId);
    }

    // --- plumbing ----------------------------------------------------------------------------

    private int update(String sql, @Nullable Object... args) {
        try (Connection c = dataSource.getConnection()) {
            return exec(c, sql, args);
        } catch (SQLException e) {
            throw failure(sql.substring(0, Math.min(40, sql.length())) + "...", e);
        }
    }

    private static int exec(Connection c, String sql, @Nullable Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a == null) {
                    s.setNull(i + 1, Types.VARCHAR);
                } else if (a instanceof byte[] bytes) {
                    s.setBytes(i + 1, bytes);
                } else {
                    s.setObject(i + 1, a);
                }
            }
            return s.executeUpdate();
        }
    }

    static String newId(String prefix) {
        UUID u = UUID.randomUUID();
        return prefix + Long.toUnsignedString(u.getMostSignificantBits(), 36) + Long.toUnsignedString(u.getLeastSignificantBits(), 36);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private WebhookException failure(String what, SQLException e) {
        return new WebhookException("webhook store (" + dialect + ", tables " + p + "*): " + what + " failed: " + e.getMessage(), e);
    }

    /** Closes the connection pool when the store created it ({@link #h2File}). */
    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new WebhookException("closing the webhook store failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "WebhookStore{" + dialect + ", " + p + "*}";
    }
}
