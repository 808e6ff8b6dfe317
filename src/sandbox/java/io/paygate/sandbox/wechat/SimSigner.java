package io.paygate.sandbox.wechat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The sandbox's own WeChat Pay v2 signature: written independently of the gateway's signer so
 * that the sandbox checks the gateway rather than agreeing with it by construction.
 */
final class SimSigner {

    /** The {@code sign_type} values WeChat Pay v2 accepts; an absent {@code sign_type} means MD5. */
    enum SignType {
        MD5("MD5"),
        HMAC_SHA256("HMAC-SHA256");

        private final String wireName;

        SignType(String wireName) {
            this.wireName = wireName;
        }

        String wireName() {
            return wireName;
        }

        /** Empty when the request names a sign type WeChat does not know. */
        static Optional<SignType> fromRequest(String signType) {
            if (signType == null || signType.isEmpty()) {
                return Optional.of(MD5);
            }
            for (SignType type : values()) {
                if (type.wireName.equals(signType)) {
                    return Optional.of(type);
                }
            }
            return Optional.empty();
        }
    }

    private SimSigner() {
    }

    /** Signs every non-empty field except {@code sign} itself. */
    static String sign(Map<String, String> fields, String apiKey, SignType type) {
        byte[] payload = signingString(fields, apiKey).getBytes(StandardCharsets.UTF_8);
        byte[] digest = switch (type) {
            case MD5 -> md5(payload);
            case HMAC_SHA256 -> hmacSha256(payload, apiKey);
        };
        return HexFormat.of().withUpperCase().formatHex(digest);
    }

    /** True when the fields carry a {@code sign} equal to the one we compute; compared in constant time. */
    static boolean verify(Map<String, String> fields, String apiKey, SignType type) {
        String given = fields.get("sign");
        if (given == null || given.isEmpty()) {
            return false;
        }
        byte[] expected = sign(fields, apiKey, type).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
    }

    static String signingString(Map<String, String> fields, String apiKey) {
        // TreeMap orders String keys by UTF-16 code unit, which for WeChat's ASCII keys is ASCII order.
        StringBuilder text = new StringBuilder();
        new TreeMap<>(fields).forEach((name, value) -> {
            if (!"sign".equals(name) && value != null && !value.isEmpty()) {
                text.append(name).append('=').append(value).append('&');
            }
        });
        return text.append("key=").append(apiKey).toString();
    }

    private static byte[] md5(byte[] payload) {
        try {
            return MessageDigest.getInstance("MD5").digest(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always ships MD5", e);
        }
    }

    private static byte[] hmacSha256(byte[] payload, String apiKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(apiKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always ships HmacSHA256", e);
        }
    }
}
