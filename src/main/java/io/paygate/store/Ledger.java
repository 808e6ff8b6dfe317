package io.paygate.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.PaymentEvent;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult.DeliveryEntry;
import io.paygate.canonical.PaymentResult.HistoryEntry;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import io.paygate.canonical.Times;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The order ledger. {@link #apply} is the one operation that changes an order's status: a
 * compare-and-set on the row's version, the history row and, when the move makes an event, the
 * outbox row, all in one transaction.
 */
public final class Ledger {
    private static final int CAS_ATTEMPTS = 10;
    private static final String ORDER_COLUMNS = "merchant, order_id, provider, method, channel, amount, subject, attach, "
            + "store_id, device_id, notify_url, expire_at, status, provider_trade_id, channel_trade_id, paid_amount, "
            + "coupon_amount, paid_at, created_at, updated_at, version";
    private static final String SELECT_ORDER = "SELECT " + ORDER_COLUMNS + " FROM payment_order WHERE merchant = ? AND order_id = ?";

    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;

    public Ledger(Database db, ObjectMapper json, Clock clock) {
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    /** Records a new order in status UNKNOWN, before the provider is called. */
    public OrderRecord create(PaymentRequest r) {
        return db.inTransaction(c -> {
            createIn(c, r);
            return find(c, r.merchant(), r.orderId()).orElseThrow();
        });
    }

    /**
     * The same inside the caller's transaction (a new PAY's order row commits with its idempotency
     * claim). Throws {@link DuplicateOrderException} when the order exists; the caller's transaction
     * must then be rolled back (PostgreSQL has aborted it).
     */
    public void createIn(Connection c, PaymentRequest r) throws SQLException {
        Instant now = clock.instant();
        {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO payment_order (" + ORDER_COLUMNS
                    + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                ps.setString(3, r.provider());
                ps.setString(4, r.method() == null ? null : r.method().name());
                ps.setString(5, r.channel() == null ? null : r.channel().name());
                setLong(ps, 6, r.amount());
                ps.setString(7, r.subject());
                ps.setString(8, r.attach());
                ps.setString(9, r.storeId());
                ps.setString(10, r.deviceId());
                ps.setString(11, r.notifyUrl());
                setTime(ps, 12, Times.parse(r.expireAt()));
                ps.setString(13, PaymentStatus.UNKNOWN.name());
                ps.setString(14, null);
                ps.setString(15, null);
                setLong(ps, 16, null);
                setLong(ps, 17, null);
                setTime(ps, 18, null);
                setTime(ps, 19, now);
                setTime(ps, 20, now);
                ps.setInt(21, 0);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    throw new DuplicateOrderException(r.merchant(), r.orderId());
                }
                throw e;
            }
            history(c, r.merchant(), r.orderId(), null, PaymentStatus.UNKNOWN, true, Source.REQUEST, null, now);
        }
    }

    /** Applies a reported status under the transition rules; safe to call concurrently and repeatedly. */
    public TransitionOutcome apply(Transition t) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            TransitionOutcome outcome = db.inTransaction(c -> {
                TransitionOutcome o = tryApply(c, t, find(c, t.merchant(), t.orderId()));
                if (o == null) {
                    c.rollback();
                }
                return o;
            });
            if (outcome != null) {
                return outcome;
            }
        }
        throw new IllegalStateException("order " + t.orderId() + " kept changing under " + CAS_ATTEMPTS + " attempts");
    }

    /**
     * The same operation inside the caller's transaction (a notification is stored with the change
     * it makes). The order's row is locked first, so concurrent callers take turns.
     */
    public TransitionOutcome applyIn(Connection c, Transition t) throws SQLException {
        // The locked row is the order as it is: tryApply starts from it instead of reading it again.
        TransitionOutcome outcome = tryApply(c, t, lock(c, t.merchant(), t.orderId()));
        if (outcome == null) {
            throw new IllegalStateException("order " + t.orderId() + " changed under its row lock");
        }
        return outcome;
    }

    /** Locks the order's row until the transaction ends; the order as it is now, if any. */
    public Optional<OrderRecord> lock(Connection c, String merchant, String orderId) throws SQLException {
        return select(c, merchant, orderId, " FOR UPDATE");
    }

    /** Whether every field the report carries is already on the order (the update's COALESCEs keep what is there). */
    private static boolean addsNothing(OrderRecord o, Transition t) {
        return (t.providerTradeId() == null || o.providerTradeId() != null)
                && (t.channelTradeId() == null || o.channelTradeId() != null)
                && (t.paidAmount() == null || o.paidAmount() != null)
                && (t.couponAmount() == null || o.couponAmount() != null)
                && (t.paidAt() == null || o.paidAt() != null);
    }

    /**
     * One compare-and-set attempt; null when another writer changed the row in between. A report
     * of the status the order has that adds nothing to it writes nothing (UNCHANGED, the order as read).
     */
    private TransitionOutcome tryApply(Connection c, Transition t, Optional<OrderRecord> found) throws SQLException {
        if (found.isEmpty()) {
            return new TransitionOutcome(TransitionOutcome.Kind.NO_ORDER, null, null);
        }
        OrderRecord o = found.get();
        // To the microsecond, as the column keeps it: the order returned below is the row as stored.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        boolean move = o.status() != t.to() && StatusRules.allowed(o.status(), t.to());
        if (o.status() != t.to() && !move) {
            history(c, t.merchant(), t.orderId(), o.status(), t.to(), false, t.source(), t.note(), now);
            return new TransitionOutcome(TransitionOutcome.Kind.STALE, o, null);
        }
        if (!move && addsNothing(o, t)) {
            // The status it has, and nothing the order lacks (a sweep's NOTPAY for an unpaid order, a
            // notification repeated): nothing to write. The row as read was committed, so UNCHANGED
            // is true of it; a writer that moved the order since decides its own outcome.
            return new TransitionOutcome(TransitionOutcome.Kind.UNCHANGED, o, null);
        }
        String sql = "UPDATE payment_order SET status = ?, provider_trade_id = COALESCE(provider_trade_id, ?), "
                + "channel_trade_id = COALESCE(channel_trade_id, ?), paid_amount = COALESCE(paid_amount, ?), "
                + "coupon_amount = COALESCE(coupon_amount, ?), paid_at = COALESCE(paid_at, ?), updated_at = ?, "
                + "version = version + 1 WHERE merchant = ? AND order_id = ? AND version = ?";
        Instant paidAt = t.paidAt() == null ? null : t.paidAt().truncatedTo(ChronoUnit.MICROS);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, t.to().name());
            ps.setString(2, t.providerTradeId());
            ps.setString(3, t.channelTradeId());
            setLong(ps, 4, t.paidAmount());
            setLong(ps, 5, t.couponAmount());
            setTime(ps, 6, paidAt);
            setTime(ps, 7, now);
            ps.setString(8, t.merchant());
            ps.setString(9, t.orderId());
            ps.setInt(10, o.version());
            if (ps.executeUpdate() == 0) {
                return null;
            }
        }
        // The row as the update left it, without reading it again: the update matched the version
        // read, and every change of these columns moves the version (the reconciliation's claims
        // touch only columns of their own), so the row was o, changed as the SET says.
        OrderRecord after = new OrderRecord(o.merchant(), o.orderId(), o.provider(), o.method(), o.channel(), o.amount(),
                o.subject(), o.attach(), o.storeId(), o.deviceId(), o.notifyUrl(), o.expireAt(), t.to(),
                o.providerTradeId() != null ? o.providerTradeId() : t.providerTradeId(),
                o.channelTradeId() != null ? o.channelTradeId() : t.channelTradeId(),
                o.paidAmount() != null ? o.paidAmount() : t.paidAmount(),
                o.couponAmount() != null ? o.couponAmount() : t.couponAmount(),
                o.paidAt() != null ? o.paidAt() : paidAt, o.createdAt(), now, o.version() + 1);
        if (!move) {
            return new TransitionOutcome(TransitionOutcome.Kind.UNCHANGED, after, null);
        }
        history(c, t.merchant(), t.orderId(), o.status(), t.to(), true, t.source(), t.note(), now);
        String type = StatusRules.eventFor(o.status(), t.to());
        String eventId = null;
        if (type != null) {
            eventId = eventId(t.merchant(), t.orderId(), type);
            PaymentEvent event = new PaymentEvent(eventId, type, after.merchant(), after.provider(), after.orderId(),
                    after.status(), after.amount(), after.providerTradeId(), after.channelTradeId(),
                    Times.format(after.paidAt()), null, after.attach(), after.storeId(), t.source(), Times.format(now));
            outbox(c, event, now);
        }
        return new TransitionOutcome(TransitionOutcome.Kind.APPLIED, after, eventId);
    }

    /** Writes an event to the outbox in the caller's transaction. */
    void outbox(Connection c, PaymentEvent event, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox_event (event_id, merchant, order_id, "
                + "type, payload, created_at) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, event.eventId());
            ps.setString(2, event.merchant());
            ps.setString(3, event.orderId());
            ps.setString(4, event.type());
            ps.setString(5, toJson(event));
            setTime(ps, 6, now);
            ps.executeUpdate();
        }
    }

    /** The same transition of the same order always gets the same id. */
    public static String eventId(String merchant, String orderId, String type) {
        return UUID.nameUUIDFromBytes((merchant + '\u0000' + orderId + '\u0000' + type).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    public Optional<OrderRecord> find(String merchant, String orderId) {
        return db.inTransaction(c -> find(c, merchant, orderId));
    }

    /** The same inside the caller's transaction. */
    public Optional<OrderRecord> findIn(Connection c, String merchant, String orderId) throws SQLException {
        return find(c, merchant, orderId);
    }

    public List<HistoryEntry> history(String merchant, String orderId) {
        return db.inTransaction(c -> {
            List<HistoryEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT to_status, at, source FROM order_history "
                    + "WHERE merchant = ? AND order_id = ? AND applied = TRUE ORDER BY id")) {
                ps.setString(1, merchant);
                ps.setString(2, orderId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new HistoryEntry(PaymentStatus.valueOf(rs.getString(1)), Times.format(time(rs, 2)),
                                Source.valueOf(rs.getString(3))));
                    }
                }
            }
            return out;
        });
    }

    /** Every history row, also the stale reports that changed nothing (for audits and tests). */
    public List<String> auditTrail(String merchant, String orderId) {
        return db.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT from_status, to_status, applied, source FROM "
                    + "order_history WHERE merchant = ? AND order_id = ? ORDER BY id")) {
                ps.setString(1, merchant);
                ps.setString(2, orderId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1) + "->" + rs.getString(2) + (rs.getBoolean(3) ? "" : " (stale)")
                                + " " + rs.getString(4));
                    }
                }
            }
            return out;
        });
    }

    public List<DeliveryEntry> deliveries(String merchant, String orderId) {
        return db.inTransaction(c -> {
            List<DeliveryEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT event_id, attempt, at, outcome, http_status FROM "
                    + "delivery_attempt WHERE merchant = ? AND order_id = ? ORDER BY id")) {
                ps.setString(1, merchant);
                ps.setString(2, orderId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int status = rs.getInt(5);
                        Integer httpStatus = rs.wasNull() ? null : status;
                        out.add(new DeliveryEntry(rs.getString(1), rs.getInt(2), Times.format(time(rs, 3)),
                                rs.getString(4), httpStatus));
                    }
                }
            }
            return out;
        });
    }

    /** Outbox payloads not yet published, oldest first. */
    public List<String> unpublishedEvents(int limit) {
        return pendingEvents(limit).stream().map(OutboxEvent::payload).toList();
    }

    /** An outbox row: the event's id and its JSON. */
    public record OutboxEvent(String eventId, String payload) {
    }

    /** Outbox rows not yet published, oldest first (the events topic relay reads these). */
    public List<OutboxEvent> pendingEvents(int limit) {
        return db.inTransaction(c -> {
            List<OutboxEvent> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT event_id, payload FROM outbox_event "
                    + "WHERE published_at IS NULL ORDER BY created_at, event_id")) {
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new OutboxEvent(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    /** The order's most recent event (JSON), for an operator's resend. */
    public Optional<OutboxEvent> lastEvent(String merchant, String orderId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT event_id, payload FROM outbox_event WHERE merchant = ? "
                    + "AND order_id = ? ORDER BY created_at DESC, event_id DESC")) {
                ps.setString(1, merchant);
                ps.setString(2, orderId);
                ps.setMaxRows(1);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new OutboxEvent(rs.getString(1), rs.getString(2))) : Optional.empty();
                }
            }
        });
    }

    /** Records one callback delivery attempt (shown by GET /api/v1/payments/{merchant}/{orderId}). */
    public void recordDelivery(String eventId, String merchant, String orderId, int attempt, String outcome, Integer httpStatus) {
        recordDeliveries(List.of(new DeliveryAttempt(eventId, merchant, orderId, attempt, clock.instant(), outcome, httpStatus)));
    }

    /** A callback delivery attempt to record; {@code at} is when it ended. */
    public record DeliveryAttempt(String eventId, String merchant, String orderId, int attempt, Instant at, String outcome,
                                  Integer httpStatus) {
    }

    /** Records callback delivery attempts, all in one transaction (io.paygate.delivery.AttemptLog's group commit). */
    public void recordDeliveries(List<DeliveryAttempt> attempts) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO delivery_attempt (event_id, merchant, order_id, "
                    + "attempt, at, outcome, http_status) VALUES (?,?,?,?,?,?,?)")) {
                for (DeliveryAttempt a : attempts) {
                    ps.setString(1, a.eventId());
                    ps.setString(2, a.merchant());
                    ps.setString(3, a.orderId());
                    ps.setInt(4, a.attempt());
                    setTime(ps, 5, a.at());
                    ps.setString(6, a.outcome());
                    if (a.httpStatus() == null) {
                        ps.setNull(7, Types.INTEGER);
                    } else {
                        ps.setInt(7, a.httpStatus());
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** Marks an outbox row sent. Sending again before this is harmless: the id stays the same. */
    public void markPublished(String eventId) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_event SET published_at = ? WHERE event_id = ? "
                    + "AND published_at IS NULL")) {
                setTime(ps, 1, clock.instant());
                ps.setString(2, eventId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Marks outbox rows sent, all in one transaction (the relay's batch). */
    public void markPublished(java.util.Collection<String> eventIds) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_event SET published_at = ? WHERE event_id = ? "
                    + "AND published_at IS NULL")) {
                Instant now = clock.instant();
                for (String id : eventIds) {
                    setTime(ps, 1, now);
                    ps.setString(2, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * A page of the merchant's orders created in [from, to), oldest first. {@code after} is the
     * last (createdAt, orderId) of the previous page.
     */
    public List<OrderRecord> list(String merchant, Instant from, Instant to, PaymentStatus status,
                                  Instant afterCreated, String afterOrderId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + ORDER_COLUMNS + " FROM payment_order WHERE merchant = ? "
                + "AND created_at >= ? AND created_at < ?");
        if (status != null) {
            sql.append(" AND status = ?");
        }
        if (afterCreated != null) {
            sql.append(" AND (created_at > ? OR (created_at = ? AND order_id > ?))");
        }
        sql.append(" ORDER BY created_at, order_id");
        return db.inTransaction(c -> {
            List<OrderRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setString(i++, merchant);
                setTime(ps, i++, from);
                setTime(ps, i++, to);
                if (status != null) {
                    ps.setString(i++, status.name());
                }
                if (afterCreated != null) {
                    setTime(ps, i++, afterCreated);
                    setTime(ps, i++, afterCreated);
                    ps.setString(i++, afterOrderId);
                }
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(order(rs));
                    }
                }
            }
            return out;
        });
    }

    private Optional<OrderRecord> find(Connection c, String merchant, String orderId) throws SQLException {
        return select(c, merchant, orderId, "");
    }

    private Optional<OrderRecord> select(Connection c, String merchant, String orderId, String lock) throws SQLException {
        if (!lock.isEmpty()) {
            // The locked read is on every PAY, notification and sweep check, and H2 would parse it
            // on each prepare: kept prepared with the connection (Database.kept).
            return order(db.kept(c, SELECT_ORDER + lock), merchant, orderId);
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT_ORDER)) {
            return order(ps, merchant, orderId);
        }
    }

    private static Optional<OrderRecord> order(PreparedStatement ps, String merchant, String orderId) throws SQLException {
        ps.setString(1, merchant);
        ps.setString(2, orderId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(order(rs)) : Optional.empty();
        }
    }

    private static OrderRecord order(ResultSet rs) throws SQLException {
        return new OrderRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                longOrNull(rs, 6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getString(11), time(rs, 12), PaymentStatus.valueOf(rs.getString(13)), rs.getString(14),
                rs.getString(15), longOrNull(rs, 16), longOrNull(rs, 17), time(rs, 18), time(rs, 19), time(rs, 20),
                rs.getInt(21));
    }

    private void history(Connection c, String merchant, String orderId, PaymentStatus from, PaymentStatus to,
                         boolean applied, Source source, String note, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO order_history (merchant, order_id, from_status, "
                + "to_status, applied, source, note, at) VALUES (?,?,?,?,?,?,?,?)")) {
            ps.setString(1, merchant);
            ps.setString(2, orderId);
            ps.setString(3, from == null ? null : from.name());
            ps.setString(4, to.name());
            ps.setBoolean(5, applied);
            ps.setString(6, source.name());
            ps.setString(7, note == null ? null : note.substring(0, Math.min(note.length(), 256)));
            setTime(ps, 8, at);
            ps.executeUpdate();
        }
    }

    private String toJson(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    static void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, t.atOffset(ZoneOffset.UTC));
        }
    }

    static Instant time(ResultSet rs, int i) throws SQLException {
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Long longOrNull(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

}
