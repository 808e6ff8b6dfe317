package io.paygate.store;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.FieldError;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentEvent;
import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import io.paygate.canonical.Times;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The refunds of an order (docs/status.md, "Refunds"). A refund moves PROCESSING → SUCCESS or
 * FAILED and never back; each final move writes one event (REFUND_SUCCEEDED / REFUND_FAILED) to the
 * outbox in the same transaction, and a successful refund moves the order to REFUND through the
 * ledger's one transition operation.
 *
 * <p>Before a REFUND is sent, {@link #reserve} records it as PROCESSING under the order's row lock,
 * so two concurrent refunds cannot both pass the paid-amount check. A provider's outright refusal
 * {@link #release releases} the reservation; an answer the gateway did not get keeps it PROCESSING
 * for a REFUND_QUERY to settle.
 */
public final class Refunds {
    public static final String PROCESSING = "PROCESSING";
    public static final String SUCCESS = "SUCCESS";
    public static final String FAILED = "FAILED";

    private final Database db;
    private final Ledger ledger;
    private final Clock clock;

    public Refunds(Database db, Ledger ledger, Clock clock) {
        this.db = db;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** What {@link #reserve} decided: send the refund, ask after the one sent before, or refuse. */
    public record Reservation(Optional<PaymentError> refused, boolean sentBefore) {
        static Reservation send() {
            return new Reservation(Optional.empty(), false);
        }

        static Reservation refuse(PaymentError e) {
            return new Reservation(Optional.of(e), false);
        }
    }

    /**
     * Records a refund about to be sent. The same refundId again (same order and amount) is the
     * refund sent before: it is never sent a second time (not every provider has a merchant refund
     * number that makes a repeat harmless), the caller asks after it with REFUND_QUERY instead. A
     * refundId whose refund FAILED, or that names another order or amount, is refused.
     */
    public Reservation reserve(String merchant, String orderId, String refundId, long amount, String reason,
                               String requestId) {
        return db.inTransaction(c -> {
            Optional<OrderRecord> order = ledger.lock(c, merchant, orderId);
            if (order.isEmpty()) {
                return Reservation.refuse(PaymentError.of(ErrorCode.ORDER_NOT_FOUND, "no order " + orderId
                        + " for merchant " + merchant + " in the gateway's ledger", false));
            }
            Optional<Row> same = find(c, merchant, refundId);
            if (same.isPresent()) {
                Row r = same.get();
                if (!r.orderId.equals(orderId) || r.amount != amount) {
                    return Reservation.refuse(PaymentError.invalid(List.of(new FieldError("refund.refundId",
                            "was used for another refund (order " + r.orderId + ", amount " + r.amount + ")"))));
                }
                if (FAILED.equals(r.status)) {
                    return Reservation.refuse(PaymentError.invalid(List.of(new FieldError("refund.refundId",
                            "names a refund that failed; send the refund again under a new refundId"))));
                }
                return new Reservation(Optional.empty(), true);
            }
            OrderRecord o = order.get();
            if (o.status() == PaymentStatus.SUCCESS || o.status() == PaymentStatus.REFUND) {
                long paid = o.paidAmount() != null ? o.paidAmount() : o.amount() == null ? Long.MAX_VALUE : o.amount();
                long committed = 0;
                for (Row r : rows(c, merchant, orderId)) {
                    if (!FAILED.equals(r.status)) {
                        committed += r.amount;
                    }
                }
                if (committed + amount > paid) {
                    return Reservation.refuse(PaymentError.of(ErrorCode.REFUND_EXCEEDS_PAID, "refund of " + amount
                            + " fen exceeds what is left of the payment: paid " + paid + ", refunded or in progress "
                            + committed, false));
                }
            }
            Instant now = clock.instant();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO order_refund (merchant, refund_id, order_id, "
                    + "amount, reason, status, request_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, merchant);
                ps.setString(2, refundId);
                ps.setString(3, orderId);
                ps.setLong(4, amount);
                ps.setString(5, reason == null ? null : reason.substring(0, Math.min(reason.length(), 256)));
                ps.setString(6, PROCESSING);
                ps.setString(7, requestId);
                Ledger.setTime(ps, 8, now);
                Ledger.setTime(ps, 9, now);
                ps.executeUpdate();
            }
            return Reservation.send();
        });
    }

    /**
     * Drops a reservation the provider refused outright (it made no refund). A refund the provider
     * did record (it has a provider id, or has moved on) is kept.
     */
    public void releaseIn(Connection c, String merchant, String refundId, String requestId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM order_refund WHERE merchant = ? AND refund_id = ? "
                + "AND request_id = ? AND status = ? AND provider_refund_id IS NULL")) {
            ps.setString(1, merchant);
            ps.setString(2, refundId);
            ps.setString(3, requestId);
            ps.setString(4, PROCESSING);
            ps.executeUpdate();
        }
    }

    /**
     * Applies what a provider reported about one refund of the order, in the caller's transaction:
     * inserts a refund the gateway did not know (made elsewhere, found by a query), fills in the
     * provider's id and time, and moves PROCESSING → SUCCESS / FAILED with its event. A report that
     * would move a final refund is stale and changes nothing. Returns the event id, if one was made.
     */
    public Optional<String> applyIn(Connection c, String merchant, String orderId, RefundInfo reported, Source source)
            throws SQLException {
        if (reported.refundId() == null && reported.providerRefundId() != null) {
            // A provider without merchant refund numbers (Pooul v2) reports only its own id: the
            // gateway's refund is the one stored with that id.
            String providerId = reported.providerRefundId();
            List<Row> all = rows(c, merchant, orderId);
            Optional<Row> known = all.stream().filter(r -> providerId.equals(r.providerRefundId())).findFirst();
            if (known.isEmpty() && reported.amount() != null) {
                // Not bound yet (the provider's id was never learned): the order's one refund still
                // waiting for an id with this amount is it; with two such candidates nothing is guessed.
                Long amount = reported.amount();
                List<Row> unbound = all.stream().filter(r -> r.providerRefundId() == null && PROCESSING.equals(r.status())
                        && r.amount() == amount).toList();
                if (unbound.size() == 1) {
                    known = Optional.of(unbound.get(0));
                }
            }
            if (known.isEmpty()) {
                return Optional.empty();
            }
            reported = new RefundInfo(known.get().refundId(), reported.providerRefundId(), reported.amount(),
                    reported.status(), reported.refundedAt());
        }
        if (reported.refundId() == null || reported.status() == null) {
            return Optional.empty();
        }
        Optional<OrderRecord> order = ledger.lock(c, merchant, orderId);
        if (order.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant refundedAt = Times.parse(reported.refundedAt());
        Optional<Row> found = find(c, merchant, reported.refundId());
        String before;
        if (found.isEmpty()) {
            if (reported.amount() == null) {
                return Optional.empty();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO order_refund (merchant, refund_id, order_id, "
                    + "provider_refund_id, amount, status, refunded_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, merchant);
                ps.setString(2, reported.refundId());
                ps.setString(3, orderId);
                ps.setString(4, reported.providerRefundId());
                ps.setLong(5, reported.amount());
                ps.setString(6, PROCESSING);
                Ledger.setTime(ps, 7, refundedAt);
                Ledger.setTime(ps, 8, now);
                Ledger.setTime(ps, 9, now);
                ps.executeUpdate();
            }
            before = PROCESSING;
        } else {
            Row r = found.get();
            if (!r.orderId.equals(orderId)) {
                return Optional.empty();
            }
            before = r.status;
            try (PreparedStatement ps = c.prepareStatement("UPDATE order_refund SET provider_refund_id = "
                    + "COALESCE(provider_refund_id, ?), refunded_at = COALESCE(refunded_at, ?), updated_at = ? "
                    + "WHERE merchant = ? AND refund_id = ?")) {
                ps.setString(1, reported.providerRefundId());
                Ledger.setTime(ps, 2, refundedAt);
                Ledger.setTime(ps, 3, now);
                ps.setString(4, merchant);
                ps.setString(5, reported.refundId());
                ps.executeUpdate();
            }
        }
        String to = reported.status();
        if (!PROCESSING.equals(before) || PROCESSING.equals(to) || !(SUCCESS.equals(to) || FAILED.equals(to))) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE order_refund SET status = ?, updated_at = ? "
                + "WHERE merchant = ? AND refund_id = ? AND status = ?")) {
            ps.setString(1, to);
            Ledger.setTime(ps, 2, now);
            ps.setString(3, merchant);
            ps.setString(4, reported.refundId());
            ps.setString(5, PROCESSING);
            if (ps.executeUpdate() == 0) {
                return Optional.empty();
            }
        }
        OrderRecord o = order.get();
        if (SUCCESS.equals(to)) {
            o = ledger.applyIn(c, new Transition(merchant, orderId, PaymentStatus.REFUND, source, null, null, null, null,
                    null, "refund " + reported.refundId())).order();
        }
        Row after = find(c, merchant, reported.refundId()).orElseThrow();
        String type = SUCCESS.equals(to) ? PaymentEvent.REFUND_SUCCEEDED : PaymentEvent.REFUND_FAILED;
        String eventId = eventId(merchant, orderId, reported.refundId(), type);
        ledger.outbox(c, new PaymentEvent(eventId, type, merchant, o.provider(), orderId, o.status(), o.amount(),
                o.providerTradeId(), o.channelTradeId(), Times.format(o.paidAt()), after.info(), o.attach(), o.storeId(),
                source, Times.format(now)), now);
        return Optional.of(eventId);
    }

    /** The same outcome of the same refund always gets the same event id. */
    public static String eventId(String merchant, String orderId, String refundId, String type) {
        return UUID.nameUUIDFromBytes((merchant + '\u0000' + orderId + '\u0000' + refundId + '\u0000' + type)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Every refund of the order, oldest first. */
    public List<RefundInfo> of(String merchant, String orderId) {
        return db.inTransaction(c -> ofIn(c, merchant, orderId));
    }

    public List<RefundInfo> ofIn(Connection c, String merchant, String orderId) throws SQLException {
        return rows(c, merchant, orderId).stream().map(Row::info).toList();
    }

    /** One refund by the merchant's refund id. */
    public Optional<RefundInfo> find(String merchant, String refundId) {
        return db.inTransaction(c -> find(c, merchant, refundId).map(Row::info));
    }

    /** A refund still PROCESSING, for the follow-up by REFUND_QUERY. */
    public record Pending(String merchant, String orderId, String refundId, Instant createdAt, Instant updatedAt) {
    }

    /** Refunds still PROCESSING, least recently touched first. */
    public List<Pending> processing(int limit) {
        return db.inTransaction(c -> {
            List<Pending> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT merchant, order_id, refund_id, created_at, updated_at "
                    + "FROM order_refund WHERE status = ? ORDER BY updated_at")) {
                ps.setString(1, PROCESSING);
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Pending(rs.getString(1), rs.getString(2), rs.getString(3), Ledger.time(rs, 4),
                                Ledger.time(rs, 5)));
                    }
                }
            }
            return out;
        });
    }

    private record Row(String refundId, String orderId, String providerRefundId, long amount, String status,
                       Instant refundedAt) {
        RefundInfo info() {
            return new RefundInfo(refundId, providerRefundId, amount, status, Times.format(refundedAt));
        }
    }

    private static final String COLUMNS = "refund_id, order_id, provider_refund_id, amount, status, refunded_at";

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                Ledger.time(rs, 6));
    }

    private static Optional<Row> find(Connection c, String merchant, String refundId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM order_refund WHERE merchant = ? "
                + "AND refund_id = ?")) {
            ps.setString(1, merchant);
            ps.setString(2, refundId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static List<Row> rows(Connection c, String merchant, String orderId) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM order_refund WHERE merchant = ? "
                + "AND order_id = ? ORDER BY created_at, refund_id")) {
            ps.setString(1, merchant);
            ps.setString(2, orderId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        }
        return out;
    }
}
