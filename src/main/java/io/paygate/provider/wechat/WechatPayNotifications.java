package io.paygate.provider.wechat;

import static io.paygate.provider.wechat.WechatNotificationFields.fen;
import static io.paygate.provider.wechat.WechatNotificationFields.parse;
import static io.paygate.provider.wechat.WechatNotificationFields.required;
import static io.paygate.provider.wechat.WechatNotificationFields.settings;

import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import io.paygate.notify.NoticeRejected;
import java.util.Map;

/**
 * WeChat Pay v2 payment notifications ({@code notify_url}), read and verified into a
 * {@link Notice}. Verified with the merchant's configured sign type: the notification's own
 * {@code sign_type} (often absent) never downgrades it.
 */
public final class WechatPayNotifications {
    private final java.time.Clock clock;

    public WechatPayNotifications() {
        this(java.time.Clock.systemUTC());
    }

    public WechatPayNotifications(java.time.Clock clock) {
        this.clock = clock;
    }

    /** A notification as WeChat sent it. */
    public Notice decode(byte[] raw, MerchantProfile profile) {
        return decode(parse(raw), profile);
    }

    /** The same, from the notification's fields as the hardened parser read them. */
    Notice decode(Map<String, String> f, MerchantProfile profile) {
        WechatSettings w = settings(profile);
        if (!"SUCCESS".equals(f.get("return_code"))) {
            throw new NoticeRejected("notification with return_code " + f.get("return_code"));
        }
        // The current key, and during a rotation's window the previous one (WeChat re-sends for hours).
        boolean verified = false;
        for (String key : w.notificationKeys(clock.instant())) {
            verified |= WechatSigner.verify(f, key, w.signType());
        }
        if (!verified) {
            throw new NoticeRejected("notification signature does not verify with the merchant's " + w.signType() + " key");
        }
        if (!w.appId().equals(f.get("appid")) || !w.mchId().equals(f.get("mch_id"))) {
            throw new NoticeRejected("notification names another appid or mch_id");
        }
        if (w.subMchId() != null && !w.subMchId().equals(f.get("sub_mch_id"))) {
            throw new NoticeRejected("notification names another sub_mch_id");
        }
        String orderId = required(f, "out_trade_no");
        if (!"SUCCESS".equals(f.get("result_code"))) {
            // A failed payment is final for an order (PAYERROR); let the provider's own order state,
            // not a notification about one attempt, decide it.
            return Notice.confirmByQuery(Notice.Kind.PAYMENT, orderId, "wechat:" + orderId + ":" + f.get("err_code"));
        }
        String transactionId = required(f, "transaction_id");
        java.time.Instant paidAt;
        try {
            paidAt = WechatConnector.time(f.get("time_end"));
        } catch (RuntimeException e) {
            throw new NoticeRejected("notification with an unreadable time_end");
        }
        return new Notice(Notice.Kind.PAYMENT, false, orderId, PaymentStatus.SUCCESS, fen(f, "total_fee"), transactionId,
                null, fen(f, "cash_fee"), fen(f, "coupon_fee"), paidAt, f.get("attach"), null,
                "wechat:" + transactionId + ":SUCCESS");
    }
}
