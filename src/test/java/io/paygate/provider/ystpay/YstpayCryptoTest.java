package io.paygate.provider.ystpay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.provider.ystpay.YstpaySettings;
import io.paygate.provider.ystpay.YstpayCipher.Padding;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fixed vectors made by independent tools (md5sum, openssl 3, base64), each with the command that
 * made it, then round trips and the clear errors of ciphertext that cannot be opened.
 *
 * <pre>
 * ACC=Dev0001; PASS=pass123456; PK=Yst7pQ2mK9vX4bN8cR1sT6wZ3hJ5dF0a
 * PLAIN='&lt;data&gt;&lt;req_seq&gt;26112200000000000001&lt;/req_seq&gt;&lt;msg&gt;支付成功&lt;/msg&gt;&lt;/data&gt;'   # 75 bytes UTF-8
 * </pre>
 */
class YstpayCryptoTest {
    static final String ACCOUNT = "Dev0001";
    static final String PASSWORD = "pass123456";
    static final String PRIVATE_KEY = "Yst7pQ2mK9vX4bN8cR1sT6wZ3hJ5dF0a";
    static final String PLAIN = "<data><req_seq>26112200000000000001</req_seq><msg>支付成功</msg></data>";

    // printf %s "$PASS" | md5sum | cut -c1-32 | tr a-f A-F
    static final String INNER_MD5 = "9BE40402F45736BCB9502225FAD5EC9B";
    // printf %s "dev0001${PK}${INNER}" | md5sum | cut -c1-32 | tr a-f A-F
    static final String DSN = "4CA0B344EDBFB53C97188EEC9F9453C4";
    // the same with the inner md5 in lower case (passwordMd5: lower)
    static final String DSN_LOWER_INNER = "2055ABFE1DE73A29A767E3F44AFB16A0";
    // KEYHEX=$(printf %s "${PK:0:16}" | xxd -p)
    // (printf %s "$PLAIN"; head -c 5 /dev/zero) | openssl enc -aes-128-cbc -K $KEYHEX -iv $KEYHEX -nopad | base64 -w0
    static final String REQUEST_ZERO = "UU3e/MOLQBXA5T2F1cWz7AkVcKU3tCvjwTtf45+9+79t17lCvx9fJIadzigbjtkb9Kbcxciebz427grQ90+IPdaee83NR6uYT93kHCcbFG8=";
    // printf %s "$PLAIN" | openssl enc -aes-128-cbc -K $KEYHEX -iv $KEYHEX | base64 -w0     (openssl pads PKCS#7)
    static final String REQUEST_PKCS7 = "UU3e/MOLQBXA5T2F1cWz7AkVcKU3tCvjwTtf45+9+79t17lCvx9fJIadzigbjtkb9Kbcxciebz427grQ90+IPbHkAH9sHICeb7PLOyK86Fg=";
    // (printf %s "$PLAIN"; head -c 5 /dev/zero) | openssl enc -aes-256-cbc -K $(printf %s "$PK" | xxd -p -c 64) -iv $KEYHEX -nopad | base64 -w0
    static final String REQUEST_UTF8_KEY = "YbS5dSbBricjtdPywEqOlTlKtqjDMaohzIlpmht9WQAYcVL/58FB92GgZ1XgGs85q1HTp0+2HbPCS1RM3CI32tCV8TzvG89DnT7rEif9oe4=";
    // KH=$(printf %s 0123456789abcdef | xxd -p)   (privateKey MDEyMzQ1Njc4OWFiY2RlZg==, requestKey: base64)
    // (printf %s "$PLAIN"; head -c 5 /dev/zero) | openssl enc -aes-128-cbc -K $KH -iv $KH -nopad | base64 -w0
    static final String REQUEST_BASE64_KEY = "zaf/L2XtnoVmRhSo0T14SPgFVH2K5o8+qUlto7N3ed0J3YaQ+NJNlndKaFg+Vy2hYxJ+Wj6QTx1H0fGEGO0VYEzsNrhPYQvqeYZ0QalnxtU=";
    // AKHEX=$(printf %s 4CA0B344EDBFB53C | xxd -p)   (the first 16 characters of the DSN)
    // (printf %s "$PLAIN"; head -c 5 /dev/zero) | openssl enc -aes-128-cbc -K $AKHEX -iv $AKHEX -nopad | base64 -w0
    static final String ANSWER_ZERO = "8X07GkYOoNrd85hYp+I8n4lbok1VcDKqXpvX1Ay6DAwapzg1dMK6CnlU448uLnyf9QbK/OVoUmeGhLzTZQ4JSEwWnCEn8aOZlqkDU9gGka8=";
    // printf %s "${PK}${DSN}${REQUEST_ZERO}" | md5sum | cut -c1-32 | tr a-f A-F
    static final String REQUEST_SIGNATURE = "B0A10563836C5E94717FEEE0C1E4E429";
    // printf %s "${DSN}1763776800000${ANSWER_ZERO}" | md5sum | cut -c1-32 | tr a-f A-F
    static final String ANSWER_SIGNATURE = "4D3C824D7DCBFEF8E804FACBA5B8080B";

