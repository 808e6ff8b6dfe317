package io.paygate.provider.ystpay;

import io.paygate.provider.ystpay.YstpayCipher.Padding;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A merchant's key material, derived from its profile (docs/protocols/ystpay.md, "Crypto"):
 * the DSN; the request AES key and IV by the merchant's {@code requestKey} setting; the answer AES
 * key = IV = the first 16 characters of the DSN (the document, §2.6.1); the padding. Holds
 * secrets: {@link #toString()} shows none.
 */
public record YstpayKeys(String account, String privateKey, String dsn, byte[] requestKey, byte[] requestIv,
                         byte[] answerKey, byte[] answerIv, Padding padding) {

    public static YstpayKeys of(YstpaySettings s) {
        String dsn = YstpaySigner.dsn(s.account(), s.privateKey(), s.password(), "lower".equals(s.passwordMd5()));
        byte[] keyText = s.privateKey().getBytes(StandardCharsets.UTF_8);
        byte[] key = switch (s.requestKey()) {
            case "utf8" -> keyText;
            case "base64" -> Base64.getDecoder().decode(s.privateKey().trim());
            default -> Arrays.copyOf(keyText, 16);
        };
        byte[] iv = Arrays.copyOf(key, 16);
        byte[] answerKey = dsn.substring(0, 16).getBytes(StandardCharsets.US_ASCII);
        Padding padding = "pkcs7".equals(s.padding()) ? Padding.PKCS7 : Padding.ZERO;
        return new YstpayKeys(s.account(), s.privateKey(), dsn, key, iv, answerKey, answerKey.clone(), padding);
    }

    @Override
    public String toString() {
        return "YstpayKeys[account=" + account + ", padding=" + padding + "]";
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
