package io.paygate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Idempotency records keyed by (merchant, requestId). A record is claimed (IN_PROGRESS, owned by
 * this process) before the provider is called and completed with the exact answer, so a replay
 * returns the same status and body, across restarts.
 */
public final class IdempotencyStore {
    public enum Kind {
        /** First time: the caller owns the request and must complete it. */
        NEW,
        /** Done before: answer with the stored status and body. */
        REPLAY,
        /** Same key, other content. */
        CONFLICT,
        /** Another thread of this process is working on it: wait. */
        IN_FLIGHT,
        /**
         * Claimed by a process that is gone (it died mid-request); now owned by the caller, who must
         * not assume the provider never saw it.
         */
        ORPHANED
    }

    public record Claim(Kind kind, Integer httpStatus, String body) {
    }

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

    private final Database db;
    private final Clock clock;
    private final String owner;
    private final Duration lease;
    /** Keys a request of this process works on now ({@link #begin}). */
    private final java.util.Set<String> working = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public IdempotencyStore(Database db, Clock clock, String owner) {
        this(db, clock, owner, DEFAULT_LEASE);
    }

    /**
     * {@code owner} identifies this process's life. A record of another owner is an orphan only when
     * that owner's heartbeat is older than {@code lease}: a live process keeps what it claimed.
     * The process calls {@link #heartbeat()} well within the lease (the gateway: every lease / 3).
     */
    public IdempotencyStore(Database db, Clock clock, String owner, Duration lease) {
        this.db = db;
        this.clock = clock;
        this.owner = owner;
        this.lease = lease;
        heartbeat();
    }

    /** This process life's owner id (its row in gateway_instance). */
    public String owner() {
        return owner;
    }

