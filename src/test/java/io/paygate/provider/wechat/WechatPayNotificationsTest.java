package io.paygate.provider.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import io.paygate.notify.NoticeRejected;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Notifications are signed here by the test's own HMAC code, independent of WechatSigner. */
class WechatPayNotificationsTest {
    private static final String KEY = "notifykey000000000000000000000aa";
    private final WechatPayNotifications codec = new WechatPayNotifications();

    private static MerchantProfile profile(String signType) {
        return new MerchantProfile("shop", "wechat", "token-000000000000", null, null, List.of(), List.of(), java.util.Map.of("wechat", MerchantProfile.Section.of(new io.paygate.provider.wechat.WechatSettings("http://127.0.0.1:1", "wxapp", "1001", KEY, signType, null, null, null, null, null, null))));
    }

    private static Map<String, String> paid() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("appid", "wxapp");
        f.put("mch_id", "1001");
        f.put("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
        f.put("result_code", "SUCCESS");
        f.put("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        f.put("trade_type", "NATIVE");
        f.put("bank_type", "CMC");
        f.put("total_fee", "100");
        f.put("cash_fee", "90");
        f.put("coupon_fee", "10");
        f.put("coupon_count", "1");
        f.put("coupon_fee_0", "10");
        f.put("coupon_id_0", "10000");
        f.put("transaction_id", "1004400740201409030005092168");
        f.put("out_trade_no", "N-0001");
        f.put("attach", "store 7");
        f.put("time_end", "20141030133525");
        return f;
    }

    private static String hmac(Map<String, String> f, String key) throws Exception {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(f).forEach((k, v) -> {
            if (!k.equals("sign") && !v.isEmpty()) {
                s.append(k).append('=').append(v).append('&');
            }
        });
        s.append("key=").append(key);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().withUpperCase().formatHex(mac.doFinal(s.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] xml(Map<String, String> f) {
        StringBuilder sb = new StringBuilder("<xml>\n");
        f.forEach((k, v) -> sb.append("  <").append(k).append("><![CDATA[").append(v).append("]]></").append(k).append(">\n"));
        return sb.append("</xml>").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aGenuinePaidNotificationMapsToSuccess() throws Exception {
        Map<String, String> f = paid();
        f.put("sign", hmac(f, KEY));
        Notice n = codec.decode(xml(f), profile("HMAC-SHA256"));
        assertThat(n.confirmByQuery()).isFalse();
        assertThat(n.status()).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(n.orderId()).isEqualTo("N-0001");
        assertThat(n.amount()).isEqualTo(100L);
        assertThat(n.paidAmount()).isEqualTo(90L);
        assertThat(n.couponAmount()).isEqualTo(10L);
        assertThat(n.providerTradeId()).isEqualTo("1004400740201409030005092168");
        assertThat(n.paidAt()).isEqualTo(Instant.parse("2014-10-30T05:35:25Z"));
        assertThat(n.attach()).isEqualTo("store 7");
        assertThat(new WechatNotifications().decode(xml(f), profile("HMAC-SHA256")))
                .as("the codec of /notify/wechat hands a notification without req_info to the pay reader").isEqualTo(n);
    }

    @Test
    void anIndexedCouponFieldIsCoveredBySignature() throws Exception {
        Map<String, String> f = paid();
        f.put("sign", hmac(f, KEY));
        f.put("coupon_fee_0", "99");
        assertThatThrownBy(() -> codec.decode(xml(f), profile("HMAC-SHA256"))).isInstanceOf(NoticeRejected.class);
    }

    @Test
    void aTamperedAmountIsRejected() throws Exception {
        Map<String, String> f = paid();
        f.put("sign", hmac(f, KEY));
        f.put("total_fee", "1");
        assertThatThrownBy(() -> codec.decode(xml(f), profile("HMAC-SHA256"))).isInstanceOf(NoticeRejected.class)
                .hasMessageNotContaining(KEY);
    }

    @Test
    void theNotificationsOwnSignTypeCannotDowngradeTheMerchants() throws Exception {
        Map<String, String> f = paid();
        f.put("sign_type", "MD5");
        // A forger who knows nothing signs with MD5 over a guessed key: the merchant is HMAC-SHA256.
        f.put("sign", WechatSigner.sign(f, KEY, "MD5"));
        assertThatThrownBy(() -> codec.decode(xml(f), profile("HMAC-SHA256"))).isInstanceOf(NoticeRejected.class);
    }

    @Test
    void anotherMerchantsNotificationIsRejected() throws Exception {
        Map<String, String> f = paid();
        f.put("mch_id", "9999");
        f.put("sign", hmac(f, KEY));
        assertThatThrownBy(() -> codec.decode(xml(f), profile("HMAC-SHA256"))).isInstanceOf(NoticeRejected.class)
                .hasMessageContaining("mch_id");
    }

    @Test
    void xxeIsRejectedUnread() {
        byte[] evil = ("<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><return_code>SUCCESS</return_code><out_trade_no>&xxe;</out_trade_no></xml>").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> codec.decode(evil, profile("MD5"))).isInstanceOf(NoticeRejected.class)
                .hasMessageNotContaining("root:");
    }

    @Test
    void theRepliesAreExact() {
        WechatNotifications codec = new WechatNotifications();
        assertThat(new String(codec.successReply(), StandardCharsets.UTF_8)).isEqualTo(
                "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>");
        assertThat(new String(codec.failureReply("signature"), StandardCharsets.UTF_8)).isEqualTo(
                "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[signature]]></return_msg></xml>");
    }

    @Test
    void aFailedPaymentIsConfirmedByQueryNotTakenAsFinal() throws Exception {
        Map<String, String> f = paid();
        f.put("result_code", "FAIL");
        f.put("err_code", "SYSTEMERROR");
        f.put("sign", hmac(f, KEY));
        Notice n = codec.decode(xml(f), profile("HMAC-SHA256"));
        assertThat(n.confirmByQuery()).isTrue();
        assertThat(n.orderId()).isEqualTo("N-0001");
        assertThat(n.status()).isNull();
    }

    @Test
    void anUnreadableTimeIsARejectionNotACrash() throws Exception {
        Map<String, String> f = paid();
        f.put("time_end", "yesterday");
        f.put("sign", hmac(f, KEY));
        assertThatThrownBy(() -> codec.decode(xml(f), profile("HMAC-SHA256"))).isInstanceOf(NoticeRejected.class)
                .hasMessageContaining("time_end");
    }

    private static final String NEW_KEY = "newkey00000000000000000000000bbb";

    /** After a rotation: NEW_KEY signs, KEY (the previous key) verifies notifications until 12:00 Shanghai time. */
    private static MerchantProfile rotated(String signType) {
        return new MerchantProfile("shop", "wechat", "token-000000000000", null, null, List.of(), List.of(),
                java.util.Map.of("wechat", MerchantProfile.Section.of(new WechatSettings("http://127.0.0.1:1", "wxapp", "1001",
                        NEW_KEY, signType, null, null, null, null, null, null, KEY,
                        java.time.OffsetDateTime.parse("2026-12-07T12:00:00+08:00").toInstant()))));
    }

    private static WechatPayNotifications at(String time) {
        return new WechatPayNotifications(java.time.Clock.fixed(java.time.OffsetDateTime.parse(time).toInstant(),
                java.time.ZoneOffset.UTC));
    }

    @Test
    void aNotificationSignedWithThePreviousKeyIsAcceptedBeforeTheWindowEndsAndRefusedFromThen() throws Exception {
        Map<String, String> f = paid();
        f.put("sign", hmac(f, KEY));
        assertThat(at("2026-12-07T11:59:59+08:00").decode(xml(f), rotated("HMAC-SHA256")).status())
                .isEqualTo(PaymentStatus.SUCCESS);
        assertThatThrownBy(() -> at("2026-12-07T12:00:00+08:00").decode(xml(f), rotated("HMAC-SHA256")))
                .isInstanceOf(NoticeRejected.class).hasMessageContaining("does not verify");
        assertThatThrownBy(() -> at("2026-12-08T09:00:00+08:00").decode(xml(f), rotated("HMAC-SHA256")))
                .isInstanceOf(NoticeRejected.class);
    }

    @Test
    void theNewKeyIsAcceptedOnBothSidesOfTheWindowAndAnyOtherKeyNever() throws Exception {
        Map<String, String> f = paid();
        f.put("sign", hmac(f, NEW_KEY));
        assertThat(at("2026-12-07T11:00:00+08:00").decode(xml(f), rotated("HMAC-SHA256")).orderId()).isEqualTo("N-0001");
        assertThat(at("2026-12-07T13:00:00+08:00").decode(xml(f), rotated("HMAC-SHA256")).orderId()).isEqualTo("N-0001");
        Map<String, String> g = paid();
        g.put("sign", hmac(g, "some-third-key-0000000000000000"));
        assertThatThrownBy(() -> at("2026-12-07T11:00:00+08:00").decode(xml(g), rotated("HMAC-SHA256")))
                .isInstanceOf(NoticeRejected.class);
    }

    private static io.paygate.config.SettingsSection section(Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>(Map.of("baseUrl", "http://127.0.0.1:1", "appId", "wxapp", "mchId", "1001",
                "apiKey", NEW_KEY));
        m.putAll(extra);
        return io.paygate.config.SettingsSection.of("merchants.yaml", "merchants.shop.wechat", m);
    }

    @Test
    void thePreviousKeyIsReadWithAnInstantThatNamesItsZone() {
        WechatSettings w = (WechatSettings) new WechatModule().settings(section(Map.of("previousApiKey", KEY,
                "previousApiKeyUntil", "2026-12-07T12:00:00+08:00")));
        assertThat(w.apiKey()).isEqualTo(NEW_KEY);
        assertThat(w.previousApiKeyUntil()).isEqualTo(Instant.parse("2026-12-07T04:00:00Z"));
        assertThat(w.notificationKeys(Instant.parse("2026-12-07T03:59:59Z"))).containsExactly(NEW_KEY, KEY);
        assertThat(w.notificationKeys(Instant.parse("2026-12-07T04:00:00Z"))).containsExactly(NEW_KEY);
    }

    @Test
    void aPreviousKeyWithoutItsEndOrAnEndWithoutZoneIsAConfigurationError() {
        assertThatThrownBy(() -> new WechatModule().settings(section(Map.of("previousApiKey", KEY))))
                .hasMessageContaining("merchants.shop.wechat.previousApiKeyUntil: missing").hasMessageNotContaining(KEY);
        assertThatThrownBy(() -> new WechatModule().settings(section(Map.of("previousApiKey", KEY,
                "previousApiKeyUntil", "2026-12-07T12:00:00"))))
                .hasMessageContaining("previousApiKeyUntil: expected a time with its zone offset").hasMessageNotContaining(KEY);
        assertThatThrownBy(() -> new WechatModule().settings(section(Map.of("previousApiKeyUntil", "2026-12-07T12:00:00+08:00"))))
                .hasMessageContaining("previousApiKey: missing");
    }
}
