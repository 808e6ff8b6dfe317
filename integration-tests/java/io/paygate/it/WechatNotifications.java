package io.paygate.it;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** WeChat pay notifications as WeChat sends them, signed by the test's own HMAC-SHA256 code. */
final class WechatNotifications {
    private WechatNotifications() {
    }

    static Map<String, String> paid(String appId, String mchId, String orderId, long fee, String transactionId) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("appid", appId);
        f.put("mch_id", mchId);
        f.put("nonce_str", "Nz" + Long.toHexString(System.nanoTime()));
        f.put("result_code", "SUCCESS");
        f.put("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        f.put("trade_type", "NATIVE");
        f.put("bank_type", "CMC");
        f.put("total_fee", Long.toString(fee));
        f.put("cash_fee", Long.toString(fee));
        f.put("transaction_id", transactionId);
        f.put("out_trade_no", orderId);
        f.put("time_end", "20261122120000");
        return f;
    }

    static String sign(Map<String, String> f, String key) throws Exception {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(f).forEach((k, v) -> {
            if (!k.equals("sign") && !v.isEmpty()) {
                s.append(k).append('=').append(v).append('&');
            }
        });
        s.append("key=").append(key);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().withUpperCase().formatHex(mac.doFinal(s.toString().getBytes(StandardCharsets.UTF_8)));
    }

    static String xml(Map<String, String> f) {
        StringBuilder sb = new StringBuilder("<xml>");
        f.forEach((k, v) -> sb.append('<').append(k).append("><![CDATA[").append(v).append("]]></").append(k).append('>'));
        return sb.append("</xml>").toString();
    }

    static String signedXml(Map<String, String> f, String key) throws Exception {
        Map<String, String> copy = new LinkedHashMap<>(f);
        copy.put("sign", sign(copy, key));
        return xml(copy);
    }
}
