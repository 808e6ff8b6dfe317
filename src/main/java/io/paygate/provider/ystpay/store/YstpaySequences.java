package io.paygate.provider.ystpay.store;

import io.paygate.canonical.Channel;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ystpay.YstpayAnswered;
import io.paygate.provider.ystpay.YstpayNumbers;
import io.paygate.provider.ystpay.YstpayNumbers.Missing;
import io.paygate.route.RouteProperties;
import io.paygate.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.apache.camel.ExchangeProperty;

/**
 * Ystpay's request numbers (docs/decisions/0006-ystpay-sequences.md). Every request sent to Ystpay
 * carries a {@code req_seq} of 20 digits: the Asia/Shanghai date {@code yyMMdd} and the 14-digit
 * identity of its {@code ystpay_request} row, unique in the store whatever the number of gateway
 * processes. The order's payment number, its trans_seq and barcode flag, and each refund's number
 * are kept, so later calls send {@code ori_seq} and {@code trans_seq} from them.
 *
 * <p>Bean {@code ystpaySequences} of routes/ystpay.yaml: {@code beginPay}, {@code forOrder},
 * {@code forRefund} and {@code forRefundQuery} are the operations' {@code prepare} step and leave a
 * {@link YstpayNumbers} note on the call (naming what the store lacks when the call cannot be made:
 * the connector's request builder then refuses it); {@link #recordAnswer} is their {@code record}
 * step and keeps what the connector's result mapper left in a {@link YstpayAnswered} note. The
 * connector never touches the store.
 */
public final class YstpaySequences {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyMMdd");

    private final Database db;
    private final Clock clock;

