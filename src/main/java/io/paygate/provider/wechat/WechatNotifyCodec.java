package io.paygate.provider.wechat;

import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import java.util.Map;

/**
 * The codec of {@code /notify/wechat/<merchant>}: WeChat sends pay and refund notifications to the
 * notify URLs the gateway gives it (both are {@code <public-base-url>/notify/wechat/<merchant>}).
 * A refund notification is the one with {@code req_info} (encrypted, unsigned); every other is a
 * pay notification (signed). Each is then checked in full by its own codec.
 */
public final class WechatNotifyCodec extends WechatNotificationCodec {
    private final WechatPayNotifyCodec pay = new WechatPayNotifyCodec();
    private final WechatRefundNotifyCodec refund = new WechatRefundNotifyCodec();

    @Override
    public Notice decode(byte[] raw, MerchantProfile profile) {
        Map<String, String> f = parse(raw);
        return f.containsKey("req_info") ? refund.decode(f, profile) : pay.decode(f, profile);
    }
}
