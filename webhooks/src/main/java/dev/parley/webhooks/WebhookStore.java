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
    private final GroupCommit commits = new GroupCommit();

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
        // QUERY_CACHE_SIZE=32: a pooled session runs about ten different statements; with H2's
        // default of 8 cached per session, some were parsed again on nearly every use.
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + file.toAbsolutePath() + ";WRITE_DELAY=0;QUERY_CACHE_SIZE=32", "sa", "");
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
            // The order of due(): with it the database reads the first due rows off the index and
            // stops at the LIMIT; without created_at and id it sorted every pending row of the
            // endpoint on each fetch (a backlog of 10,000 made each fetch read 10,000 rows).
            "DROP INDEX IF EXISTS " + p + "delivery_due",
            "CREATE INDEX IF NOT EXISTS " + p + "delivery_next ON " + p + "delivery (endpoint_id, status, next_attempt_at, created_at, id)",
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
     * Queues a message for {@code endpointIds}: the message and its deliveries are committed in
     * one transaction before this returns, usually together with what concurrent callers are
     * writing ({@link GroupCommit}). False when a message with this id is already stored (a
     * redelivered event): nothing changes.
     */
    boolean enqueue(String messageId, String eventType, byte[] payload, Instant now, List<String> endpointIds) {
        return enqueueAll(List.of(new NewMessage(messageId, eventType, payload, endpointIds)), now)[0];
    }

    /** A message to queue, with the endpoints it goes to. */
    record NewMessage(String id, String eventType, byte[] payload, List<String> endpointIds) {
        NewMessage {
            endpointIds = List.copyOf(endpointIds);
        }
    }

    /**
     * Queues several messages in one transaction (with whatever concurrent callers are writing),
     * committed before this returns; element {@code i} of the result is false when message
     * {@code i} was already stored. If that transaction fails, each message is tried again in a
     * transaction of its own: when this throws, some messages may be stored, and queueing them
     * again with the same ids is safe.
     */
    boolean[] enqueueAll(List<NewMessage> messages, Instant now) {
        Enqueue write = new Enqueue(List.copyOf(messages), now.toEpochMilli());
        commits.await(write);
        return write.stored.clone();
    }

    /** The single-write path, and the fallback when a group's transaction failed: one transaction per message. */
    private void enqueueAlone(Enqueue w) {
        for (int i = 0; i < w.messages.size(); i++) {
            w.stored[i] = enqueueAlone(w.messages.get(i), w.nowMillis);
        }
    }

    private boolean enqueueAlone(NewMessage m, long nowMillis) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statements s = new Statements(c)) {
                    s.add(m, nowMillis);
                    s.execute();
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                if (isUniqueViolation(e) && messageExists(c, m.id())) {
                    return false;
                }
                throw e;
            }
        } catch (SQLException e) {
            throw failure("queueing message " + m.id(), e);
        }
    }

    private static boolean isUniqueViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (UNIQUE_VIOLATION.equals(x.getSQLState())) {
                return true;
            }
            if (x.getCause() instanceof SQLException cause && UNIQUE_VIOLATION.equals(cause.getSQLState())) {
                return true;
            }
        }
        return false;
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
                     // endpoint_id and status are fixed by the WHERE: listed so that the order is delivery_next's
                     + " AND d.next_attempt_at <= ? ORDER BY d.endpoint_id, d.status, d.next_attempt_at, d.created_at, d.id LIMIT ?")) {
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

    /**
     * Records an attempt and the delivery's new state in one transaction, committed before this
     * returns (usually together with concurrent writes, {@link GroupCommit}).
     */
    void recordAttempt(String deliveryId, DeliveryAttempt attempt, DeliveryStatus status, int attempts, long nextAttemptAtMillis) {
        commits.await(new Outcome(deliveryId, attempt, status, attempts, nextAttemptAtMillis));
    }

    /**
     * Records an attempt like {@link #recordAttempt} but returns at once; the future completes
     * when it is committed (with the next group), or fails. Until then the store still has the
     * delivery in its previous state: a crash in between sends it again, which at-least-once
     * delivery allows (the receiver sees the same {@code webhook-id}).
     */
    java.util.concurrent.CompletableFuture<Void> recordAttemptLater(String deliveryId, DeliveryAttempt attempt, DeliveryStatus status,
                                                                    int attempts, long nextAttemptAtMillis) {
        return commits.submit(new Outcome(deliveryId, attempt, status, attempts, nextAttemptAtMillis));
    }

    private void recordAttemptAlone(Outcome w) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statements s = new Statements(c)) {
                    s.add(w);
                    s.execute();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure("recording attempt " + w.attempt.number() + " of " + w.deliveryId, e);
        }
    }

    // --- group commit ------------------------------------------------------------------------

    /** A write waiting for its commit; {@link GroupCommit} completes {@link #committed}. */
    private abstract static sealed class Write permits Enqueue, Outcome {
        final java.util.concurrent.CompletableFuture<Void> committed = new java.util.concurrent.CompletableFuture<>();
        /** A caller waits for this write's commit ({@link GroupCommit#await}); set before it is queued. */
        boolean awaited;
    }

    private static final class Enqueue extends Write {
        final List<NewMessage> messages;
        final long nowMillis;
        /** Per message: stored by this write (false: it was there already). */
        final boolean[] stored;

        Enqueue(List<NewMessage> messages, long nowMillis) {
            this.messages = messages;
            this.nowMillis = nowMillis;
            this.stored = new boolean[messages.size()];
        }
    }

    private static final class Outcome extends Write {
        final String deliveryId;
        final DeliveryAttempt attempt;
        final DeliveryStatus status;
        final int attempts;
        final long nextAttemptAtMillis;

        Outcome(String deliveryId, DeliveryAttempt attempt, DeliveryStatus status, int attempts, long nextAttemptAtMillis) {
            this.deliveryId = deliveryId;
            this.attempt = attempt;
            this.status = status;
            this.attempts = attempts;
            this.nextAttemptAtMillis = nextAttemptAtMillis;
        }
    }

    /**
     * The batched statements of one transaction: every write of a group, in up to four
     * statements, each prepared when first needed (a group of enqueues never parses the outcome
     * statements).
     */
    private final class Statements implements AutoCloseable {
        private final Connection c;
        private @Nullable PreparedStatement messages;
        private @Nullable PreparedStatement deliveries;
        private @Nullable PreparedStatement attempts;
        private @Nullable PreparedStatement states;
        private int messageRows;
        private int deliveryRows;
        private int outcomeRows;

        Statements(Connection c) {
            this.c = c;
        }

        private PreparedStatement messages() throws SQLException {
            if (messages == null) {
                messages = c.prepareStatement("INSERT INTO " + p + "message (id, event_type, payload, created_at) VALUES (?, ?, ?, ?)");
            }
            return messages;
        }

        private PreparedStatement deliveries() throws SQLException {
            if (deliveries == null) {
                deliveries = c.prepareStatement("INSERT INTO " + p + "delivery (id, endpoint_id, message_id, status,"
                        + " attempts, attempt_seq, next_attempt_at, created_at) VALUES (?, ?, ?, 'PENDING', 0, 0, ?, ?)");
            }
            return deliveries;
        }

        private PreparedStatement attempts() throws SQLException {
            if (attempts == null) {
                attempts = c.prepareStatement("INSERT INTO " + p + "attempt (delivery_id, attempt_no, attempted_at, outcome, status_code,"
                        + " latency_ms, response) VALUES (?, ?, ?, ?, ?, ?, ?)");
            }
            return attempts;
        }

        private PreparedStatement states() throws SQLException {
            if (states == null) {
                states = c.prepareStatement("UPDATE " + p + "delivery SET status = ?, attempts = ?, attempt_seq = ?, next_attempt_at = ?"
                        + " WHERE id = ?");
            }
            return states;
        }

        void add(Write w) throws SQLException {
            switch (w) {
                case Enqueue e -> {
                    for (NewMessage m : e.messages) {
                        add(m, e.nowMillis);
                    }
                }
                case Outcome o -> {
                    DeliveryAttempt a = o.attempt;
                    PreparedStatement attempts = attempts();
                    PreparedStatement states = states();
                    attempts.setString(1, o.deliveryId);
                    attempts.setInt(2, a.number());
                    attempts.setLong(3, a.at().toEpochMilli());
                    attempts.setString(4, a.outcome().name());
                    attempts.setInt(5, a.statusCode());
                    attempts.setLong(6, a.latency().toMillis());
                    attempts.setString(7, truncate(a.response(), 1024));
                    attempts.addBatch();
                    states.setString(1, o.status.name());
                    states.setInt(2, o.attempts);
                    states.setInt(3, a.number());
                    states.setLong(4, o.nextAttemptAtMillis);
                    states.setString(5, o.deliveryId);
                    states.addBatch();
                    outcomeRows++;
                }
            }
        }

        void add(NewMessage m, long nowMillis) throws SQLException {
            PreparedStatement messages = messages();
            PreparedStatement deliveries = deliveries();
            messages.setString(1, m.id());
            messages.setString(2, m.eventType());
            messages.setBytes(3, m.payload());
            messages.setLong(4, nowMillis);
            messages.addBatch();
            messageRows++;
            for (String endpointId : m.endpointIds()) {
                deliveries.setString(1, newId("dlv_"));
                deliveries.setString(2, endpointId);
                deliveries.setString(3, m.id());
                deliveries.setLong(4, nowMillis);
                deliveries.setLong(5, nowMillis);
                deliveries.addBatch();
                deliveryRows++;
            }
        }

        /** Messages before their deliveries; outcomes concern deliveries committed earlier. */
        void execute() throws SQLException {
            if (messageRows > 0) {
                messages().executeBatch();
            }
            if (deliveryRows > 0) {
                deliveries().executeBatch();
            }
            if (outcomeRows > 0) {
                attempts().executeBatch();
                states().executeBatch();
            }
        }

        @Override
        public void close() throws SQLException {
            try (PreparedStatement m = messages; PreparedStatement d = deliveries; PreparedStatement a = attempts;
                 PreparedStatement s = states) {
                // closes those prepared, even when one fails
            }
        }
    }

    /**
     * Group commit, as a database log does it: writers queue their writes and take the
     * committer's lock; whoever holds it (the leader) commits everything queued so far in one
     * transaction, so the writes arriving while a commit runs share the next one. A caller of
     * {@link #await} returns only once its own write is committed (or failed), so "returned"
     * still means "durable"; a write {@link #submit}ted without waiting is committed by the next
     * leader, or by a flush task started for it {@link #LINGER_MILLIS} later (so that the
     * outcomes of many attempts share a commit). If a group's transaction fails, its writes are
     * tried again one transaction each, so that one bad write (a duplicate message id) fails or
     * is skipped alone.
     */
    private final class GroupCommit {
        /** Bounds a transaction's size in rows (messages and outcomes); a longer queue is committed in several. */
        private static final int MAX_GROUP = 512;
        /**
         * How long a write submitted without waiting may wait for company. Only the outcomes of
         * delivered attempts are written so; until committed their deliveries stay claimed, and a
         * crash in between sends them once more, which at-least-once delivery allows.
         */
        private static final long LINGER_MILLIS = 5;
        private final java.util.concurrent.ConcurrentLinkedQueue<Write> queued = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.locks.ReentrantLock committer = new java.util.concurrent.locks.ReentrantLock();
        private final java.util.concurrent.atomic.AtomicBoolean flushScheduled = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.ExecutorService flusher = java.util.concurrent.Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("parley-webhooks-store-flush-", 0).factory());
        /**
         * The longest a leader waits for the writers it expects (see {@link #awaitCompany}): a
         * fraction of what a commit costs, so waiting pays when company comes and costs little
         * when it does not.
         */
        private static final long COMPANY_WAIT_NANOS = 200_000;
        /** Callers inside {@link #await}. */
        private final java.util.concurrent.atomic.AtomicInteger awaiting = new java.util.concurrent.atomic.AtomicInteger();
        /** Awaited writes queued and not yet taken into a group. */
        private final java.util.concurrent.atomic.AtomicInteger awaitedQueued = new java.util.concurrent.atomic.AtomicInteger();
        /** How long a peak of {@link #awaiting} counts as what a leader can expect. */
        private static final long PEAK_WINDOW_NANOS = 10_000_000;
        /** How long a writer waits for a leader to commit its write before it tries to lead itself. */
        private static final long FOLLOW_NANOS = 500_000;
        /** The most callers seen inside {@link #await} at once lately (at {@link #peakAtNanos}): how many a leader can expect. */
        private volatile int peakAwaiting;
        private volatile long peakAtNanos;
        private volatile boolean closing;

        /** Queues {@code write} and returns at once; the future completes when it is committed. */
        java.util.concurrent.CompletableFuture<Void> submit(Write write) {
            if (!enqueue(write)) {
                return write.committed;
            }
            if (!flushScheduled.getAndSet(true)) {
                try {
                    flusher.execute(() -> {
                        if (!closing) {
                            try {
                                Thread.sleep(LINGER_MILLIS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt(); // commit now, below
                            }
                        }
                        flushScheduled.set(false);
                        commitQueued(null);
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    flushScheduled.set(false); // closing: close() commits what is queued
                }
            }
            return write.committed;
        }

        /** Queues {@code write} and commits it (with whatever else is queued) before returning. */
        void await(Write write) {
            int now = awaiting.incrementAndGet();
            long t = System.nanoTime();
            if (now >= peakAwaiting || t - peakAtNanos > PEAK_WINDOW_NANOS) {
                peakAwaiting = now;
                peakAtNanos = t;
            }
            try {
                write.awaited = true;
                awaitedQueued.incrementAndGet(); // before it can be taken from the queue
                if (enqueue(write)) {
                    leadOrFollow(write);
                } else {
                    awaitedQueued.decrementAndGet();
                }
                write.committed.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            } finally {
                awaiting.decrementAndGet();
            }
        }

        /**
         * Returns once {@code write} is committed (or failed). Whoever finds the committer free
         * leads: it commits what is queued until its own write is in. The others wait for their
         * write's future, not for the lock, so a writer whose write a leader committed leaves at
         * once instead of queueing for the lock behind the next leader. A write queued after the
         * leader's last look is not lost: its writer tries to lead again every
         * {@link #FOLLOW_NANOS}.
         */
        private void leadOrFollow(Write write) {
            boolean interrupted = false;
            while (!write.committed.isDone()) {
                if (committer.tryLock()) {
                    try {
                        commitLocked(write);
                    } finally {
                        committer.unlock();
                    }
                } else {
                    try {
                        write.committed.get(FOLLOW_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        // not committed yet: try to lead
                    } catch (java.util.concurrent.ExecutionException e) {
                        break; // failed: await() reports it
                    } catch (InterruptedException e) {
                        interrupted = true; // a publish is not abandoned half-way: finish, then restore the flag
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Called by a leader about to commit for a waiting caller. When several callers have been
         * writing at once (publishers on several threads, each waiting for its commit), those
         * not queued yet are usually a few microseconds away, preparing their next write: waiting
         * briefly for them makes one commit of several writes instead of one commit each, which
         * is what bounds publishing one event per call (PostgreSQL's {@code commit_delay} does
         * the same for the same reason). A lone writer never waits.
         */
        private void awaitCompany() {
            int expected = peakAwaiting;
            long t = System.nanoTime();
            if (expected <= 1 || awaitedQueued.get() >= expected || t - peakAtNanos > PEAK_WINDOW_NANOS) {
                return;
            }
            long deadline = t + COMPANY_WAIT_NANOS;
            do {
                // Parks rather than yields: a yielding virtual thread can be resumed at once on
                // its own carrier, before the writers it waits for got to run.
                java.util.concurrent.locks.LockSupport.parkNanos(COMPANY_WAIT_NANOS / 4);
            } while (awaitedQueued.get() < expected && System.nanoTime() - deadline < 0);
        }

        private boolean enqueue(Write write) {
            if (closing) {
                write.committed.completeExceptionally(new WebhookException("webhook store " + p + "* is closed", null));
                return false;
            }
            queued.add(write);
            return true;
        }

        /** Commits queued groups until {@code until} is committed, or (null) until the queue is empty. */
        private void commitQueued(@Nullable Write until) {
            committer.lock();
            try {
                commitLocked(until);
            } finally {
                committer.unlock();
            }
        }

        /** {@link #commitQueued} with the committer's lock held. */
        private void commitLocked(@Nullable Write until) {
            List<Write> group = new ArrayList<>();
            while (until == null || !until.committed.isDone()) {
                if (until != null) {
                    awaitCompany();
                }
                int rows = 0;
                int awaited = 0;
                for (Write w; (group.isEmpty() || rows + rows(queued.peek()) <= MAX_GROUP) && (w = queued.poll()) != null; ) {
                    group.add(w);
                    rows += rows(w);
                    if (w.awaited) {
                        awaited++;
                    }
                }
                awaitedQueued.addAndGet(-awaited);
                if (group.isEmpty()) {
                    return;
                }
                commitGroup(group);
                group.clear();
            }
        }

        private static int rows(@Nullable Write w) {
            return w instanceof Enqueue e ? Math.max(1, e.messages.size()) : 1;
        }

        private void commitGroup(List<Write> group) {
            if (group.size() > 1 || rows(group.get(0)) > 1) { // one row alone: the fallback below is the same transaction
                try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(false);
                    try {
                        try (Statements s = new Statements(c)) {
                            for (Write w : group) {
                                s.add(w);
                            }
                            s.execute();
                        }
                        c.commit();
                        for (Write w : group) {
                            if (w instanceof Enqueue e) {
                                Arrays.fill(e.stored, true);
                            }
                            w.committed.complete(null);
                        }
                        return;
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                    }
                } catch (SQLException | RuntimeException e) {
                    // No connection, or the rollback failed: each write on its own below says why.
                }
            }
            for (Write w : group) {
                try {
                    switch (w) {
                        case Enqueue e -> enqueueAlone(e);
                        case Outcome o -> recordAttemptAlone(o);
                    }
                    w.committed.complete(null);
                } catch (RuntimeException ex) {
                    w.committed.completeExceptionally(ex);
                }
            }
        }

        /** Stops taking writes and commits what is queued. */
        void close() {
            closing = true;
            flusher.shutdown();
            try {
                flusher.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            commitQueued(null);
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

    /**
     * A new id: {@code prefix}, the current time in milliseconds (10 base-36 digits) and 80
     * random bits. Ids made later sort after earlier ones, so new rows land at the end of the
     * primary-key and unique indexes: a commit then rewrites a few index pages, not one page
     * per row as random ids would (H2 writes every page a commit changed).
     */
    static String newId(String prefix) {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        StringBuilder b = new StringBuilder(prefix.length() + 26).append(prefix);
        appendBase36(b, System.currentTimeMillis(), 10);
        appendBase36(b, random.nextLong() >>> 1, 13);
        appendBase36(b, random.nextInt(1 << 17), 4);
        return b.toString();
    }

    private static void appendBase36(StringBuilder b, long value, int digits) {
        String s = Long.toString(value, 36);
        for (int i = s.length(); i < digits; i++) {
            b.append('0');
        }
        b.append(s);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private WebhookException failure(String what, SQLException e) {
        return new WebhookException("webhook store (" + dialect + ", tables " + p + "*): " + what + " failed: " + e.getMessage(), e);
    }

    /**
     * Commits the writes still queued, stops taking new ones, and closes the
     * connection pool when the store created it ({@link #h2File}).
     */
    @Override
    public void close() {
        commits.close();
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
