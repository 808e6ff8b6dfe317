package io.paygate.tools;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat Pay v2 wire work for the load tools, independent of the gateway's code: the flat
 * {@code <xml>} document and its signature (fields sorted by name, empty ones and {@code sign}
 * left out, {@code &key=}, MD5 or HMAC-SHA256, upper-case hex).
 */
final class WechatV2 {
    static final String HMAC_SHA256 = "HMAC-SHA256";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private WechatV2() {
    }

    static String sign(Map<String, String> fields, String signType, String apiKey) {
        StringBuilder text = new StringBuilder(512);
        for (Map.Entry<String, String> e : new TreeMap<>(fields).entrySet()) {
            if (!e.getKey().equals("sign") && e.getValue() != null && !e.getValue().isEmpty()) {
                text.append(e.getKey()).append('=').append(e.getValue()).append('&');
            }
        }
        text.append("key=").append(apiKey);
        byte[] data = text.toString().getBytes(StandardCharsets.UTF_8);
        try {
            byte[] digest;
            if (HMAC_SHA256.equals(signType)) {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(apiKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                digest = mac.doFinal(data);
            } else {
                digest = MessageDigest.getInstance("MD5").digest(data);
            }
            char[] hex = new char[digest.length * 2];
            for (int i = 0; i < digest.length; i++) {
                hex[2 * i] = HEX[(digest[i] >> 4) & 0xF];
                hex[2 * i + 1] = HEX[digest[i] & 0xF];
            }
            return new String(hex);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when {@code fields} carry a {@code sign} that matches them under {@code apiKey}. */
    static boolean verify(Map<String, String> fields, String signType, String apiKey) {
        String sign = fields.get("sign");
        return sign != null && MessageDigest.isEqual(sign.getBytes(StandardCharsets.US_ASCII),
                sign(fields, signType, apiKey).getBytes(StandardCharsets.US_ASCII));
    }

    static String toXml(Map<String, String> fields) {
        StringBuilder xml = new StringBuilder(512).append("<xml>");
        fields.forEach((k, v) -> xml.append('<').append(k).append("><![CDATA[").append(v).append("]]></")
                .append(k).append('>'));
        return xml.append("</xml>").toString();
    }

    /** The children of a flat {@code <xml>} document, CDATA or escaped text; null when it is not one. */
    static Map<String, String> parseXml(String xml) {
        Map<String, String> fields = new LinkedHashMap<>();
        int start = xml.indexOf("<xml>");
        int end = xml.lastIndexOf("</xml>");
        if (start < 0 || end < start) {
            return null;
        }
        int i = start + 5;
        while (true) {
            int open = xml.indexOf('<', i);
            if (open < 0 || open >= end) {
                return fields;
            }
            int close = xml.indexOf('>', open);
            if (close < 0) {
                return null;
            }
            String name = xml.substring(open + 1, close);
            if (name.isEmpty() || name.startsWith("/") || name.startsWith("!") || name.startsWith("?")) {
                return null;
            }
            String endTag = "</" + name + ">";
            int valueEnd = xml.indexOf(endTag, close + 1);
            if (valueEnd < 0) {
                return null;
            }
            String raw = xml.substring(close + 1, valueEnd);
            String value = raw.startsWith("<![CDATA[") && raw.endsWith("]]>")
                    ? raw.substring(9, raw.length() - 3)
                    : raw.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                            .replace("&amp;", "&");
            fields.put(name, value);
            i = valueEnd + endTag.length();
        }
    }
}
