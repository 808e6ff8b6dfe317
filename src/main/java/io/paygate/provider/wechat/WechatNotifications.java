package io.paygate.provider.wechat;

import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import io.paygate.notify.NotificationCodec;
import java.util.Map;

/**
 * The notification codec of {@code /notify/wechat/<merchant>}: WeChat sends pay and refund
 * notifications to the notify URLs the gateway gives it (both are
 * {@code <public-base-url>/notify/wechat/<merchant>}). A refund notification is the one with
 * {@code req_info} (encrypted, unsigned, read by {@link WechatRefundNotifications}); every other is
 * a pay notification (signed, read by {@link WechatPayNotifications}). Both are answered with
 * WeChat's XML replies.
 */
public final class WechatNotifications implements NotificationCodec {
    private final WechatPayNotifications pay;
    private final WechatRefundNotifications refund;

    public WechatNotifications() {
        this(java.time.Clock.systemUTC());
    }

    /** {@code clock} decides whether a rotation's previous key is still accepted. */
    public WechatNotifications(java.time.Clock clock) {
        this.pay = new WechatPayNotifications(clock);
        this.refund = new WechatRefundNotifications(clock);
    }

    @Override
    public String provider() {
        return "wechat";
    }

    @Override
    public Notice decode(byte[] raw, MerchantProfile profile) {
        Map<String, String> f = WechatNotificationFields.parse(raw);
        return f.containsKey("req_info") ? refund.decode(f, profile) : pay.decode(f, profile);
    }

    @Override
    public byte[] successReply() {
        return WechatReplies.success();
    }

    @Override
    public byte[] failureReply(String reason) {
        return WechatReplies.failure(reason);
    }

    @Override
    public String replyContentType() {
        return WechatReplies.CONTENT_TYPE;
    }
}
