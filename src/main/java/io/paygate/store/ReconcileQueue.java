package io.paygate.store;

import io.paygate.canonical.PaymentStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The store side of reconciliation (docs/reconciliation.md): which unfinished orders and refunds
 * are due for a look, and claims on them. A claim is a compare-and-set on {@code claim_until}: it
 * succeeds for one caller only while no other claim is live, so two overlapping sweeps, a barcode
 * request still waiting for its result, or (clustered) two gateway instances never query or reverse
 * the same order at once. A claim that is never released (a crash) lapses at {@code claim_until};
 * a sweep's claim of a process that died is free earlier, once that process's heartbeat in
 * {@code gateway_instance} is older than the idempotency lease.
 */
public final class ReconcileQueue {
    private static final String OPEN = "'NOTPAY', 'USERPAYING', 'UNKNOWN'";

    /** A claim's compare-and-set: table, id column, the "still open" condition. */
    private static String claimSql(String table, String idColumn, String stillOpen) {
        // Concatenated, not String.format: free() holds LIKE patterns with '%'.
        return "UPDATE " + table + " SET claim_owner = ?, claim_until = ? WHERE merchant = ? AND " + idColumn + " = ?"
                + " AND " + free("") + " AND (next_check_at IS NULL OR next_check_at <= ?)" + stillOpen;
    }

    private final Database db;
    /** This process's owner id in gateway_instance (its heartbeat), or null: claims carry no process. */
    private final String process;
    /** A claim of a process whose heartbeat is older than this is free (the idempotency lease). */
    private final java.time.Duration deadAfter;

    public ReconcileQueue(Database db) {
        this(db, null, java.time.Duration.ofSeconds(15));
    }

    /**
     * @param process   this process's owner id in {@code gateway_instance} (the one whose heartbeat
     *                  {@link IdempotencyStore} keeps): the sweeps' claims carry it, so that when this
     *                  process dies another takes its claims over once its heartbeat is older than
     *                  {@code deadAfter}, not only when the claim lapses ({@code claim-lease}, 120 s)
     * @param deadAfter the idempotency lease ({@code gateway.idempotency.lease})
     */
    public ReconcileQueue(Database db, String process, java.time.Duration deadAfter) {
        this.db = db;
        this.process = process;
        this.deadAfter = deadAfter;
    }

    /**
     * The end of a sweep's claim owner: {@code "@" + process}, so the claim is known as this
     * process's (empty when the queue has no process id).
     */
    public String ownerSuffix() {
        return process == null ? "" : "@" + process;
    }

    /**
     * SQL: the claim on the row (alias {@code t}) is free: none, lapsed, or held by a sweep of a
     * process whose heartbeat is older than {@link #deadAfter}. Two parameters: now, and now − deadAfter.
     */
    private static String free(String t) {
        return "(" + t + "claim_until IS NULL OR " + t + "claim_until < ? OR ((" + t + "claim_owner LIKE 'sweep:%@%' OR " + t + "claim_owner LIKE 'micro:%@%') AND NOT EXISTS "
                + "(SELECT 1 FROM gateway_instance g WHERE " + t + "claim_owner LIKE ('%@' || g.owner) AND g.heartbeat_at > ?)))";
    }

