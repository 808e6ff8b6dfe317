package io.paygate.provider.pooul;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PooulSignerTest {
    private static final String KEY = "pooul-test-key-0001";
    /** The request of seed 000 (wechat.jswap), as the gateway would send it. */
    private static final String REQUEST = """
            {"sign_type":"md5","merchant_id":"59457accffea0e051b86e685","pay_type":"wechat.jswap",
             "mch_trade_id":"alex.1503452475","time_start":1502786703,"body":"小胖建设3","imsi":"132132131313",
             "deviceCode":"868443020001028","platform":1,"total_fee":1,
             "notify_url":"http://cb.pooulcloud.cn/notify/test_notify/wechat.1497331035","attach":"","msg":null}""";

    /**
     * Recorded with another tool:
     * printf '%s' 'body=小胖建设3&deviceCode=868443020001028&imsi=132132131313&mch_trade_id=alex.1503452475&merchant_id=59457accffea0e051b86e685&notify_url=http://cb.pooulcloud.cn/notify/test_notify/wechat.1497331035&pay_type=wechat.jswap&platform=1&sign_type=md5&time_start=1502786703&total_fee=1&key=pooul-test-key-0001' | md5sum
     * → d10c7b1b6d4e611d92f31c844bca5b74
     */
    private static final String MD5SUM = "D10C7B1B6D4E611D92F31C844BCA5B74";

    @Test
    void signsTheSortedNonEmptyFieldsWithTheKeyAppended() throws Exception {
        JsonNode request = PooulFields.JSON.readTree(REQUEST);
        String signed = PooulSigner.sign(PooulSigner.fieldsOf(request), KEY);
        assertThat(signed).isEqualTo(MD5SUM);

        // The same, built by hand here: ASCII order (deviceCode after body, mch_trade_id before
        // merchant_id), numbers in the text they were sent in, the empty attach and null msg left out.
        String plain = "body=小胖建设3&deviceCode=868443020001028&imsi=132132131313&mch_trade_id=alex.1503452475"
                + "&merchant_id=59457accffea0e051b86e685&notify_url=http://cb.pooulcloud.cn/notify/test_notify/wechat.1497331035"
                + "&pay_type=wechat.jswap&platform=1&sign_type=md5&time_start=1502786703&total_fee=1&key=" + KEY;
        String byHand = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("MD5")
                .digest(plain.getBytes(StandardCharsets.UTF_8)));
        assertThat(signed).isEqualTo(byHand);
    }

    @Test
    void verifiesInConstantTimeAndRefusesAnyChange() throws Exception {
        JsonNode data = PooulFields.JSON.readTree("{\"total_fee\":\"12\",\"trade_state\":0,\"pay_type\":\"alipay.jsapi\"}");
        Map<String, String> f = PooulSigner.fieldsOf(data);
        String sign = PooulSigner.sign(f, KEY);
        assertThat(PooulSigner.verify(f, sign, KEY)).isTrue();
        assertThat(PooulSigner.verify(f, sign.toLowerCase(), KEY)).isTrue();
        assertThat(PooulSigner.verify(f, sign, KEY + "x")).isFalse();
        assertThat(PooulSigner.verify(f, null, KEY)).isFalse();
        assertThat(PooulSigner.verify(f, "", KEY)).isFalse();
        JsonNode asNumber = PooulFields.JSON.readTree("{\"total_fee\":13,\"trade_state\":0,\"pay_type\":\"alipay.jsapi\"}");
        assertThat(PooulSigner.verify(PooulSigner.fieldsOf(asNumber), sign, KEY)).isFalse();
    }

    @Test
    void aFieldTheModelDoesNotKnowIsSignedToo() throws Exception {
        JsonNode with = PooulFields.JSON.readTree("{\"trade_state\":0,\"fund_bill_list\":\"[{\\\"amount\\\":\\\"0.01\\\"}]\"}");
        JsonNode without = PooulFields.JSON.readTree("{\"trade_state\":0}");
        assertThat(PooulSigner.sign(PooulSigner.fieldsOf(with), KEY)).isNotEqualTo(PooulSigner.sign(PooulSigner.fieldsOf(without), KEY));
        assertThat(PooulSigner.fieldsOf(PooulFields.JSON.readTree("{\"a\":0.10}"))).containsEntry("a", "0.10");
    }
}