    static YstpaySettings settings(String requestKey, String padding, String passwordMd5) {
        return new YstpaySettings("http://127.0.0.1/unitive.api", ACCOUNT, PASSWORD, PRIVATE_KEY, requestKey, padding, passwordMd5);
    }

    static final YstpayKeys KEYS = YstpayKeys.of(settings("first16", "zero", "upper"));

    @Test
    void dsnMatchesMd5sum() {
        assertThat(YstpaySigner.md5(PASSWORD)).isEqualTo(INNER_MD5);
        assertThat(KEYS.dsn()).isEqualTo(DSN);
        assertThat(YstpayKeys.of(settings("first16", "zero", "lower")).dsn()).isEqualTo(DSN_LOWER_INNER);
        // The account is lower-cased before hashing: DEV0001 and dev0001 are the same device.
        assertThat(YstpaySigner.dsn("DEV0001", PRIVATE_KEY, PASSWORD, false)).isEqualTo(DSN);
    }

    @Test
    void signaturesMatchMd5sum() {
        assertThat(YstpaySigner.requestSignature(PRIVATE_KEY, DSN, REQUEST_ZERO)).isEqualTo(REQUEST_SIGNATURE);
        assertThat(YstpaySigner.answerSignature(DSN, "1763776800000", ANSWER_ZERO)).isEqualTo(ANSWER_SIGNATURE);
        assertThat(YstpaySigner.matches(ANSWER_SIGNATURE, ANSWER_SIGNATURE.toLowerCase())).isTrue();
        assertThat(YstpaySigner.matches(ANSWER_SIGNATURE, "4D3C824D7DCBFEF8E804FACBA5B8080C")).isFalse();
        assertThat(YstpaySigner.matches(ANSWER_SIGNATURE, null)).isFalse();
    }

    @Test
    void requestEncryptionMatchesOpensslForEveryKeySetting() {
        assertThat(YstpayCipher.encrypt(PLAIN, KEYS.requestKey(), KEYS.requestIv(), Padding.ZERO)).isEqualTo(REQUEST_ZERO);
        YstpayKeys pkcs7 = YstpayKeys.of(settings("first16", "pkcs7", "upper"));
        assertThat(YstpayCipher.encrypt(PLAIN, pkcs7.requestKey(), pkcs7.requestIv(), pkcs7.padding())).isEqualTo(REQUEST_PKCS7);
        YstpayKeys utf8 = YstpayKeys.of(settings("utf8", "zero", "upper"));
        assertThat(utf8.requestKey()).hasSize(32);
        assertThat(YstpayCipher.encrypt(PLAIN, utf8.requestKey(), utf8.requestIv(), utf8.padding())).isEqualTo(REQUEST_UTF8_KEY);
        YstpayKeys b64 = YstpayKeys.of(new YstpaySettings("http://x/", ACCOUNT, PASSWORD, "MDEyMzQ1Njc4OWFiY2RlZg==", "base64",
                "zero", "upper"));
        assertThat(YstpayCipher.encrypt(PLAIN, b64.requestKey(), b64.requestIv(), b64.padding())).isEqualTo(REQUEST_BASE64_KEY);
    }

