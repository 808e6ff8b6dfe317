package io.paygate.provider.pooul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.config.MerchantProfile;
import io.paygate.provider.pooul.PooulSettings;
import io.paygate.notify.Notice;
import io.paygate.notify.NoticeRejected;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Notifications made here by hand: classic signed with an MD5 computed apart from PooulSigner, v2 as JWTs. */
class PooulNotifyCodecTest {
    private static final String KEY = "notify-key-000111";
    private static final String MERCHANT = "59457accffea0e051b86e685";
    private static KeyPair platform;
    private static KeyPair stranger;
    private final PooulNotifyCodec codec = new PooulNotifyCodec();

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        platform = g.generateKeyPair();
        stranger = g.generateKeyPair();
    }

    private static MerchantProfile profile(boolean v2) {
        PooulSettings p = new PooulSettings("http://127.0.0.1:1", MERCHANT, v2 ? "v2" : "classic", v2 ? null : KEY,
                null, null, null, v2 ? (RSAPublicKey) platform.getPublic() : null);
        return new MerchantProfile("shop", "pooul", "token-shop-0000000001", null, null, List.of(), List.of(), java.util.Map.of("pooul", MerchantProfile.Section.of(p)));
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Seed 000's notification, re-signed: data fields sorted by hand. */
    private static byte[] classicPaid(String merchant, String key) throws Exception {
        String sign = md5("ch_trade_id=1003601001201708239592065806&mch_trade_id=alex.15011&merchant_id=" + merchant
                + "&nonce_str=599d580affea0e33c970c82c&pay_type=wechat.jswap&time_end=20170823182445&total_fee=1"
                + "&trade_id=599d57ecffea0e33cc70c82b&key=" + key);
        return ("{\"code\":0,\"msg\":null,\"data\":{\"total_fee\":1,\"ch_trade_id\":\"1003601001201708239592065806\","
                + "\"time_end\":\"20170823182445\",\"trade_id\":\"599d57ecffea0e33cc70c82b\",\"mch_trade_id\":\"alex.15011\","
                + "\"merchant_id\":\"" + merchant + "\",\"pay_type\":\"wechat.jswap\",\"nonce_str\":\"599d580affea0e33c970c82c\"},"
                + "\"version\":\"1.0\",\"sign_type\":\"md5\",\"sign\":\"" + sign + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void classicPayNotificationOfTheSeedWithoutTradeStateReadsAsPaidByPayResultAbsent() throws Exception {
        // Seed 000's example has neither trade_state nor pay_result: it cannot be read as paid.
        Notice n = codec.decode(classicPaid(MERCHANT, KEY), profile(false));
        assertThat(n.confirmByQuery()).isTrue();
        assertThat(n.orderId()).isEqualTo("alex.15011");
    }

    @Test
    void classicPaidNotification() throws Exception {
        String sign = md5("mch_trade_id=o1&merchant_id=" + MERCHANT + "&out_trade_id=4200001&pay_result=0&time_end=20170823182445"
                + "&total_fee=12&trade_id=t1&trade_state=0&key=" + KEY);
        byte[] raw = ("{\"code\":0,\"data\":{\"mch_trade_id\":\"o1\",\"merchant_id\":\"" + MERCHANT + "\",\"out_trade_id\":\"4200001\","
                + "\"pay_result\":0,\"time_end\":\"20170823182445\",\"total_fee\":\"12\",\"trade_id\":\"t1\",\"trade_state\":0},"
                + "\"sign\":\"" + sign + "\"}").getBytes(StandardCharsets.UTF_8);
        Notice n = codec.decode(raw, profile(false));
        assertThat(n.confirmByQuery()).isFalse();
        assertThat(n.status().name()).isEqualTo("SUCCESS");
        assertThat(n.amount()).isEqualTo(12);
        assertThat(n.providerTradeId()).isEqualTo("t1");
        assertThat(n.channelTradeId()).isEqualTo("4200001");
        assertThat(n.paidAt()).isEqualTo(Instant.parse("2017-08-23T10:24:45Z"));
        assertThat(n.dedupeKey()).isEqualTo("pooul:t1:SUCCESS");

        String tampered = new String(raw, StandardCharsets.UTF_8).replace("\"total_fee\":\"12\"", "\"total_fee\":\"13\"");
        assertThatThrownBy(() -> codec.decode(tampered.getBytes(StandardCharsets.UTF_8), profile(false)))
                .isInstanceOf(NoticeRejected.class).hasMessageContaining("signature");
        String unsigned = new String(raw, StandardCharsets.UTF_8).replaceAll(",\"sign\":\"[0-9A-F]+\"", "");
        assertThatThrownBy(() -> codec.decode(unsigned.getBytes(StandardCharsets.UTF_8), profile(false)))
                .isInstanceOf(NoticeRejected.class);
        assertThatThrownBy(() -> codec.decode(classicPaid("another", KEY), profile(false))).isInstanceOf(NoticeRejected.class)
                .hasMessageContaining("merchant_id");
        assertThatThrownBy(() -> codec.decode(classicPaid(MERCHANT, "wrong"), profile(false))).isInstanceOf(NoticeRejected.class);
        assertThatThrownBy(() -> codec.decode("<xml/>".getBytes(StandardCharsets.UTF_8), profile(false)))
                .isInstanceOf(NoticeRejected.class);
        assertThat(codec.successReply()).isEqualTo("success".getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] jwt(String payload, KeyPair by) {
        return PooulJwt.sign(payload.getBytes(StandardCharsets.UTF_8), (RSAPrivateKey) by.getPrivate())
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void v2PayNotificationAsAJwtInEitherShape() {
        String data = "{\"merchant_id\":\"" + MERCHANT + "\",\"trade_id\":\"t2\",\"mch_trade_id\":\"o2\",\"total_fee\":300,"
                + "\"trade_state\":0,\"time_end\":1503483885000,\"out_trade_id\":\"4200002\"}";
        Notice wrapped = codec.decode(jwt("{\"code\":0,\"msg\":\"success\",\"data\":" + data + "}", platform), profile(true));
        Notice flat = codec.decode(jwt(data, platform), profile(true));
        for (Notice n : List.of(wrapped, flat)) {
            assertThat(n.status().name()).isEqualTo("SUCCESS");
            assertThat(n.amount()).isEqualTo(300);
            assertThat(n.paidAt()).isEqualTo(Instant.parse("2017-08-23T10:24:45Z"));
        }
        assertThatThrownBy(() -> codec.decode(jwt(data, stranger), profile(true))).isInstanceOf(NoticeRejected.class)
                .hasMessageContaining("not a valid token");
        assertThatThrownBy(() -> codec.decode(data.getBytes(StandardCharsets.UTF_8), profile(true)))
                .isInstanceOf(NoticeRejected.class);
        Notice closed = codec.decode(jwt(data.replace("\"trade_state\":0", "\"trade_state\":3"), platform), profile(true));
        assertThat(closed.confirmByQuery()).isTrue();
    }

    @Test
    void v2RefundNotification() {
        String data = "{\"merchant_id\":\"" + MERCHANT + "\",\"trade_id\":\"t3\",\"mch_trade_id\":\"o3\",\"total_fee\":300,"
                + "\"refund_id\":\"r-9\",\"refund_fee\":100,\"refund_state\":0,\"refund_time\":1503483885}";
        Notice n = codec.decode(jwt("{\"code\":0,\"data\":" + data + "}", platform), profile(true));
        assertThat(n.kind()).isEqualTo(Notice.Kind.REFUND);
        assertThat(n.refund().providerRefundId()).isEqualTo("r-9");
        assertThat(n.refund().refundId()).isNull();
        assertThat(n.refund().amount()).isEqualTo(100);
        assertThat(n.refund().status()).isEqualTo("SUCCESS");
        assertThat(n.refund().refundedAt()).isEqualTo("2017-08-23T18:24:45+08:00");
        assertThat(n.amount()).isEqualTo(300);
    }

    /** A classic key rotation: KEY is the previous key, accepted until 12:00 Shanghai time on 2026-12-07. */
    private static MerchantProfile rotated() {
        PooulSettings p = new PooulSettings("http://127.0.0.1:1", MERCHANT, "classic", "rotated-key-000222", null, null,
                null, null, new io.paygate.config.PreviousKey(KEY, Instant.parse("2026-12-07T04:00:00Z")));
        return new MerchantProfile("shop", "pooul", "token-shop-0000000001", null, null, List.of(), List.of(),
                java.util.Map.of("pooul", MerchantProfile.Section.of(p)));
    }

    private static PooulNotifyCodec at(String time) {
        return new PooulNotifyCodec(java.time.Clock.fixed(java.time.OffsetDateTime.parse(time).toInstant(),
                java.time.ZoneOffset.UTC));
    }

    @Test
    void aClassicNotificationSignedWithThePreviousKeyIsAcceptedUntilItsWindowEnds() throws Exception {
        assertThat(at("2026-12-07T11:59:59+08:00").decode(classicPaid(MERCHANT, KEY), rotated()).orderId()).isEqualTo("alex.15011");
        assertThatThrownBy(() -> at("2026-12-07T12:00:00+08:00").decode(classicPaid(MERCHANT, KEY), rotated()))
                .isInstanceOf(NoticeRejected.class).hasMessageContaining("signature");
        assertThat(at("2026-12-07T12:00:00+08:00").decode(classicPaid(MERCHANT, "rotated-key-000222"), rotated()).orderId())
                .isEqualTo("alex.15011");
    }

    @Test
    void thePreviousKeyIsReadForTheClassicApiOnly() {
        java.util.Map<String, Object> classic = new java.util.LinkedHashMap<>(java.util.Map.of("baseUrl", "http://127.0.0.1:1",
                "merchantId", MERCHANT, "api", "classic", "key", "rotated-key-000222", "previousKey", KEY,
                "previousKeyUntil", "2026-12-07T12:00:00+08:00"));
        PooulSettings p = (PooulSettings) new PooulModule().settings(
                io.paygate.config.SettingsSection.of("merchants.yaml", "merchants.shop.pooul", classic));
        assertThat(p.notificationKeys(Instant.parse("2026-12-07T03:59:59Z"))).containsExactly("rotated-key-000222", KEY);
        assertThat(p.notificationKeys(Instant.parse("2026-12-07T04:00:00Z"))).containsExactly("rotated-key-000222");
        classic.put("previousKeyUntil", "tomorrow");
        assertThatThrownBy(() -> new PooulModule().settings(
                io.paygate.config.SettingsSection.of("merchants.yaml", "merchants.shop.pooul", classic)))
                .hasMessageContaining("merchants.shop.pooul.previousKeyUntil: expected a time with its zone offset")
                .hasMessageNotContaining(KEY);
    }
}
