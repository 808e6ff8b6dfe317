package io.paygate.provider.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WechatSignerTest {
    /** WeChat Pay's published example (security page): a public test key, not a credential. */
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";
    private static final String MD5 = "9A0A8659F005D6984697E2CA0A9CF3B7";
    private static final String HMAC = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6";

    private static Map<String, String> official() {
        // not in ASCII order: the signer must sort
        Map<String, String> f = new LinkedHashMap<>();
        f.put("nonce_str", "ibuaiVcKdpRxkhJA");
        f.put("mch_id", "10000100");
        f.put("body", "test");
        f.put("appid", "wxd930ea5d5a258f4f");
        f.put("device_info", "1000");
        return f;
    }

    private static Map<String, String> signed(String type) {
        Map<String, String> f = official();
        f.put("sign", WechatSigner.sign(f, KEY, type));
        return f;
    }

    @Test
    void officialVectorMd5() {
        assertThat(WechatSigner.sign(official(), KEY, WechatSigner.MD5)).isEqualTo(MD5);
    }

    @Test
    void officialVectorHmacSha256() {
        assertThat(WechatSigner.sign(official(), KEY, WechatSigner.HMAC_SHA256)).isEqualTo(HMAC);
    }

    @Test
    void signAndEmptyValuesAreNotSigned() {
        Map<String, String> f = official();
        f.put("sign", "ANYTHING");
        f.put("attach", "");
        f.put("detail", null);
        assertThat(WechatSigner.sign(f, KEY, WechatSigner.MD5)).isEqualTo(MD5);
        assertThat(WechatSigner.sign(f, KEY, WechatSigner.HMAC_SHA256)).isEqualTo(HMAC);
    }

    @Test
    void signTypeFieldIsSignedLikeAnyOther() {
        Map<String, String> f = official();
        f.put("sign_type", "HMAC-SHA256");
        assertThat(WechatSigner.sign(f, KEY, WechatSigner.HMAC_SHA256)).isNotEqualTo(HMAC).matches("[0-9A-F]{64}");
    }

    @Test
    void unknownSignTypeIsRefused() {
        assertThatThrownBy(() -> WechatSigner.sign(official(), KEY, "SHA1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(KEY);
        assertThatThrownBy(() -> WechatSigner.sign(official(), KEY, "md5")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void verifyAcceptsTheRightSignatureOfTheConfiguredType() {
        assertThat(WechatSigner.verify(signed(WechatSigner.MD5), KEY, WechatSigner.MD5)).isTrue();
        assertThat(WechatSigner.verify(signed(WechatSigner.HMAC_SHA256), KEY, WechatSigner.HMAC_SHA256)).isTrue();
        Map<String, String> f = official();
        f.put("sign", MD5);
        assertThat(WechatSigner.verify(f, KEY, WechatSigner.MD5)).isTrue();
    }

    @Test
    void verifyRefusesASignatureOfTheOtherType() {
        // An MD5-signed answer must not pass when the merchant is configured for HMAC-SHA256 (no downgrade).
        assertThat(WechatSigner.verify(signed(WechatSigner.MD5), KEY, WechatSigner.HMAC_SHA256)).isFalse();
        assertThat(WechatSigner.verify(signed(WechatSigner.HMAC_SHA256), KEY, WechatSigner.MD5)).isFalse();
    }

    /** The code upper-cases the received sign before comparing: lowercase hex is accepted. */
    @Test
    void verifyAcceptsALowercaseSign() {
        Map<String, String> f = official();
        f.put("sign", MD5.toLowerCase(Locale.ROOT));
        assertThat(WechatSigner.verify(f, KEY, WechatSigner.MD5)).isTrue();
        f.put("sign", HMAC.toLowerCase(Locale.ROOT));
        assertThat(WechatSigner.verify(f, KEY, WechatSigner.HMAC_SHA256)).isTrue();
    }

    @Test
    void verifyRefusesATamperedField() {
        Map<String, String> f = signed(WechatSigner.MD5);
        f.put("body", "test2");
        assertThat(WechatSigner.verify(f, KEY, WechatSigner.MD5)).isFalse();

        Map<String, String> added = signed(WechatSigner.MD5);
        added.put("total_fee", "1");
        assertThat(WechatSigner.verify(added, KEY, WechatSigner.MD5)).isFalse();

        Map<String, String> removed = signed(WechatSigner.MD5);
        removed.remove("device_info");
        assertThat(WechatSigner.verify(removed, KEY, WechatSigner.MD5)).isFalse();
    }

    @Test
    void verifyRefusesAnotherKey() {
        assertThat(WechatSigner.verify(signed(WechatSigner.MD5), "0".repeat(32), WechatSigner.MD5)).isFalse();
    }

    @Test
    void verifyRefusesAMissingOrEmptySign() {
        assertThat(WechatSigner.verify(official(), KEY, WechatSigner.MD5)).isFalse();
        Map<String, String> empty = official();
        empty.put("sign", "");
        assertThat(WechatSigner.verify(empty, KEY, WechatSigner.MD5)).isFalse();
        Map<String, String> truncated = official();
        truncated.put("sign", MD5.substring(0, 31));
        assertThat(WechatSigner.verify(truncated, KEY, WechatSigner.MD5)).isFalse();
    }

    @Test
    void fieldsNoModelKnowsAreCoveredBySignature() {
        Map<String, String> f = official();
        f.put("coupon_fee_0", "100");
        f.put("coupon_id_0", "10000");
        f.put("sign", WechatSigner.sign(f, KEY, WechatSigner.MD5));
        assertThat(f.get("sign")).isNotEqualTo(MD5);
        assertThat(WechatSigner.verify(f, KEY, WechatSigner.MD5)).isTrue();

        Map<String, String> changed = new LinkedHashMap<>(f);
        changed.put("coupon_fee_0", "1000");
        assertThat(WechatSigner.verify(changed, KEY, WechatSigner.MD5)).isFalse();

        Map<String, String> dropped = new LinkedHashMap<>(f);
        dropped.remove("coupon_fee_0");
        assertThat(WechatSigner.verify(dropped, KEY, WechatSigner.MD5)).isFalse();
    }

    @Test
    void nonAsciiValuesAreSignedAsUtf8() {
        Map<String, String> f = official();
        f.put("body", "腾讯充值中心-QQ会员充值");
        String s = WechatSigner.sign(f, KEY, WechatSigner.MD5);
        // MD5("appid=...&body=腾讯充值中心-QQ会员充值&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=...")
        assertThat(s).matches("[0-9A-F]{32}").isNotEqualTo(MD5);
        f.put("sign", s);
        assertThat(WechatSigner.verify(f, KEY, WechatSigner.MD5)).isTrue();
    }
}
