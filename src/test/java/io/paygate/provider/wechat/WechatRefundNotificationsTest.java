package io.paygate.provider.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import io.paygate.notify.NoticeRejected;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * WeChat refund notifications. {@link #OPENSSL_REQ_INFO} was produced by an independent tool:
 * <pre>
 * printf %s "$PLAIN" | openssl enc -aes-256-ecb -nosalt -base64 -A \
 *   -K $(printf %s d96eb16afdd491fa1e705096edbc2205 | xxd -p | tr -d '\n')
 * </pre>
 * where d96eb16afdd491fa1e705096edbc2205 is the lowercase hex MD5 of the API key
 * 192006250b4c09247ec02edce69f6a2d (OpenSSL 3.0.19), and $PLAIN is {@link #PLAIN}.
 */
class WechatRefundNotificationsTest {
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";
    static final String PLAIN = "<root><out_refund_no><![CDATA[RF-0001]]></out_refund_no><out_trade_no><![CDATA[N-0001]]>"
            + "</out_trade_no><refund_account><![CDATA[REFUND_SOURCE_RECHARGE_FUNDS]]></refund_account><refund_fee>"
            + "<![CDATA[60]]></refund_fee><refund_id><![CDATA[50000408942018111907145868882]]></refund_id>"
            + "<refund_recv_accout><![CDATA[支付用户零钱]]></refund_recv_accout><refund_request_source><![CDATA[API]]>"
            + "</refund_request_source><refund_status><![CDATA[SUCCESS]]></refund_status><settlement_refund_fee>"
            + "<![CDATA[60]]></settlement_refund_fee><settlement_total_fee><![CDATA[100]]></settlement_total_fee>"
            + "<success_time><![CDATA[2026-11-22 12:30:05]]></success_time><total_fee><![CDATA[100]]></total_fee>"
            + "<transaction_id><![CDATA[4200000000000000000000000001]]></transaction_id></root>";
    static final String OPENSSL_REQ_INFO = "WBzGpzQuNpcFxIlFjUUD9FS4tLqEQ5H8bdh90ek2njOPRyiVZrLdyltIaXgeQVEHUNaK5E1TmPWErjFc+WBe"
            + "koGagZcoOBz9uxuHM/kgQP21B7vy2L4NOl3dpFCw4s8TIEDW8THWMshLgm78P8OXR+zUyI41qfDPxbZYeu6QQG7lZ/CFpoibATzT0Xdd1pwZeOUg"
            + "Gq9CzqMgPnLjcqww4i42vLMi3IqHJnKW3URcy/OhvqLRfJt6UtzuG7agYI0GdebEYLTlyeVUIexcmCP8YWHzkyG7NmCFea8E8dt2q6djYqGE/H9R"
            + "uJMxCWCyI0RMYB1UKZy9EIgdoysJ5LUDIZwn9PuAVFHw3khgVYXytwV5xWO58/n38wYiT0hsVeirIxMtgVMmlxU/62yhwOXH/s8xoVGwRwRaS8MZ"
            + "2A/1//jNfNgAHO4liz9e9QScAao82scoTTOpOfOCcl+ObjWVht2q5EGN6yPIwbte84KNgbBUWlCQ50RwBl/x8dwsUAcFT9IiCKa0CE13xJctsBvc"
            + "ONd86JbAQrZTNOd/JU7l9hy1SBA5Bnc91SkId7nYP8CD/Lr6hqAKzYF/5Wf9+75v0gJh2CpgqWEdLP3ZG7VTLkkbY0X/BKFvaXglL4gqPf1+mjHS"
            + "GsFI9tWwydLqbFCUe+L9nYsdkcxNFZhINJ7IpiW6cX/E9PfSxMFXF6CfdeESpCKr/VcEZsg57ttWKY34aKpxmEC2l7dZBb6KmVW1GLXYQRgMsft3"
            + "t+ZGNTMZ4878G3j/bUSs1ckBIXcTxFfbjRzGtEg9x0TZ1l/2StpwTp2BZ79/gSwFvWifwP3NXfzg0CuDBcK3eEpwTVYInM4j2nW4RRehkhviADHs"
            + "1VniXUTPqfFKJgU1dWv7yxPsOey8Y7Uf9dG/VUbxAabnwnIsI28Kj+cQSxuXdK+HHRVr+ZWQ4YkzU7GMiBcWAYeiTGVKygOp/kXUQMg5jTnKMRpg"
            + "+e/6yn423yfS7keGfEGSVwORnlJBigGLWbMI0FTe7y6k";

    private final WechatRefundNotifications codec = new WechatRefundNotifications();

    private static MerchantProfile profile(String apiKey) {
        return new MerchantProfile("shop", "wechat", "token-000000000000", null, null, List.of(), List.of(), java.util.Map.of("wechat", MerchantProfile.Section.of(new io.paygate.provider.wechat.WechatSettings("http://127.0.0.1:1", "wxd930ea5d5a258f4f", "10000100", apiKey, "MD5",
                        null, null, null, null, null, null))));
    }

    private static byte[] notification(String reqInfo) {
        return ("<xml><return_code>SUCCESS</return_code><appid><![CDATA[wxd930ea5d5a258f4f]]></appid>"
                + "<mch_id><![CDATA[10000100]]></mch_id><nonce_str><![CDATA[TeqClE3i0mvn3DrK]]></nonce_str>"
                + "<req_info><![CDATA[" + reqInfo + "]]></req_info></xml>").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theOpensslCiphertextDecryptsToThePlaintext() {
        assertThat(new String(WechatRefundNotifications.decrypt(OPENSSL_REQ_INFO, KEY), StandardCharsets.UTF_8)).isEqualTo(PLAIN);
    }

    @Test
    void aRefundNotificationMapsToTheRefund() {
        Notice n = codec.decode(notification(OPENSSL_REQ_INFO), profile(KEY));
        assertThat(n.kind()).isEqualTo(Notice.Kind.REFUND);
        assertThat(n.orderId()).isEqualTo("N-0001");
        assertThat(n.amount()).isEqualTo(100L);
        assertThat(n.refund().refundId()).isEqualTo("RF-0001");
        assertThat(n.refund().providerRefundId()).isEqualTo("50000408942018111907145868882");
        assertThat(n.refund().amount()).isEqualTo(60L);
        assertThat(n.refund().status()).isEqualTo("SUCCESS");
        assertThat(n.refund().refundedAt()).isEqualTo("2026-11-22T12:30:05+08:00");
    }

    @Test
    void anotherKeyCannotReadIt() {
        assertThatThrownBy(() -> codec.decode(notification(OPENSSL_REQ_INFO), profile("another-key-0000000000000000000000")))
                .isInstanceOf(NoticeRejected.class).hasMessageContaining("does not decrypt");
    }

    @Test
    void aTamperedCiphertextIsRejected() {
        char[] c = OPENSSL_REQ_INFO.toCharArray();
        c[c.length - 5] = c[c.length - 5] == 'A' ? 'B' : 'A';
        assertThatThrownBy(() -> codec.decode(notification(new String(c)), profile(KEY))).isInstanceOf(NoticeRejected.class);
    }

    @Test
    void anEncryptedDoctypeIsStillRefused() throws Exception {
        String evil = "<!DOCTYPE root [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><root><out_trade_no>&x;</out_trade_no></root>";
        byte[] key = "d96eb16afdd491fa1e705096edbc2205".getBytes(StandardCharsets.US_ASCII);
        Cipher aes = Cipher.getInstance("AES/ECB/PKCS5Padding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        String reqInfo = Base64.getEncoder().encodeToString(aes.doFinal(evil.getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> codec.decode(notification(reqInfo), profile(KEY))).isInstanceOf(NoticeRejected.class)
                .hasMessageNotContaining("root:");
    }

    @Test
    void anotherMerchantsRefundIsRejected() {
        byte[] other = new String(notification(OPENSSL_REQ_INFO), StandardCharsets.UTF_8).replace("10000100", "99999999")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> codec.decode(other, profile(KEY))).isInstanceOf(NoticeRejected.class);
    }

    /** A rotation: KEY is the previous key, accepted until 12:00 Shanghai time on 2026-12-07. */
    private static MerchantProfile rotated() {
        return new MerchantProfile("shop", "wechat", "token-000000000000", null, null, List.of(), List.of(),
                java.util.Map.of("wechat", MerchantProfile.Section.of(new WechatSettings("http://127.0.0.1:1",
                        "wxd930ea5d5a258f4f", "10000100", "new-key-after-rotation-000000000", "MD5", null, null, null, null,
                        null, null, KEY, java.time.OffsetDateTime.parse("2026-12-07T12:00:00+08:00").toInstant()))));
    }

    private static WechatRefundNotifications at(String time) {
        return new WechatRefundNotifications(java.time.Clock.fixed(java.time.OffsetDateTime.parse(time).toInstant(),
                java.time.ZoneOffset.UTC));
    }

    @Test
    void aRefundEncryptedWithThePreviousKeyIsReadUntilItsWindowEnds() {
        Notice n = at("2026-12-07T11:59:59+08:00").decode(notification(OPENSSL_REQ_INFO), rotated());
        assertThat(n.refund().refundId()).isEqualTo("RF-0001");
        // The same instant in UTC: the window is an instant, not a wall-clock time.
        assertThat(at("2026-12-07T03:59:59Z").decode(notification(OPENSSL_REQ_INFO), rotated()).orderId()).isEqualTo("N-0001");
        assertThatThrownBy(() -> at("2026-12-07T12:00:00+08:00").decode(notification(OPENSSL_REQ_INFO), rotated()))
                .isInstanceOf(NoticeRejected.class).hasMessageContaining("does not decrypt");
    }
}
