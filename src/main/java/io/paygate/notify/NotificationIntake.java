package io.paygate.notify;

import io.paygate.canonical.Operation;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.Source;
import io.paygate.canonical.Times;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.ProviderCalls;
import io.paygate.route.RouteProperties;
import io.paygate.store.Database;
import io.paygate.store.Ledger;
import io.paygate.store.OrderRecord;
import io.paygate.store.Transition;
import io.paygate.store.TransitionOutcome;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /notify/{provider}/{merchant}} (routes/notify.yaml): the provider's codec verifies and
 * parses; a verified notice is, in one local transaction, kept raw for audit, checked against the
 * stored order and applied through the ledger (history and outbox row) — and only then answered
 * with the provider's success reply. A notice that cannot be verified on its own is confirmed by a
 * QUERY, whose answer alone changes the order. Anything else changes nothing and gets the failure
 * reply, so the provider sends it again later.
 */
public final class NotificationIntake {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationIntake.class);

    public enum Outcome { APPLIED, UNCHANGED, STALE, REJECTED, UNKNOWN_MERCHANT, UNKNOWN_ORDER, MISMATCH, TOO_LARGE, QUERIED }

    private final Map<String, NotificationCodec> codecs;
    private final ProviderCalls calls;
    private final MerchantDirectory merchants;
    private final Database db;
    private final Ledger ledger;
    private final io.paygate.store.Refunds refunds;
    private final Clock clock;
    private final int maxBytes;

    public NotificationIntake(Map<String, NotificationCodec> codecs, ProviderCalls calls,
                              MerchantDirectory merchants, Database db, Ledger ledger, io.paygate.store.Refunds refunds,
                              Clock clock, int maxBytes) {
        this.refunds = refunds;
        this.codecs = Map.copyOf(codecs);
        this.calls = calls;
        this.merchants = merchants;
        this.db = db;
        this.ledger = ledger;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    public void receive(Exchange ex) {
        String provider = ex.getMessage().getHeader("provider", String.class);
        String merchant = ex.getMessage().getHeader("merchant", String.class);
        byte[] raw = ex.getMessage().getBody(byte[].class);
        raw = raw == null ? new byte[0] : raw;
        NotificationCodec codec = codecs.get(provider);
        RouteProperties.NOTIFY_PROVIDER.set(ex, codec == null ? "unknown" : codec.provider());
        ex.getMessage().getHeaders().clear();
        if (codec == null) {
            String body = "{\"error\":{\"code\":\"INVALID_REQUEST\",\"message\":\"no notifications from this provider\","
                    + "\"retryable\":false}}";
            reply(ex, 404, "application/json", body.getBytes(StandardCharsets.UTF_8), Outcome.REJECTED);
            return;
        }
        RouteProperties.NOTIFY_CODEC.set(ex, codec);
        if (raw.length > maxBytes) {
            // Nothing stored: an oversized body is no notification of any provider.
            fail(ex, codec, 413, Outcome.TOO_LARGE, "larger than " + maxBytes + " bytes");
            return;
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        // Unverified bodies are kept only in part: anyone can post them, and the log must not become
        // a way to fill the database.
        String unverified = cut(text, 1024);
        Optional<MerchantProfile> profile = merchants.byId(merchant);
        if (profile.isEmpty() || !profile.get().supports(provider)) {
            log(provider, merchant, null, null, Outcome.UNKNOWN_MERCHANT, "no such merchant for this provider", unverified);
            fail(ex, codec, 400, Outcome.UNKNOWN_MERCHANT, "unknown merchant");
            return;
        }
        io.paygate.route.LogContext.order(ex, profile.get().id(), null, codec.provider(), null);
        Notice notice;
        try {
            notice = codec.decode(raw, profile.get());
        } catch (NoticeRejected e) {
            LOG.warn("{} notification for merchant {} rejected: {}", provider, merchant, e.getMessage());
            log(provider, merchant, null, null, Outcome.REJECTED, e.getMessage(), unverified);
            fail(ex, codec, 400, Outcome.REJECTED, "rejected");
            return;
        }
        io.paygate.route.LogContext.order(ex, null, notice.orderId(), null, null);
        // A payment notice that names no amount cannot be checked against the order: a QUERY confirms it.
        boolean confirm = notice.confirmByQuery() || (notice.kind() == Notice.Kind.PAYMENT
                && notice.status() == io.paygate.canonical.PaymentStatus.SUCCESS && notice.amount() == null);
        if (confirm) {
            Optional<OrderRecord> known = ledger.find(merchant, notice.orderId());
            if (known.isEmpty() || !known.get().provider().equals(provider)) {
                // Never spend the merchant's provider quota on orders the gateway does not have.
                log(provider, merchant, notice.orderId(), notice.dedupeKey(), Outcome.UNKNOWN_ORDER, "no such order", text);
                fail(ex, codec, 400, Outcome.UNKNOWN_ORDER, "unknown_order");
                return;
            }
            RouteProperties.NOTIFY_CONFIRM_BY_QUERY.set(ex, true);
            RouteProperties.NOTIFY_NOTICE.set(ex, notice);
            RouteProperties.NOTIFY_RAW.set(ex, text);
            prepareQuery(ex, provider, profile.get(), notice.orderId());
            return;
        }
        Outcome outcome = db.inTransaction(c -> applyVerified(c, provider, merchant, notice, text));
        if (outcome == Outcome.APPLIED || outcome == Outcome.UNCHANGED || outcome == Outcome.STALE) {
            reply(ex, 200, codec.replyContentType(), codec.successReply(), outcome);
        } else {
            fail(ex, codec, 400, outcome, outcome.name().toLowerCase());
        }
    }

    /** Raw row, order check and ledger transition, in the caller's one transaction. */
    private Outcome applyVerified(Connection c, String provider, String merchant, Notice n, String raw) throws SQLException {
        Optional<OrderRecord> order = ledger.lock(c, merchant, n.orderId());
        Outcome outcome;
        String reason = null;
        if (order.isEmpty() || !order.get().provider().equals(provider)) {
            outcome = Outcome.UNKNOWN_ORDER;
            reason = "no such order";
        } else if (n.amount() != null && !n.amount().equals(order.get().amount())) {
            outcome = Outcome.MISMATCH;
            reason = "amount " + n.amount() + " but the order is " + order.get().amount();
            LOG.warn("{} notification for order {} of merchant {} does not match the order: {}", provider, n.orderId(),
                    merchant, reason);
        } else if (n.kind() == Notice.Kind.REFUND) {
            // A refund's own status moves (PROCESSING -> SUCCESS / FAILED) with its event; a repeat changes nothing.
            outcome = refunds.applyIn(c, merchant, n.orderId(), n.refund(), Source.NOTIFY).isPresent()
                    ? Outcome.APPLIED : Outcome.UNCHANGED;
        } else {
            TransitionOutcome t = ledger.applyIn(c, new Transition(merchant, n.orderId(), n.status(), Source.NOTIFY,
                    n.providerTradeId(), n.channelTradeId(), n.paidAmount(), n.couponAmount(), n.paidAt(), n.dedupeKey()));
            outcome = Outcome.valueOf(t.kind().name());
        }
        insertLog(c, provider, merchant, n.orderId(), n.dedupeKey(), outcome, reason, raw);
        return outcome;
    }

    /** A QUERY of the order through the provider's route: only its answer may change the order. */
    private void prepareQuery(Exchange ex, String provider, MerchantProfile profile, String orderId) {
        PaymentRequest query = new PaymentRequest("1", "notify-" + UUID.randomUUID(), profile.id(), provider,
                Operation.QUERY, orderId, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
        ProviderCalls.put(ex, calls.call(query, profile, Operation.QUERY, null, false));
    }

    /** After the confirming QUERY: its status goes through the ledger with source QUERY. */
    public void confirmed(Exchange ex) {
        NotificationCodec codec = RouteProperties.NOTIFY_CODEC.get(ex);
        Notice n = RouteProperties.NOTIFY_NOTICE.get(ex);
        PaymentRequest q = ProviderCalls.of(ex).request();
        PaymentResult r = ex.getMessage().getBody(PaymentResult.class);
        String raw = RouteProperties.NOTIFY_RAW.get(ex);
        if (r == null || r.status() == null || r.error() != null) {
            log(q.provider(), q.merchant(), n.orderId(), n.dedupeKey(), Outcome.UNKNOWN_ORDER, "the confirming query found nothing", raw);
            fail(ex, codec, 400, Outcome.UNKNOWN_ORDER, "not confirmed");
            return;
        }
        Outcome outcome = db.inTransaction(c -> {
            Optional<OrderRecord> order = ledger.lock(c, q.merchant(), n.orderId());
            Outcome o;
            if (order.isEmpty() || !order.get().provider().equals(q.provider())) {
                o = Outcome.UNKNOWN_ORDER;
            } else if (r.amount() != null && !r.amount().equals(order.get().amount())) {
                o = Outcome.MISMATCH;
            } else {
                ledger.applyIn(c, new Transition(q.merchant(), n.orderId(), r.status(), Source.QUERY, r.providerTradeId(),
                        r.channelTradeId(), r.paidAmount(), r.couponAmount(), Times.parse(r.paidAt()), n.dedupeKey()));
                o = Outcome.QUERIED;
            }
            insertLog(c, q.provider(), q.merchant(), n.orderId(), n.dedupeKey(), o, null, raw);
            return o;
        });
        if (outcome == Outcome.QUERIED) {
            reply(ex, 200, codec.replyContentType(), codec.successReply(), outcome);
        } else {
            fail(ex, codec, 400, outcome, outcome.name().toLowerCase());
        }
    }

    private void fail(Exchange ex, NotificationCodec codec, int status, Outcome outcome, String reason) {
        reply(ex, status, codec.replyContentType(), codec.failureReply(reason), outcome);
    }

    private static void reply(Exchange ex, int status, String contentType, byte[] body, Outcome outcome) {
        RouteProperties.NOTIFY_OUTCOME.set(ex, outcome.name());
        RouteProperties.HTTP_STATUS.set(ex, status);
        RouteProperties.NOTIFY_CONTENT_TYPE.set(ex, contentType);
        ex.getMessage().getHeaders().clear();
        ex.getMessage().setBody(body);
    }

    private void log(String provider, String merchant, String orderId, String dedupeKey, Outcome outcome, String reason,
                     String raw) {
        db.inTransaction(c -> {
            insertLog(c, provider, merchant, orderId, dedupeKey, outcome, reason, raw);
            return null;
        });
    }

    private void insertLog(Connection c, String provider, String merchant, String orderId, String dedupeKey,
                           Outcome outcome, String reason, String raw) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notification_log (provider, merchant, order_id, "
                + "dedupe_key, outcome, reason, raw_body, received_at) VALUES (?,?,?,?,?,?,?,?)")) {
            ps.setString(1, cut(provider, 16));
            ps.setString(2, cut(merchant, 64));
            ps.setString(3, cut(orderId, 32));
            ps.setString(4, cut(dedupeKey, 128));
            ps.setString(5, outcome.name());
            ps.setString(6, cut(reason, 256));
            ps.setString(7, cut(raw, 16384));
            ps.setObject(8, clock.instant().atOffset(java.time.ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