    /** The claim owner of a request in progress (a till's barcode payment holds its order from creation). */
    public static String requestOwner(String merchant, String requestId) {
        String plain = "request:" + merchant + ":" + requestId;
        if (plain.length() <= 80) {
            return plain;
        }
        // claim_owner holds 80 characters; merchant and requestId may have 64 each: a digest instead,
        // the same for the same request (the owner is only ever compared for equality).
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((merchant + '\u0000' + requestId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "request:" + java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unfinished order as the sweep sees it. */
    public record DueOrder(String merchant, String orderId, String provider, String method, PaymentStatus status,
                           Instant createdAt, Instant expireAt, int checks) {
    }

    /** A refund still PROCESSING. */
    public record DueRefund(String merchant, String orderId, String refundId, String provider, Instant createdAt,
                            int checks) {
    }

    /**
     * Unfinished orders due now, oldest due first: {@code next_check_at} passed, or never looked at
     * and created before {@code firstCheckBefore} ({@code microFirstCheckBefore} for barcode
     * orders), created after {@code createdAfter} (max-age), and not claimed. {@code barcode}: only
     * barcode (MICRO) orders, or only the others (each kind has its own sweep and schedule).
     */
    public List<DueOrder> dueOrders(Instant now, Instant firstCheckBefore, Instant microFirstCheckBefore,
                                    Instant createdAfter, boolean barcode, int limit) {
        String sql = dueOrdersSql(barcode);
        return db.inTransaction(c -> {
            List<DueOrder> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Ledger.setTime(ps, 1, createdAfter);
                Ledger.setTime(ps, 2, now);
                Ledger.setTime(ps, 3, now.minus(deadAfter));
                Ledger.setTime(ps, 4, now);
                Ledger.setTime(ps, 5, microFirstCheckBefore);
                Ledger.setTime(ps, 6, firstCheckBefore);
                Ledger.setTime(ps, 7, firstCheckBefore);
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DueOrder(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                PaymentStatus.valueOf(rs.getString(5)), Ledger.time(rs, 6), Ledger.time(rs, 7), rs.getInt(8)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * The due orders' query: parameters createdAfter, then {@link #free}'s two, now, microFirstCheckBefore,
     * firstCheckBefore twice. The barcode sweep's ({@code method = 'MICRO'}, every second) is served by
     * {@code ix_payment_order_method}, so it reads the barcode orders only ({@code BarcodeSweepIndexTest}).
     */
    static String dueOrdersSql(boolean barcode) {
        return "SELECT merchant, order_id, provider, method, status, created_at, expire_at, check_count "
                + "FROM payment_order WHERE status IN (" + OPEN + ") AND created_at >= ? "
                + "AND " + free("") + " "
                + "AND (next_check_at <= ? OR (next_check_at IS NULL AND ((method = 'MICRO' AND created_at <= ?) "
                + "OR (method <> 'MICRO' AND created_at <= ?) OR (method IS NULL AND created_at <= ?))))"
                + (barcode ? " AND method = 'MICRO'" : " AND (method IS NULL OR method <> 'MICRO')")
                + " ORDER BY COALESCE(next_check_at, created_at), merchant, order_id";
    }

    /**
     * The reconciliation's backlog (metrics): unfinished orders created after {@code createdAfter}
     * (max-age) whose next check has passed, or never checked and created before
     * {@code firstCheckBefore}; claimed ones included.
     */
    public long backlog(Instant now, Instant firstCheckBefore, Instant createdAfter) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM payment_order WHERE status IN (" + OPEN
                    + ") AND created_at >= ? AND (next_check_at <= ? OR (next_check_at IS NULL AND created_at <= ?))")) {
                Ledger.setTime(ps, 1, createdAfter);
                Ledger.setTime(ps, 2, now);
                Ledger.setTime(ps, 3, firstCheckBefore);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** When the oldest unfinished order was created (metrics); empty when none is open. */
    public java.util.Optional<Instant> oldestOpen() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MIN(created_at) FROM payment_order WHERE status IN ("
                    + OPEN + ")")) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return java.util.Optional.ofNullable(Ledger.time(rs, 1));
                }
            }
        });
    }

    /** How many unfinished orders are older than max-age (no longer queried; reported). */
    public long abandoned(Instant createdBefore) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM payment_order WHERE status IN (" + OPEN
                    + ") AND created_at < ?")) {
                Ledger.setTime(ps, 1, createdBefore);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Refunds PROCESSING and due now (never looked at and older than {@code firstCheckBefore}, or due). */
    public List<DueRefund> dueRefunds(Instant now, Instant firstCheckBefore, Instant createdAfter, int limit) {
        String sql = "SELECT r.merchant, r.order_id, r.refund_id, o.provider, r.created_at, r.check_count "
                + "FROM order_refund r JOIN payment_order o ON o.merchant = r.merchant AND o.order_id = r.order_id "
                + "WHERE r.status = 'PROCESSING' AND r.created_at >= ? AND " + free("r.") + " "
                + "AND (r.next_check_at <= ? OR (r.next_check_at IS NULL AND r.created_at <= ?)) "
                + "ORDER BY COALESCE(r.next_check_at, r.created_at), r.merchant, r.refund_id";
        return db.inTransaction(c -> {
            List<DueRefund> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Ledger.setTime(ps, 1, createdAfter);
                Ledger.setTime(ps, 2, now);
                Ledger.setTime(ps, 3, now.minus(deadAfter));
                Ledger.setTime(ps, 4, now);
                Ledger.setTime(ps, 5, firstCheckBefore);
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DueRefund(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                Ledger.time(rs, 5), rs.getInt(6)));
                    }
                }
            }
            return out;
        });
    }

    /** {@link #releaseOrder} inside the caller's transaction (with the change the look made). */
    public void releaseOrderIn(Connection c, String merchant, String orderId, String owner, Instant nextCheckAt,
                               boolean counted) throws SQLException {
        release(c, "payment_order", "order_id", merchant, orderId, owner, nextCheckAt, counted);
    }

    /**
     * Claims the order until {@code until}: false when someone else holds a live claim, the order
     * is final by now (a payment recorded since it was found due is never worked on), or it is no
     * longer due (another sweep looked at it since and set its next look).
     */
    public boolean claimOrder(String merchant, String orderId, String owner, Instant now, Instant until) {
        return claim("payment_order", "order_id", " AND status IN (" + OPEN + ")", merchant, orderId, owner, now, until);
    }

    /** One order by its key. */
    public record OrderKey(String merchant, String orderId) {
    }

    /**
     * {@link #claimOrder} for several orders inside the caller's transaction (one statement per
     * order, sent as one JDBC batch; the sweep reads the claimed orders in the same transaction):
     * which of them the caller holds once it commits, in the order given. The same compare-and-set
     * as one by one, so two sweeps never hold the same order.
     */
    public boolean[] claimOrdersIn(Connection c, List<OrderKey> orders, String owner, Instant now, Instant until)
            throws SQLException {
        boolean[] claimed = new boolean[orders.size()];
        if (orders.isEmpty()) {
            return claimed;
        }
        try (PreparedStatement ps = c.prepareStatement(claimSql("payment_order", "order_id", " AND status IN (" + OPEN + ")"))) {
            for (OrderKey o : orders) {
                ps.setString(1, owner);
                Ledger.setTime(ps, 2, until);
                ps.setString(3, o.merchant());
                ps.setString(4, o.orderId());
                Ledger.setTime(ps, 5, now);
                Ledger.setTime(ps, 6, now.minus(deadAfter));
                Ledger.setTime(ps, 7, now);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                claimed[i] = counts[i] == 1;
            }
        }
        return claimed;
    }

    /**
     * Extends the caller's own claim before its next provider call: false when the claim is no
     * longer the caller's (it lapsed and another took the order) or the order became final; the
     * caller must then leave the order alone.
     */
    public boolean renewOrder(String merchant, String orderId, String owner, Instant until) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE payment_order SET claim_until = ? WHERE merchant = ? "
                    + "AND order_id = ? AND claim_owner = ? AND status IN (" + OPEN + ")")) {
                Ledger.setTime(ps, 1, until);
                ps.setString(2, merchant);
                ps.setString(3, orderId);
                ps.setString(4, owner);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Releases the caller's claim and sets when the order is looked at next. */
    public void releaseOrder(String merchant, String orderId, String owner, Instant nextCheckAt, boolean counted) {
        release("payment_order", "order_id", merchant, orderId, owner, nextCheckAt, counted);
    }

    public boolean claimRefund(String merchant, String refundId, String owner, Instant now, Instant until) {
        return claim("order_refund", "refund_id", " AND status = 'PROCESSING'", merchant, refundId, owner, now, until);
    }

    public void releaseRefund(String merchant, String refundId, String owner, Instant nextCheckAt, boolean counted) {
        release("order_refund", "refund_id", merchant, refundId, owner, nextCheckAt, counted);
    }

    private boolean claim(String table, String idColumn, String stillOpen, String merchant, String id, String owner,
                          Instant now, Instant until) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(claimSql(table, idColumn, stillOpen))) {
                ps.setString(1, owner);
                Ledger.setTime(ps, 2, until);
                ps.setString(3, merchant);
                ps.setString(4, id);
                Ledger.setTime(ps, 5, now);
                Ledger.setTime(ps, 6, now.minus(deadAfter));
                Ledger.setTime(ps, 7, now);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private void release(String table, String idColumn, String merchant, String id, String owner, Instant nextCheckAt,
                         boolean counted) {
        db.inTransaction(c -> {
            release(c, table, idColumn, merchant, id, owner, nextCheckAt, counted);
            return null;
        });
    }

    private static void release(Connection c, String table, String idColumn, String merchant, String id, String owner,
                                Instant nextCheckAt, boolean counted) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET claim_owner = NULL, claim_until = NULL, "
                + "next_check_at = ?, check_count = check_count + ? WHERE merchant = ? AND " + idColumn
                + " = ? AND claim_owner = ?")) {
            Ledger.setTime(ps, 1, nextCheckAt);
            ps.setInt(2, counted ? 1 : 0);
            ps.setString(3, merchant);
            ps.setString(4, id);
            ps.setString(5, owner);
            ps.executeUpdate();
        }
    }
}
