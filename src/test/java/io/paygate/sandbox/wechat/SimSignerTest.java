package io.paygate.sandbox.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.sandbox.wechat.SimSigner.SignType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimSignerTest {

    /** WeChat Pay's published signature example. */
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";
    private static final String OFFICIAL_MD5 = "9A0A8659F005D6984697E2CA0A9CF3B7";
    private static final String OFFICIAL_HMAC = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6";

    private static Map<String, String> officialFields() {
        // Deliberately not in ASCII order: the signer must sort.
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("nonce_str", "ibuaiVcKdpRxkhJA");
        fields.put("mch_id", "10000100");
        fields.put("appid", "wxd930ea5d5a258f4f");
        fields.put("body", "test");
        fields.put("device_info", "1000");
        return fields;
    }

    @Test
    void officialVectorMd5() {
        assertThat(SimSigner.sign(officialFields(), KEY, SignType.MD5)).isEqualTo(OFFICIAL_MD5);
    }

    @Test
    void officialVectorHmacSha256() {
        assertThat(SimSigner.sign(officialFields(), KEY, SignType.HMAC_SHA256)).isEqualTo(OFFICIAL_HMAC);
    }

    @Test
    void signingStringIsSortedAndEndsWithKey() {
        assertThat(SimSigner.signingString(officialFields(), KEY)).isEqualTo(
                "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100"
                        + "&nonce_str=ibuaiVcKdpRxkhJA&key=" + KEY);
    }

    @Test
    void signAndEmptyValuesAreNotSigned() {
        Map<String, String> fields = officialFields();
        fields.put("sign", "WHATEVER");
        fields.put("attach", "");
        fields.put("detail", null);

        assertThat(SimSigner.sign(fields, KEY, SignType.MD5)).isEqualTo(OFFICIAL_MD5);
        assertThat(SimSigner.sign(fields, KEY, SignType.HMAC_SHA256)).isEqualTo(OFFICIAL_HMAC);
    }

    @Test
    void verifyAcceptsOnlyTheRightSignatureOfTheRightType() {
        Map<String, String> fields = officialFields();
        fields.put("sign", OFFICIAL_MD5);
        assertThat(SimSigner.verify(fields, KEY, SignType.MD5)).isTrue();
        assertThat(SimSigner.verify(fields, KEY, SignType.HMAC_SHA256)).isFalse();
        assertThat(SimSigner.verify(fields, "another-key", SignType.MD5)).isFalse();

        fields.put("body", "tampered");
        assertThat(SimSigner.verify(fields, KEY, SignType.MD5)).isFalse();

        fields.remove("sign");
        assertThat(SimSigner.verify(fields, KEY, SignType.MD5)).isFalse();
    }

    @Test
    void signTypeFromRequest() {
        assertThat(SignType.fromRequest(null)).contains(SignType.MD5);
        assertThat(SignType.fromRequest("")).contains(SignType.MD5);
        assertThat(SignType.fromRequest("MD5")).contains(SignType.MD5);
        assertThat(SignType.fromRequest("HMAC-SHA256")).contains(SignType.HMAC_SHA256);
        assertThat(SignType.fromRequest("SHA1")).isEmpty();
    }
}
