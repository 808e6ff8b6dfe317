package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Times;
import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import io.paygate.notify.NoticeRejected;
import io.paygate.notify.NotificationCodec;
import io.paygate.provider.AnswerRejected;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Pooul's pay and refund notifications, both APIs, at one address ({@code /notify/pooul/{merchant}}):
 * the merchant profile's {@code api} says how to verify. Classic: JSON whose MD5 {@code sign} covers
 * the {@code data} object. v2: a JWT by the platform key, whose payload is the notice's fields
 * (flat, or inside {@code data}; docs/protocols/pooul.md has the shape assumed). The notice must
 * name the profile's merchant_id. A refund notification is told apart by its refund fields.
 */
public final class PooulNotifyCodec implements NotificationCodec {
    private static final byte[] SUCCESS = "success".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FAIL = "fail".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String provider() {
        return "pooul";
    }

    private final java.time.Clock clock;

    public PooulNotifyCodec() {
        this(java.time.Clock.systemUTC());
    }

    /** {@code clock} decides whether a rotation's previous key is still accepted. */
    public PooulNotifyCodec(java.time.Clock clock) {
        this.clock = clock;
    }

    @Override
    public Notice decode(byte[] raw, MerchantProfile profile) {
        PooulSettings p = profile.settings(PooulSettings.class);
        if (p == null) {
            throw new NoticeRejected("merchant " + profile.id() + " has no Pooul settings");
        }
        JsonNode data = p.v2() ? v2(raw, p) : classic(raw, p, clock.instant());
        String merchant = PooulFields.text(data, "merchant_id");
        if (merchant == null || !merchant.equals(p.merchantId())) {
            throw new NoticeRejected("notification names another merchant_id, or none");
        }
        try {
            return isRefund(data) ? refund(data) : payment(data);
        } catch (PooulFields.Unreadable e) {
            throw new NoticeRejected("notification with an unreadable field: " + e.getMessage());
        }
    }

    private static JsonNode classic(byte[] raw, PooulSettings p, java.time.Instant now) {
        JsonNode root = json(raw);
        JsonNode data = root.get("data");
        String sign = PooulFields.text(root, "sign");
        if (data == null || !data.isObject() || sign == null) {
            throw new NoticeRejected("notification without data or sign");
        }
        boolean verified = false;
        for (String key : p.notificationKeys(now)) {
            verified |= PooulSigner.verify(PooulSigner.fieldsOf(data), sign, key);
        }
        if (!verified) {
            throw new NoticeRejected("notification signature does not verify with the merchant's MD5 key");
        }
        String code = PooulFields.text(root, "code");
        if (code != null && !"0".equals(code)) {
            throw new NoticeRejected("notification with code " + code);
        }
        return data;
    }

    private static JsonNode v2(byte[] raw, PooulSettings p) {
        String token = new String(raw, StandardCharsets.UTF_8).trim();
        byte[] payload;
        try {
            payload = PooulJwt.verify(token, p.platformKey());
        } catch (PooulJwt.Invalid e) {
            throw new NoticeRejected("notification is not a valid token: " + e.getMessage());
        }
        JsonNode root = json(payload);
        String code = PooulFields.text(root, "code");
        if (code != null && !"0".equals(code)) {
            throw new NoticeRejected("notification with code " + code);
        }
        JsonNode data = root.get("data");
        return data != null && data.isObject() ? data : root;
    }

    private static boolean isRefund(JsonNode d) {
        return d.has("refund_id") || d.has("mch_refund_id") || d.has("refund_status") || d.has("refund_state");
    }

    /**
     * A paid order is applied as it stands. Any other state in a notification (failed, closed…) is
     * about one attempt: the provider's order state, asked by QUERY, decides it.
     */
    private static Notice payment(JsonNode d) {
        String orderId = required(d, "mch_trade_id");
        String state = PooulFields.text(d, "trade_state");
        String payResult = PooulFields.text(d, "pay_result");
        boolean paid = state != null ? PooulCodes.tradeState(state) == PaymentStatus.SUCCESS
                : "0".equals(payResult);
        if (!paid) {
            return Notice.confirmByQuery(Notice.Kind.PAYMENT, orderId, "pooul:" + orderId + ":" + state + ":" + payResult);
        }
        String tradeId = required(d, "trade_id");
        Long total = PooulFields.fen(d, "total_fee");
        Long coupon = PooulFields.fen(d, "coupon_fee");
        Long cash = PooulFields.fen(d, "cash_fee");
        Long paid0 = cash != null ? cash : total == null ? null : total - (coupon == null ? 0 : coupon);
        String channel = PooulFields.text(d, "out_trade_id");
        return new Notice(Notice.Kind.PAYMENT, false, orderId, PaymentStatus.SUCCESS, total, tradeId,
                channel != null ? channel : PooulFields.text(d, "ch_trade_id"), paid0, coupon,
                PooulFields.time(d, "time_end"), PooulFields.text(d, "attach"), null, "pooul:" + tradeId + ":SUCCESS");
    }

    /** Refund: classic names the gateway's refund id (mch_refund_id); v2 only Pooul's (refund_id). */
    private static Notice refund(JsonNode d) {
        String orderId = required(d, "mch_trade_id");
        String providerRefundId = PooulFields.text(d, "refund_id");
        String refundId = PooulFields.text(d, "mch_refund_id");
        if (providerRefundId == null && refundId == null) {
            throw new NoticeRejected("refund notification without refund_id");
        }
        String status = PooulCodes.refundStatus(PooulFields.text(d, d.has("refund_state") ? "refund_state" : "refund_status"));
        Instant at = PooulFields.time(d, d.has("refund_time") ? "refund_time" : "time_end");
        RefundInfo refund = new RefundInfo(refundId, providerRefundId, PooulFields.fen(d, "refund_fee"), status,
                "SUCCESS".equals(status) ? Times.format(at) : null);
        String key = providerRefundId != null ? providerRefundId : refundId;
        return new Notice(Notice.Kind.REFUND, false, orderId, null, PooulFields.fen(d, "total_fee"),
                PooulFields.text(d, "trade_id"), null, null, null, null, null, refund, "pooul-refund:" + key + ":" + status);
    }

    private static String required(JsonNode d, String name) {
        String v = PooulFields.text(d, name);
        if (v == null) {
            throw new NoticeRejected("notification without " + name);
        }
        return v;
    }

    private static JsonNode json(byte[] raw) {
        try {
            return PooulFields.parse(raw, "notification");
        } catch (AnswerRejected e) {
            throw new NoticeRejected("unreadable notification: " + e.getMessage());
        }
    }

    @Override
    public byte[] successReply() {
        return SUCCESS.clone();
    }

    @Override
    public byte[] failureReply(String reason) {
        return FAIL.clone();
    }

    @Override
    public String replyContentType() {
        return "text/plain; charset=UTF-8";
    }
}