    public YstpaySequences(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The order as this table knows it. */
    private record StoredOrder(String paySeq, boolean barcode, Channel channel, String transSeq) {
        YstpayNumbers numbers(String reqSeq, String oriSeq, String refundId, Long refundAmount, Missing missing,
                              Long earlierAmount) {
            return new YstpayNumbers(reqSeq, oriSeq, barcode, channel, transSeq, refundId, refundAmount, missing,
                    earlierAmount);
        }

        /** QUERY, REVERSE and REFUND: a request about the order's payment. */
        YstpayNumbers about(String reqSeq) {
            return numbers(reqSeq, paySeq, null, null, null, null);
        }

        YstpayNumbers lacking(Missing missing) {
            return numbers(null, paySeq, null, null, missing, null);
        }
    }

    /** PAY: numbers the order's payment and remembers whether it is a barcode order. */
    public void beginPay(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        boolean barcode = r.method() == PayMethod.MICRO;
        String seq = db.inTransaction(c -> {
            String s = allocate(c, r.merchant(), "PAY", r.orderId(), null);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ystpay_order (merchant, order_id, pay_seq, barcode, "
                    + "channel, created_at) VALUES (?,?,?,?,?,?)")) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                ps.setString(3, s);
                ps.setBoolean(4, barcode);
                ps.setString(5, r.channel() == null ? null : r.channel().name());
                ps.setObject(6, clock.instant().atOffset(ZoneOffset.UTC));
                ps.executeUpdate();
            }
            return s;
        });
        call.note(YstpayNumbers.class, YstpayNumbers.payment(seq, barcode, r.channel()));
    }

    /** QUERY and REVERSE: the order's payment number and kind, and a new number for this request. */
    public void forOrder(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        call.note(YstpayNumbers.class, db.inTransaction(c -> {
            Optional<StoredOrder> order = loadOrder(c, r);
            if (order.isEmpty()) {
                return YstpayNumbers.unknownOrder();
            }
            return order.get().about(allocate(c, r.merchant(), call.operation().name(), r.orderId(), null));
        }));
    }

    /**
     * REFUND: the order's trans_seq and the refund's number, the same number again when this
     * refundId was sent before with the same amount.
     */
    public void forRefund(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        call.note(YstpayNumbers.class, db.inTransaction(c -> {
            Optional<StoredOrder> found = loadOrder(c, r);
            if (found.isEmpty()) {
                return YstpayNumbers.unknownOrder();
            }
            StoredOrder order = found.get();
            if (order.transSeq() == null) {
                return order.lacking(Missing.TRANS_SEQ);
            }
            String refundId = r.refund().refundId();
            try (PreparedStatement ps = c.prepareStatement("SELECT refund_seq, amount FROM ystpay_refund "
                    + "WHERE merchant = ? AND order_id = ? AND refund_id = ?")) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                ps.setString(3, refundId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long earlier = rs.getLong(2);
                        return earlier != r.refund().amount()
                                ? order.numbers(null, null, null, null, Missing.REFUND_AMOUNT, earlier)
                                : order.about(rs.getString(1));
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
            return order.about(seq);
        }));
    }

    /** REFUND_QUERY: the refund's number (the named refund, else the order's latest) and the order's trans_seq. */
    public void forRefundQuery(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        String refundId = r.refund() == null ? null : r.refund().refundId();
        call.note(YstpayNumbers.class, db.inTransaction(c -> {
            Optional<StoredOrder> found = loadOrder(c, r);
            if (found.isEmpty()) {
                return YstpayNumbers.unknownOrder();
            }
            StoredOrder order = found.get();
            String sql = "SELECT refund_seq, refund_id, amount FROM ystpay_refund WHERE merchant = ? AND order_id = ?"
                    + (refundId == null ? " ORDER BY created_at DESC, refund_seq DESC" : " AND refund_id = ?");
            String refundSeq;
            String storedRefundId;
            long amount;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                if (refundId != null) {
                    ps.setString(3, refundId);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return order.lacking(Missing.REFUND);
                    }
                    refundSeq = rs.getString(1);
                    storedRefundId = rs.getString(2);
                    amount = rs.getLong(3);
                }
            }
            if (order.transSeq() == null) {
                return order.numbers(null, refundSeq, storedRefundId, amount, Missing.TRANS_SEQ, null);
            }
            return order.numbers(allocate(c, r.merchant(), "REFUND_QUERY", r.orderId(), refundId), refundSeq,
                    storedRefundId, amount, null, null);
        }));
    }

    /** After an answer: the trans_seq, channel and refund id the provider told, where still unknown. */
    public void recordAnswer(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        YstpayAnswered answered = call.note(YstpayAnswered.class).orElse(null);
        if (answered == null || answered.isEmpty()) {
            return;
        }
        PaymentRequest r = call.request();
        String refundId = call.note(YstpayNumbers.class).map(YstpayNumbers::refundId).orElse(null);
        if (refundId == null && r.refund() != null) {
            refundId = r.refund().refundId();
        }
        String finalRefundId = refundId;
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ystpay_order SET trans_seq = COALESCE(trans_seq, ?), "
                    + "channel = COALESCE(?, channel) WHERE merchant = ? AND order_id = ?")) {
                ps.setString(1, answered.transSeq());
                ps.setString(2, answered.channel() == null ? null : answered.channel().name());
                ps.setString(3, r.merchant());
                ps.setString(4, r.orderId());
                ps.executeUpdate();
            }
            if (answered.refundSeq() != null && finalRefundId != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE ystpay_refund SET provider_refund_id = ? "
                        + "WHERE merchant = ? AND order_id = ? AND refund_id = ?")) {
                    ps.setString(1, answered.refundSeq());
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

    private Optional<StoredOrder> loadOrder(Connection c, PaymentRequest r) throws SQLException {
        StoredOrder order;
        try (PreparedStatement ps = c.prepareStatement("SELECT pay_seq, barcode, channel, trans_seq FROM ystpay_order "
                + "WHERE merchant = ? AND order_id = ?")) {
            ps.setString(1, r.merchant());
            ps.setString(2, r.orderId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String channel = rs.getString(3);
                order = new StoredOrder(rs.getString(1), rs.getBoolean(2), channel == null ? null : Channel.valueOf(channel),
                        rs.getString(4));
            }
        }
        if (order.transSeq() == null) {
            // The ledger may know it from a notification's confirming query made before this table did.
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT provider_trade_id FROM payment_order WHERE merchant = ? AND order_id = ?")) {
                ps.setString(1, r.merchant());
                ps.setString(2, r.orderId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) {
                        order = new StoredOrder(order.paySeq(), order.barcode(), order.channel(), rs.getString(1));
                    }
                }
            }
        }
        return Optional.of(order);
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
}
