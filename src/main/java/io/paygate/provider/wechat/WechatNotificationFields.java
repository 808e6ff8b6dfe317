package io.paygate.provider.wechat;

import io.paygate.config.MerchantProfile;
import io.paygate.notify.NoticeRejected;
import io.paygate.xml.HardenedXml;
import java.util.Map;

/** Reading a WeChat notification's fields, the same for pay and refund notifications. */
final class WechatNotificationFields {
    private WechatNotificationFields() {
    }

    /** The notification's fields, read by the one hardened parser (root {@code <xml>}). */
    static Map<String, String> parse(byte[] raw) {
        try {
            return HardenedXml.parseFlat(raw, "xml");
        } catch (HardenedXml.XmlRejected e) {
            throw new NoticeRejected("unreadable notification: " + e.getMessage());
        }
    }

    static WechatSettings settings(MerchantProfile profile) {
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
