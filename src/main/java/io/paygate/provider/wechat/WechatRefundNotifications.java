package io.paygate.provider.wechat;

import static io.paygate.provider.wechat.WechatNotificationFields.fen;
import static io.paygate.provider.wechat.WechatNotificationFields.parse;
import static io.paygate.provider.wechat.WechatNotificationFields.required;
import static io.paygate.provider.wechat.WechatNotificationFields.settings;

import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.Times;
import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import io.paygate.notify.NoticeRejected;
import io.paygate.xml.HardenedXml;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat Pay v2 refund notifications, decrypted and read into a {@link Notice}. It carries no signature: its {@code req_info} is base64 of
 * AES-256-ECB/PKCS7 ciphertext whose key is the 32 lowercase hex characters of MD5(API key), so only
 * WeChat (which holds the key) can produce a plaintext that decrypts, pads and parses. The
 * plaintext XML has root {@code <root>}.
 */
public final class WechatRefundNotifications {
    private static final DateTimeFormatter SUCCESS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private final java.time.Clock clock;

    public WechatRefundNotifications() {
        this(java.time.Clock.systemUTC());
    }

    public WechatRefundNotifications(java.time.Clock clock) {
        this.clock = clock;
    }

    /** A notification as WeChat sent it. */
    public Notice decode(byte[] raw, MerchantProfile profile) {
        return decode(parse(raw), profile);
    }

    /** The same, from the notification's fields as the hardened parser read them. */
    Notice decode(Map<String, String> outer, MerchantProfile profile) {
        WechatSettings w = settings(profile);
        if (!"SUCCESS".equals(outer.get("return_code"))) {
            throw new NoticeRejected("refund notification with return_code " + outer.get("return_code"));
        }
        if (!w.appId().equals(outer.get("appid")) || !w.mchId().equals(outer.get("mch_id"))) {
            throw new NoticeRejected("refund notification names another appid or mch_id");
        }
        Map<String, String> f;
        try {
            f = HardenedXml.parseFlat(decrypt(outer.get("req_info"), w.notificationKeys(clock.instant())), "root");
        } catch (HardenedXml.XmlRejected e) {
            throw new NoticeRejected("refund notification whose req_info is not the expected XML");
        }
        String orderId = required(f, "out_trade_no");
        String refundId = required(f, "out_refund_no");
        String status = switch (required(f, "refund_status")) {
            case "SUCCESS" -> "SUCCESS";
            case "CHANGE", "REFUNDCLOSE" -> "FAILED";
            default -> "PROCESSING";
        };
        RefundInfo refund = new RefundInfo(refundId, f.get("refund_id"), fen(f, "refund_fee"), status,
                Times.format(successTime(f.get("success_time"))));
        return new Notice(Notice.Kind.REFUND, false, orderId, null, fen(f, "total_fee"), f.get("transaction_id"), null,
                null, null, null, null, refund, "wechat-refund:" + refundId + ":" + status);
    }

    /**
     * With the first of {@code keys} that decrypts it (the current key, then during a rotation's
     * window the previous one). A wrong key fails the padding check, or at the latest the XML parse.
     */
    static byte[] decrypt(String reqInfo, java.util.List<String> keys) {
        if (keys.size() == 1) {
            return decrypt(reqInfo, keys.get(0));
        }
        NoticeRejected last = null;
        for (String key : keys) {
            try {
                byte[] plain = decrypt(reqInfo, key);
                HardenedXml.parseFlat(plain, "root");
                return plain;
            } catch (NoticeRejected e) {
                last = e;
            } catch (HardenedXml.XmlRejected e) {
                last = new NoticeRejected("refund notification whose req_info does not decrypt with the merchant's key");
            }
        }
        throw last;
    }

    /** AES-256-ECB with PKCS7 padding (Java's PKCS5Padding), key = lowercase hex MD5 of the API key. */
    static byte[] decrypt(String reqInfo, String apiKey) {
        if (reqInfo == null || reqInfo.isBlank()) {
            throw new NoticeRejected("refund notification without req_info");
        }
        try {
            byte[] key = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(apiKey.getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.US_ASCII);
            Cipher aes = Cipher.getInstance("AES/ECB/PKCS5Padding");
            aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"));
            return aes.doFinal(Base64.getMimeDecoder().decode(reqInfo));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new NoticeRejected("refund notification whose req_info does not decrypt with the merchant's key");
        }
    }

    private static java.time.Instant successTime(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(s, SUCCESS_TIME).atZone(Times.SHANGHAI).toInstant();
        } catch (DateTimeParseException e) {
            throw new NoticeRejected("refund notification with an unreadable success_time");
        }
    }
}
