package io.paygate.provider.ystpay;

import io.paygate.xml.HardenedXml;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code unitive.api} envelope (document §2.5, §2.6). A request is
 * {@code <request>request_type, account, dsn, data, signature</request>} where data is the
 * AES-encrypted {@code <data>} document with the request key and IV and signature =
 * MD5(privateKey + dsn + data). An answer is {@code <response>timestamp, data, signature</response>},
 * signature = MD5(dsn + timestamp + data), data encrypted with key = IV = the first 16 characters
 * of the DSN. An answer is verified before its data is decrypted, and decrypted before anything in it
 * is read.
 */
public final class YstpayEnvelope {
    /** Fields of the decrypted {@code <data>} whose value is a list of {@code <line>} elements. */
    static final Set<String> LINE_LISTS = Set.of("receipts");

    private YstpayEnvelope() {
    }

    /**
     * The request body for one call.
     *
     * @param fields the {@code <data>} fields after request_type and dsn, in the document's order
     */
    public static String seal(String requestType, Map<String, String> fields, YstpayKeys keys) {
        Map<String, String> plain = new LinkedHashMap<>();
        plain.put("request_type", requestType);
        plain.put("dsn", keys.dsn());
        fields.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                plain.put(k, v);
            }
        });
        String data = YstpayCipher.encrypt(HardenedXml.writeFlat("data", plain), keys.requestKey(), keys.requestIv(),
                keys.padding());
        Map<String, String> outer = new LinkedHashMap<>();
        outer.put("request_type", requestType);
        outer.put("account", keys.account());
        outer.put("dsn", keys.dsn());
        outer.put("data", data);
        outer.put("signature", YstpaySigner.requestSignature(keys.privateKey(), keys.dsn(), data));
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + HardenedXml.writeFlat("request", outer);
    }

    /**
     * Parses, verifies and decrypts an answer: the fields of its {@code <data>}.
     *
     * @throws Rejected when the answer is unreadable, its signature fails, or its data cannot be opened
     */
    public static Map<String, String> open(byte[] raw, YstpayKeys keys) {
        Map<String, String> outer;
        try {
            outer = HardenedXml.parseFlat(raw, "response");
        } catch (HardenedXml.XmlRejected e) {
            throw new Rejected("the answer is not a <response> envelope: " + e.getMessage());
        }
        String data = outer.get("data");
        String timestamp = outer.getOrDefault("timestamp", "");
        if (data == null || data.isBlank()) {
            throw new Rejected("the answer has no <data>");
        }
        if (!YstpaySigner.matches(YstpaySigner.answerSignature(keys.dsn(), timestamp, data), outer.get("signature"))) {
            throw new Rejected("the answer's signature does not verify with the merchant's DSN");
        }
        return decryptData(data, keys.answerKey(), keys.answerIv(), keys);
    }

    /** Decrypts and parses a verified {@code <data>} payload. */
    static Map<String, String> decryptData(String data, byte[] key, byte[] iv, YstpayKeys keys) {
        String plain;
        try {
            plain = YstpayCipher.decrypt(data, key, iv, keys.padding());
        } catch (YstpayCipher.Unreadable e) {
            throw new Rejected(e.getMessage());
        }
        try {
            return HardenedXml.parseFlat(plain.getBytes(StandardCharsets.UTF_8), "data", LINE_LISTS);
        } catch (HardenedXml.XmlRejected e) {
            throw new Rejected("the decrypted data is not a complete <data> document (" + e.getMessage()
                    + "): truncated, wrong key, or another padding setting");
        }
    }

    /** Why an answer or notice cannot be used; never quotes its content. */
    public static final class Rejected extends RuntimeException {
        public Rejected(String message) {
            super(message);
        }
    }
}
