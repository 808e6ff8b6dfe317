package io.paygate.provider.wechat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat Pay v2 signature: drop {@code sign} and empty values, sort keys by ASCII, join
 * {@code k=v} with {@code &}, append {@code &key=<API key>}, then MD5 or HMAC-SHA256 (keyed with
 * the API key), uppercase hex. A pure function: no I/O, no state, nothing logged.
 */
public final class WechatSigner {
    public static final String MD5 = "MD5";
    public static final String HMAC_SHA256 = "HMAC-SHA256";

    private WechatSigner() {
    }

    public static String sign(Map<String, String> fields, String apiKey, String signType) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(fields).entrySet()) {
            if (e.getKey().equals("sign") || e.getValue() == null || e.getValue().isEmpty()) {
                continue;
            }
            s.append(e.getKey()).append('=').append(e.getValue()).append('&');
        }
        s.append("key=").append(apiKey);
        byte[] input = s.toString().getBytes(StandardCharsets.UTF_8);
        try {
            byte[] digest;
            if (HMAC_SHA256.equals(signType)) {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(apiKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                digest = mac.doFinal(input);
            } else if (MD5.equals(signType)) {
                digest = MessageDigest.getInstance("MD5").digest(input);
            } else {
                throw new IllegalArgumentException("unknown sign type " + signType);
            }
            return HexFormat.of().withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time check of the {@code sign} field over every other field received. */
    public static boolean verify(Map<String, String> fields, String apiKey, String signType) {
        String given = fields.get("sign");
        if (given == null || given.isEmpty()) {
            return false;
        }
        String expected = sign(fields, apiKey, signType);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
