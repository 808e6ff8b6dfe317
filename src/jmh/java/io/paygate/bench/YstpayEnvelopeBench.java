package io.paygate.bench;

import io.paygate.provider.ystpay.YstpaySettings;
import io.paygate.provider.ystpay.YstpayCipher;
import io.paygate.provider.ystpay.YstpayEnvelope;
import io.paygate.provider.ystpay.YstpayKeys;
import io.paygate.provider.ystpay.YstpaySigner;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Ystpay message: a barcode pay request sealed (XML, AES/CBC with zero padding, base64, MD5
 * signature; the DSN derived from the merchant's settings each time, as every call does), and its
 * answer opened (parse the envelope, verify the MD5 signature, base64, AES decrypt, parse the data).
 * Baselines in the same run: plain {@code Cipher} AES/CBC/NoPadding of the same padded bytes, a new
 * Cipher per message as the gateway makes one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class YstpayEnvelopeBench {
    private final YstpaySettings settings = new YstpaySettings("http://127.0.0.1/unitive.api", "Dev0001", "pass123456",
            "Yst7pQ2mK9vX4bN8cR1sT6wZ3hJ5dF0a");
    private Map<String, String> fields;
    private byte[] answer;
    private byte[] requestPlain;
    private byte[] requestCipher;
    private byte[] key;

    @Setup
    public void setUp() {
        YstpayKeys keys = YstpayKeys.of(settings);
        fields = new LinkedHashMap<>();
        fields.put("req_seq", "26112200000000000001");
        fields.put("total_fee", "6320");
        fields.put("auth_code", "134567890123456789");
        fields.put("prod_details", "[{\"goodsId\":\"2900002400915\",\"goodsName\":\"奶油曲奇\",\"price\":\"17.60\",\"quantity\":\"1\","
                + "\"goodsFee\":\"17.60\"},{\"goodsId\":\"2900002400922\",\"goodsName\":\"小石头\",\"price\":\"12.80\","
                + "\"quantity\":\"2\",\"goodsFee\":\"25.60\"}]");
        String data = "<data><req_seq>26112200000000000001</req_seq><result>Y</result><code>E11000</code><msg>支付成功</msg>"
                + "<server_time>2026-11-22 11:17:48:751</server_time><trans_seq>12611221117180000001</trans_seq>"
                + "<total_fee>6320</total_fee><cash_fee>6320</cash_fee><coupon_fee>0</coupon_fee>"
                + "<pay_time>2026-11-22 11:17:18</pay_time><channel>W</channel><status>S</status></data>";
        String encrypted = YstpayCipher.encrypt(data, keys.answerKey(), keys.answerIv(), keys.padding());
        answer = ("<response><timestamp>1763781438751</timestamp><data>" + encrypted + "</data><signature>"
                + YstpaySigner.answerSignature(keys.dsn(), "1763781438751", encrypted) + "</signature></response>")
                .getBytes(StandardCharsets.UTF_8);
        String sealed = YstpayEnvelope.seal("unitive_pay_request", fields, keys);
        // The same number of bytes the seal step encrypts, for the baseline.
        int plainLength = Base64.getDecoder().decode(sealed.replaceAll(".*<data><!\\[CDATA\\[|]]></data>.*", "")).length;
        requestPlain = Arrays.copyOf("x".repeat(plainLength).getBytes(StandardCharsets.UTF_8), plainLength);
        key = keys.requestKey();
        requestCipher = aes(Cipher.ENCRYPT_MODE, requestPlain);
    }

    @Benchmark
    public String encryptAndSign() {
        return YstpayEnvelope.seal("unitive_pay_request", fields, YstpayKeys.of(settings));
    }

    @Benchmark
    public Map<String, String> verifyAndDecrypt() {
        return YstpayEnvelope.open(answer, YstpayKeys.of(settings));
    }

    @Benchmark
    public byte[] baselinePlainAesEncrypt() {
        return aes(Cipher.ENCRYPT_MODE, requestPlain);
    }

    @Benchmark
    public byte[] baselinePlainAesDecrypt() {
        return aes(Cipher.DECRYPT_MODE, requestCipher);
    }

    private byte[] aes(int mode, byte[] input) {
        try {
            Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(key));
            return c.doFinal(input);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