    @Test
    void decryptionOfOpensslCiphertextStripsThePadding() {
        assertThat(YstpayCipher.decrypt(REQUEST_ZERO, KEYS.requestKey(), KEYS.requestIv(), Padding.ZERO)).isEqualTo(PLAIN);
        assertThat(YstpayCipher.decrypt(REQUEST_PKCS7, KEYS.requestKey(), KEYS.requestIv(), Padding.PKCS7)).isEqualTo(PLAIN);
        assertThat(YstpayCipher.decrypt(ANSWER_ZERO, KEYS.answerKey(), KEYS.answerIv(), Padding.ZERO)).isEqualTo(PLAIN);
        // Wrapped base64, as the document's example shows it.
        String wrapped = ANSWER_ZERO.substring(0, 40) + "\r\n" + ANSWER_ZERO.substring(40);
        assertThat(YstpayCipher.decrypt(wrapped, KEYS.answerKey(), KEYS.answerIv(), Padding.ZERO)).isEqualTo(PLAIN);
    }

    @Test
    void paddingRules() {
        byte[] sixteen = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        assertThat(YstpayCipher.pad(sixteen, Padding.ZERO)).hasSize(16);
        assertThat(YstpayCipher.pad(sixteen, Padding.PKCS7)).hasSize(32).endsWith((byte) 16);
        assertThat(YstpayCipher.pad(new byte[0], Padding.ZERO)).hasSize(16);
        for (int n = 0; n < 40; n++) {
            String text = "<d>" + "x".repeat(n) + "</d>";
            for (Padding p : Padding.values()) {
                String c = YstpayCipher.encrypt(text, KEYS.requestKey(), KEYS.requestIv(), p);
                assertThat(Base64.getDecoder().decode(c).length % 16).isZero();
                assertThat(YstpayCipher.decrypt(c, KEYS.requestKey(), KEYS.requestIv(), p)).isEqualTo(text);
            }
        }
    }

