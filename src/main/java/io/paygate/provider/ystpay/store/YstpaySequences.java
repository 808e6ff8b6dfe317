package io.paygate.provider.ystpay.store;

import io.paygate.provider.ProviderCalls;
import io.paygate.store.Database;

import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * Ystpay's request numbers (docs/decisions/0006-ystpay-sequences.md). Every request sent to Ystpay
 * carries a {@code req_seq} of 20 digits: the Asia/Shanghai date {@code yyMMdd} and the 14-digit
 * identity of its {@code ystpay_request} row, unique in the store whatever the number of gateway
 * processes. The order's payment number, its trans_seq and barcode flag, and each refund's number
 * are kept, so later calls send {@code ori_seq} and {@code trans_seq} from them.
 *
 * <p>The route {@code direct:ystpay} calls these steps around the connector (which never touches the
 * store) and passes values through exchange properties: {@code ystpayReqSeq} (this request's
 * number), {@code ystpayOriSeq}, {@code ystpayBarcode}, {@code ystpayChannel}, {@code ystpayTransSeq},
 * {@code ystpayRefundId}; {@code ystpayMissing} names what the store lacks (order, trans_seq,
 * refund, refund-amount) when the call cannot be made. After the answer the connector leaves
 * {@code ystpayAnswerTransSeq}, {@code ystpayAnswerChannel}, {@code ystpayAnswerRefundSeq} for
 * {@link #recordAnswer}.
 */
public final class YstpaySequences {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyMMdd");

    private final Database db;
    private final Clock clock;

    public YstpaySequences(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** PAY: numbers the order's payment and remembers whether it is a barcode order. */
    public void beginPay(Exchange ex) {
        PaymentRequest r = request(ex);
        String seq = db.inTransaction(c -> {
            String s = allocate(c, r.merchant(), "PAY", r.orderId(), null);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ystpay_order (merchant, order_id, pay_seq, barcode, "
                    + "channel, created_at) VALUES (?,?,?,?,?,?)")) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                ps.setString(3, s);
                ps.setBoolean(4, r.method() == PayMethod.MICRO);
                ps.setString(5, r.channel() == null ? null : r.channel().name());
                ps.setObject(6, clock.instant().atOffset(ZoneOffset.UTC));
                ps.executeUpdate();
            }
            return s;
        });
        ex.setProperty("ystpayReqSeq", seq);
        ex.setProperty("ystpayBarcode", r.method() == PayMethod.MICRO);
    }

    /** QUERY and REVERSE: the order's payment number and kind, and a new number for this request. */
    public void forOrder(Exchange ex) {
        PaymentRequest r = request(ex);
        db.inTransaction(c -> {
            if (loadOrder(c, ex, r)) {
                ex.setProperty("ystpayReqSeq", allocate(c, r.merchant(), ProviderCalls.of(ex).operation().name(),
                        r.orderId(), null));
            }
            return null;
        });
    }

    /**
     * REFUND: the order's trans_seq and the refund's number, the same number again when this
     * refundId was sent before with the same amount.
     */
    public void forRefund(Exchange ex) {
        PaymentRequest r = request(ex);
        db.inTransaction(c -> {
            if (!loadOrder(c, ex, r)) {
                return null;
            }
            if (ex.getProperty("ystpayTransSeq") == null) {
                ex.setProperty("ystpayMissing", "trans_seq");
                return null;
            }
            String refundId = r.refund().refundId();
            try (PreparedStatement ps = c.prepareStatement("SELECT refund_seq, amount FROM ystpay_refund "
                    + "WHERE merchant = ? AND order_id = ? AND refund_id = ?")) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                ps.setString(3, refundId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (rs.getLong(2) != r.refund().amount()) {
                            ex.setProperty("ystpayMissing", "refund-amount");
                            ex.setProperty("ystpayEarlierAmount", rs.getLong(2));
                        } else {
                            ex.setProperty("ystpayReqSeq", rs.getString(1));
                        }
                        return null;
                    }
                }
            }
            String seq = allocate(c, r.merchant(), "REFUND", r.orderId(), refundId);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ystpay_refund (merchant, order_id, refund_id, "
                    + "refund_seq, amount, created_at) VALUES (?,?,?,?,?,?)")) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                ps.setString(3, refundId);
                ps.setString(4, seq);
                ps.setLong(5, r.refund().amount());
                ps.setObject(6, clock.instant().atOffset(ZoneOffset.UTC));
                ps.executeUpdate();
            }
            ex.setProperty("ystpayReqSeq", seq);
            return null;
        });
    }

    /** REFUND_QUERY: the refund's number (the named refund, else the order's latest) and the order's trans_seq. */
    public void forRefundQuery(Exchange ex) {
        PaymentRequest r = request(ex);
        String refundId = r.refund() == null ? null : r.refund().refundId();
        db.inTransaction(c -> {
            if (!loadOrder(c, ex, r)) {
                return null;
            }
            String sql = "SELECT refund_seq, refund_id, amount FROM ystpay_refund WHERE merchant = ? AND order_id = ?"
                    + (refundId == null ? " ORDER BY created_at DESC, refund_seq DESC" : " AND refund_id = ?");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                if (refundId != null) {
                    ps.setString(3, refundId);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        ex.setProperty("ystpayMissing", "refund");
                        return null;
                    }
                    ex.setProperty("ystpayOriSeq", rs.getString(1));
                    ex.setProperty("ystpayRefundId", rs.getString(2));
                    ex.setProperty("ystpayRefundAmount", rs.getLong(3));
                }
            }
            if (ex.getProperty("ystpayTransSeq") == null) {
                ex.setProperty("ystpayMissing", "trans_seq");
                return null;
            }
            ex.setProperty("ystpayReqSeq", allocate(c, r.merchant(), "REFUND_QUERY", r.orderId(), refundId));
            return null;
        });
    }

    /** After an answer: the trans_seq, channel and refund id the provider told, where still unknown. */
    public void recordAnswer(Exchange ex) {
        PaymentRequest r = request(ex);
        String transSeq = ex.getProperty("ystpayAnswerTransSeq", String.class);
        String channel = ex.getProperty("ystpayAnswerChannel", String.class);
        String refundSeq = ex.getProperty("ystpayAnswerRefundSeq", String.class);
        String refundId = ex.getProperty("ystpayRefundId", String.class);
        if (refundId == null && r.refund() != null) {
            refundId = r.refund().refundId();
        }
        if (transSeq == null && channel == null && refundSeq == null) {
            return;
        }
        String finalRefundId = refundId;
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ystpay_order SET trans_seq = COALESCE(trans_seq, ?), "
                    + "channel = COALESCE(?, channel) WHERE merchant = ? AND order_id = ?")) {
                ps.setString(1, transSeq);
                ps.setString(2, channel);
                ps.setString(3, r.merchant());
                ps.setString(4, r.orderId());
                ps.executeUpdate();
            }
            if (refundSeq != null && finalRefundId != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE ystpay_refund SET provider_refund_id = ? "
                        + "WHERE merchant = ? AND order_id = ? AND refund_id = ?")) {
                    ps.setString(1, refundSeq);
                    ps.setString(2, r.merchant());
                    ps.setString(3, r.orderId());
                    ps.setString(4, finalRefundId);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /** The order whose payment was numbered {@code paySeq} (a notification names only that number). */
    public Optional<String> orderOfPaySeq(String merchant, String paySeq) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT order_id FROM ystpay_order WHERE merchant = ? AND pay_seq = ?")) {
                ps.setString(1, merchant);
                ps.setString(2, paySeq);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    private boolean loadOrder(Connection c, Exchange ex, PaymentRequest r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pay_seq, barcode, channel, trans_seq FROM ystpay_order "
                + "WHERE merchant = ? AND order_id = ?")) {
            ps.setString(1, r.merchant());
            ps.setString(2, r.orderId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    ex.setProperty("ystpayMissing", "order");
                    return false;
                }
                ex.setProperty("ystpayOriSeq", rs.getString(1));
                ex.setProperty("ystpayBarcode", rs.getBoolean(2));
                ex.setProperty("ystpayChannel", rs.getString(3));
                ex.setProperty("ystpayTransSeq", rs.getString(4));
            }
        }
        if (ex.getProperty("ystpayTransSeq") == null) {
            // The ledger may know it from a notification's confirming query made before this table did.
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT provider_trade_id FROM payment_order WHERE merchant = ? AND order_id = ?")) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) {
                        ex.setProperty("ystpayTransSeq", rs.getString(1));
                    }
                }
            }
        }
        return true;
    }

    /** A new request row; its identity makes the number. */
    private String allocate(Connection c, String merchant, String kind, String orderId, String refundId) throws SQLException {
        long id;
        java.time.Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ystpay_request (merchant, kind, order_id, refund_id, "
                + "created_at) VALUES (?,?,?,?,?)", new String[] {"id"})) {
            ps.setString(1, merchant);
            ps.setString(2, kind);
            ps.setString(3, orderId);
            ps.setString(4, refundId);
            ps.setObject(5, now.atOffset(ZoneOffset.UTC));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        String seq = reqSeq(now.atZone(io.paygate.canonical.Times.SHANGHAI).format(DAY), id);
        try (PreparedStatement ps = c.prepareStatement("UPDATE ystpay_request SET req_seq = ? WHERE id = ?")) {
            ps.setString(1, seq);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
        return seq;
    }

    static String reqSeq(String yyMMdd, long id) {
        if (id < 0 || id > 99_999_999_999_999L) {
            throw new IllegalStateException("ystpay_request identity out of the 14-digit range");
        }
        return yyMMdd + String.format("%014d", id);
    }

    private static PaymentRequest request(Exchange ex) {
        return ProviderCalls.of(ex).request();
    }
}
