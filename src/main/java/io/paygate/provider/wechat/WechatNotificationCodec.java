package io.paygate.provider.wechat;

import io.paygate.notify.NoticeRejected;
import io.paygate.notify.NotificationCodec;
import java.util.Map;

/** What WeChat's pay and refund notification codecs share: the provider, the replies, field reading. */
abstract class WechatNotificationCodec implements NotificationCodec {

    @Override
    public String provider() {
        return "wechat";
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

    /** The notification's fields, read by the one hardened parser (root {@code <xml>}). */
    static Map<String, String> parse(byte[] raw) {
        try {
            return io.paygate.xml.HardenedXml.parseFlat(raw, "xml");
        } catch (io.paygate.xml.HardenedXml.XmlRejected e) {
            throw new NoticeRejected("unreadable notification: " + e.getMessage());
        }
    }

    static WechatSettings settings(io.paygate.config.MerchantProfile profile) {
        if (profile.settings(WechatSettings.class) == null) {
            throw new NoticeRejected("merchant " + profile.id() + " has no WeChat Pay settings");
        }
        return profile.settings(WechatSettings.class);
    }

    static String required(Map<String, String> f, String name) {
        String v = f.get(name);
        if (v == null || v.isBlank()) {
            throw new NoticeRejected("notification without " + name);
        }
        return v;
    }

    static Long fen(Map<String, String> f, String name) {
        String v = f.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (!v.matches("\\d{1,12}")) {
            throw new NoticeRejected("notification with an unreadable " + name);
        }
        return Long.parseLong(v);
    }
}