    /** Tells other processes sharing the store that this one is alive. */
    public void heartbeat() {
        db.inTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE gateway_instance SET heartbeat_at = ? WHERE owner = ?")) {
                Ledger.setTime(up, 1, clock.instant());
                up.setString(2, owner);
                if (up.executeUpdate() == 0) {
                    try (PreparedStatement in = c.prepareStatement("INSERT INTO gateway_instance (owner, heartbeat_at) "
                            + "VALUES (?, ?)")) {
                        in.setString(1, owner);
                        Ledger.setTime(in, 2, clock.instant());
                        in.executeUpdate();
                    }
                }
            }
            return null;
        });
    }

    /**
     * For a store only this process can open (the embedded database file): every other owner is
     * an earlier life of this gateway, dead by construction, so its requests are taken over at once.
     */
    public void retireOtherOwners() {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM gateway_instance WHERE owner <> ?")) {
                ps.setString(1, owner);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private boolean isAlive(Connection c, String holder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT heartbeat_at FROM gateway_instance WHERE owner = ?")) {
            ps.setString(1, holder);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                Instant beat = Ledger.time(rs, 1);
                return beat.plus(lease).isAfter(clock.instant());
            }
        }
    }

    /**
     * Notes that a request of this process now works on the key, until {@link #end}: true when no
     * other request of this process does. A record of this process's own that is still
     * {@code IN_PROGRESS} while no request of it works on the key is the remains of an attempt that
     * failed (the store went away mid-request): {@link #claim(String, String, String, boolean)} takes
     * it over as {@link Kind#ORPHANED} instead of waiting for an answer that will never come.
     */
    public boolean begin(String merchant, String requestId) {
        return working.add(key(merchant, requestId));
    }

    /** The request that {@link #begin}s the key has ended (answered or failed). */
    public void end(String merchant, String requestId) {
        working.remove(key(merchant, requestId));
    }

    private static String key(String merchant, String requestId) {
        return merchant + '\u0000' + requestId;
    }

    public Claim claim(String merchant, String requestId, String hash) {
        return claim(merchant, requestId, hash, false);
    }

    /** {@code begun}: the caller {@link #begin}s the key (so no other request of this process works on it). */
    public Claim claim(String merchant, String requestId, String hash, boolean begun) {
        return db.inTransaction(c -> claimIn(c, merchant, requestId, hash, begun));
    }

    /**
     * The same inside the caller's transaction: a new PAY's claim commits with its order row, or
     * neither does. When the key is taken, the caller's transaction so far is rolled back (the
     * failed insert aborts it on PostgreSQL) before the existing record is read: call this before
     * anything the transaction writes.
     */
    public Claim claimIn(Connection c, String merchant, String requestId, String hash, boolean begun) throws SQLException {
        {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO idempotency_record (merchant, request_id, "
                    + "request_hash, state, owner, created_at) VALUES (?,?,?,'IN_PROGRESS',?,?)")) {
                ps.setString(1, merchant);
                ps.setString(2, requestId);
                ps.setString(3, hash);
                ps.setString(4, owner);
                Ledger.setTime(ps, 5, clock.instant());
                ps.executeUpdate();
                return new Claim(Kind.NEW, null, null);
            } catch (SQLException e) {
                if (!Database.isUniqueViolation(e)) {
                    throw e;
                }
                c.rollback();
            }
            return existing(c, merchant, requestId, hash, begun);
        }
    }

    /** Re-reads a claim (used while waiting for an in-flight copy). */
    public Claim recheck(String merchant, String requestId, String hash) {
        return recheck(merchant, requestId, hash, false);
    }

    public Claim recheck(String merchant, String requestId, String hash, boolean begun) {
        return db.inTransaction(c -> existing(c, merchant, requestId, hash, begun));
    }

    private Claim existing(Connection c, String merchant, String requestId, String hash, boolean begun) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT request_hash, state, owner, http_status, response_body "
                + "FROM idempotency_record WHERE merchant = ? AND request_id = ?")) {
            ps.setString(1, merchant);
            ps.setString(2, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("idempotency record vanished: " + requestId);
                }
                if (!rs.getString(1).equals(hash)) {
                    return new Claim(Kind.CONFLICT, null, null);
                }
                if ("COMPLETE".equals(rs.getString(2))) {
                    return new Claim(Kind.REPLAY, rs.getInt(4), rs.getString(5));
                }
                String holder = rs.getString(3);
                if (holder.equals(owner) ? !begun : isAlive(c, holder)) {
                    return new Claim(Kind.IN_FLIGHT, null, null);
                }
                try (PreparedStatement take = c.prepareStatement("UPDATE idempotency_record SET owner = ? WHERE "
                        + "merchant = ? AND request_id = ? AND owner = ? AND state = 'IN_PROGRESS'")) {
                    take.setString(1, owner);
                    take.setString(2, merchant);
                    take.setString(3, requestId);
                    take.setString(4, holder);
                    return take.executeUpdate() == 1 ? new Claim(Kind.ORPHANED, null, null)
                            : new Claim(Kind.IN_FLIGHT, null, null);
                }
            }
        }
    }

    public void complete(String merchant, String requestId, int httpStatus, String body) {
        db.inTransaction(c -> {
            completeIn(c, merchant, requestId, httpStatus, body);
            return null;
        });
    }

    /** The same inside the caller's transaction (with the ledger change the answer reports). */
    public void completeIn(Connection c, String merchant, String requestId, int httpStatus, String body) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE idempotency_record SET state = 'COMPLETE', "
                + "http_status = ?, response_body = ?, completed_at = ? WHERE merchant = ? AND request_id = ?")) {
            ps.setInt(1, httpStatus);
            ps.setString(2, body);
            Ledger.setTime(ps, 3, clock.instant());
            ps.setString(4, merchant);
            ps.setString(5, requestId);
            ps.executeUpdate();
        }
    }

    /** Lets a request that failed before any provider call be sent again with the same key. */
    public void release(String merchant, String requestId) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_record WHERE merchant = ? AND "
                    + "request_id = ? AND state = 'IN_PROGRESS' AND owner = ?")) {
                ps.setString(1, merchant);
                ps.setString(2, requestId);
                ps.setString(3, owner);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<String> ownerOf(String merchant, String requestId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT owner FROM idempotency_record WHERE merchant = ? "
                    + "AND request_id = ?")) {
                ps.setString(1, merchant);
                ps.setString(2, requestId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }
}