    @Test
    void ciphertextThatCannotBeOpenedSaysWhy() {
        byte[] k = KEYS.answerKey();
        byte[] iv = KEYS.answerIv();
        byte[] wrong = "0000000000000000".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> YstpayCipher.decrypt(ANSWER_ZERO, wrong, wrong, Padding.ZERO))
                .isInstanceOf(YstpayCipher.Unreadable.class).hasMessageContaining("wrong key");
        assertThatThrownBy(() -> YstpayCipher.decrypt(REQUEST_ZERO, KEYS.requestKey(), KEYS.requestIv(), Padding.PKCS7))
                .isInstanceOf(YstpayCipher.Unreadable.class).hasMessageContaining("PKCS#7");
        byte[] raw = Base64.getDecoder().decode(ANSWER_ZERO);
        String seventeen = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(raw, 17));
        assertThatThrownBy(() -> YstpayCipher.decrypt(seventeen, k, iv, Padding.ZERO))
                .isInstanceOf(YstpayCipher.Unreadable.class).hasMessageContaining("17 bytes, not a whole number of 16-byte");
        assertThatThrownBy(() -> YstpayCipher.decrypt(ANSWER_ZERO.substring(0, 49), k, iv, Padding.ZERO))
                .isInstanceOf(YstpayCipher.Unreadable.class).hasMessageContaining("not base64");
        assertThatThrownBy(() -> YstpayCipher.decrypt("abc$def=", k, iv, Padding.ZERO))
                .isInstanceOf(YstpayCipher.Unreadable.class).hasMessageContaining("not base64");
        assertThatThrownBy(() -> YstpayCipher.decrypt("", k, iv, Padding.ZERO))
                .isInstanceOf(YstpayCipher.Unreadable.class).hasMessageContaining("empty");
    }

    /** An answer made by hand from the openssl vectors, as the provider would send it. */
    static byte[] answer(String timestamp, String data, String signature) {
        return ("<response><timestamp>" + timestamp + "</timestamp><data>" + data + "</data><signature>" + signature
                + "</signature></response>").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anAnswerIsVerifiedThenDecrypted() {
        Map<String, String> f = YstpayEnvelope.open(answer("1763776800000", ANSWER_ZERO, ANSWER_SIGNATURE), KEYS);
        assertThat(f).containsExactly(Map.entry("req_seq", "26112200000000000001"), Map.entry("msg", "支付成功"));
    }

    @Test
    void aTamperedAnswerIsRejectedBeforeDecryption() {
        assertThatThrownBy(() -> YstpayEnvelope.open(answer("1763776800001", ANSWER_ZERO, ANSWER_SIGNATURE), KEYS))
                .isInstanceOf(YstpayEnvelope.Rejected.class).hasMessageContaining("signature does not verify");
        String flipped = (ANSWER_ZERO.charAt(0) == 'A' ? "B" : "A") + ANSWER_ZERO.substring(1);
        assertThatThrownBy(() -> YstpayEnvelope.open(answer("1763776800000", flipped, ANSWER_SIGNATURE), KEYS))
                .isInstanceOf(YstpayEnvelope.Rejected.class).hasMessageContaining("signature does not verify");
        // Another merchant's keys: its DSN differs, so the signature fails first.
        YstpayKeys other = YstpayKeys.of(new YstpaySettings("http://x/", ACCOUNT, "another-pass", PRIVATE_KEY,
                "first16", "zero", "upper"));
        assertThatThrownBy(() -> YstpayEnvelope.open(answer("1763776800000", ANSWER_ZERO, ANSWER_SIGNATURE), other))
                .isInstanceOf(YstpayEnvelope.Rejected.class).hasMessageContaining("signature does not verify");
    }

    @Test
    void aTruncatedButSignedAnswerIsRejectedWithTheReason() {
        byte[] raw = Base64.getDecoder().decode(ANSWER_ZERO);
        String lastBlockCut = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(raw, raw.length - 16));
        String sig = YstpaySigner.answerSignature(DSN, "1", lastBlockCut);
        assertThatThrownBy(() -> YstpayEnvelope.open(answer("1", lastBlockCut, sig), KEYS))
                .isInstanceOf(YstpayEnvelope.Rejected.class).hasMessageContaining("not a complete <data> document");
        String oddLength = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(raw, raw.length - 5));
        String sig2 = YstpaySigner.answerSignature(DSN, "1", oddLength);
        assertThatThrownBy(() -> YstpayEnvelope.open(answer("1", oddLength, sig2), KEYS))
                .isInstanceOf(YstpayEnvelope.Rejected.class).hasMessageContaining("not a whole number of 16-byte");
    }

    @Test
    void anXxeAnswerIsRefusedUnread() {
        byte[] xxe = ("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<response><timestamp>&x;</timestamp><data>x</data><signature>y</signature></response>")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> YstpayEnvelope.open(xxe, KEYS)).isInstanceOf(YstpayEnvelope.Rejected.class)
                .hasMessageContaining("DOCTYPE").hasMessageNotContaining("root:");
    }

    @Test
    void aSealedRequestIsSignedOverItsCiphertextAndDecryptsToTheFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("req_seq", "26112200000000000001");
        fields.put("total_fee", "1");
        fields.put("skip", null);
        String body = YstpayEnvelope.seal("unitive_pay_request", fields, KEYS);
        Map<String, String> outer = io.paygate.xml.HardenedXml.parseFlat(body.getBytes(StandardCharsets.UTF_8), "request");
        assertThat(outer.keySet()).containsExactly("request_type", "account", "dsn", "data", "signature");
        assertThat(outer.get("account")).isEqualTo(ACCOUNT);
        assertThat(outer.get("dsn")).isEqualTo(DSN);
        assertThat(outer.get("signature")).isEqualTo(YstpaySigner.md5(PRIVATE_KEY, DSN, outer.get("data")));
        String plain = YstpayCipher.decrypt(outer.get("data"), KEYS.requestKey(), KEYS.requestIv(), Padding.ZERO);
        Map<String, String> inner = io.paygate.xml.HardenedXml.parseFlat(plain.getBytes(StandardCharsets.UTF_8), "data");
        assertThat(inner).containsExactly(Map.entry("request_type", "unitive_pay_request"), Map.entry("dsn", DSN),
                Map.entry("req_seq", "26112200000000000001"), Map.entry("total_fee", "1"));
        assertThat(body).doesNotContain(PRIVATE_KEY).doesNotContain(PASSWORD);
    }

    @Test
    void keysNeverShowInText() {
        assertThat(KEYS.toString()).doesNotContain(PRIVATE_KEY).doesNotContain(DSN).doesNotContain(PASSWORD);
    }
}
