package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pooul classic API signature (docs/protocols/pooul.md): drop {@code sign}, skip null and empty
 * values, sort the keys by ASCII, join {@code k=v} with {@code &} (no URL encoding), append
 * {@code &key=<key>}, MD5 over UTF-8, uppercase hex. Requests are signed over every other body
 * field; answers and notifications over their {@code data} object only. A pure function: no I/O,
 * no state, nothing logged.
 */
public final class PooulSigner {
    private PooulSigner() {
    }

    public static String sign(Map<String, String> fields, String key) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(fields).entrySet()) {
            if (e.getKey().equals("sign") || e.getValue() == null || e.getValue().isEmpty()) {
                continue;
            }
            s.append(e.getKey()).append('=').append(e.getValue()).append('&');
        }
        s.append("key=").append(key);
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time check of {@code given} against the signature of {@code fields}. */
    public static boolean verify(Map<String, String> fields, String given, String key) {
        if (given == null || given.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(sign(fields, key).getBytes(StandardCharsets.US_ASCII),
                given.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The signing view of a JSON object as it arrived: strings as they are, numbers in the text they
     * were sent in ({@code 1}, {@code "12"}), booleans as {@code true}/{@code false}, nulls left out,
     * nested objects and lists as their compact JSON (no document shows one inside {@code data}).
     */
    public static Map<String, String> fieldsOf(JsonNode object) {
        Map<String, String> out = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v == null || v.isNull() || v.isMissingNode()) {
                continue;
            }
            out.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
        }
        return out;
    }
}
