package io.paygate.sandbox.wechat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/** Sends WeChat's pay and refund notifications to the merchant's notify_url, as WeChat does. */
final class SimNotifier {
    /** What the gateway answered: its HTTP status (0 when it could not be reached) and body. */
    record Delivery(int status, String reply) {
        /** WeChat stops re-sending once the reply's return_code is SUCCESS. */
        boolean acknowledged() {
            if (status != 200 || reply == null) {
                return false;
            }
            try {
                return "SUCCESS".equals(SimXml.parse(reply.getBytes(StandardCharsets.UTF_8)).get("return_code"));
            } catch (SimXml.RejectedXml e) {
                return false;
            }
        }

        /** A short description for the refund view; never the gateway's whole reply. */
        String summary() {
            if (acknowledged()) {
                return "delivered";
            }
            return status == 0 ? reply : "refused: HTTP " + status;
        }
    }

    private final Map<String, WechatSimulator.Merchant> merchants;
    private final SimIdentifiers identifiers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SimNotifier(Map<String, WechatSimulator.Merchant> merchants, SimIdentifiers identifiers) {
        this.merchants = merchants;
        this.identifiers = identifiers;
    }

    Delivery payNotification(SimOrder order, SimSigner.SignType type) {
        WechatSimulator.Merchant merchant = merchants.get(order.mchId());
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("appid", order.appId());
        f.put("mch_id", order.mchId());
        f.put("device_info", order.deviceInfo());
        f.put("nonce_str", identifiers.nonce());
        f.put("result_code", "SUCCESS");
        f.put("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        f.put("is_subscribe", "N");
        f.put("trade_type", order.tradeType());
        f.put("bank_type", "OTHERS");
        f.put("total_fee", Long.toString(order.totalFee()));
        f.put("fee_type", order.feeType());
        f.put("cash_fee", Long.toString(order.totalFee()));
        f.put("transaction_id", order.transactionId());
        f.put("out_trade_no", order.outTradeNo());
        f.put("attach", order.attach());
        f.put("time_end", order.timeEnd());
        if (type == SimSigner.SignType.HMAC_SHA256) {
            f.put("sign_type", "HMAC-SHA256");
        }
        f.values().removeIf(v -> v == null || v.isEmpty());
        f.put("sign", SimSigner.sign(f, merchant.apiKey(), type));
        return post(order.notifyUrl(), SimXml.write(f));
    }

    /**
     * WeChat's refund notification: unsigned; the refund's details travel in {@code req_info},
     * base64 of AES-256-ECB (PKCS#7) ciphertext of a {@code <root>} document, keyed with the 32
     * lowercase hex characters of MD5(API key).
     */
    Delivery refundNotification(SimRefund refund) {
        WechatSimulator.Merchant merchant = merchants.get(refund.mchId());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("transaction_id", refund.transactionId());
        details.put("out_trade_no", refund.outTradeNo());
        details.put("refund_id", refund.refundId());
        details.put("out_refund_no", refund.outRefundNo());
        details.put("total_fee", Long.toString(refund.totalFee()));
        details.put("refund_fee", Long.toString(refund.refundFee()));
        details.put("settlement_refund_fee", Long.toString(refund.refundFee()));
        details.put("refund_status", refund.refundStatus().name());
        if (refund.refundStatus() == SimRefund.RefundStatus.SUCCESS) {
            details.put("success_time", refund.successTime());
        }
        details.put("refund_recv_accout", SimRefund.RECEIVED_BY);
        details.put("refund_account", SimRefund.REFUND_ACCOUNT);
        details.put("refund_request_source", SimRefund.REQUEST_SOURCE);

        Map<String, String> outer = new LinkedHashMap<>();
        outer.put("return_code", "SUCCESS");
        outer.put("appid", refund.appId());
        outer.put("mch_id", refund.mchId());
        outer.put("nonce_str", identifiers.nonce());
        outer.put("req_info", encryptReqInfo(SimXml.write("root", details), merchant.apiKey()));
        return post(refund.notifyUrl(), SimXml.write(outer));
    }

    static String encryptReqInfo(String plaintext, String apiKey) {
        try {
            String keyHex = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(apiKey.getBytes(StandardCharsets.UTF_8)));
            // The JDK's "PKCS5Padding" for AES is PKCS#7 with 16-byte blocks.
            Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keyHex.getBytes(StandardCharsets.US_ASCII), "AES"));
            return Base64.getEncoder().encodeToString(cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always ships MD5 and AES-256", e);
        }
    }

    private Delivery post(String url, String xml) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "text/xml")
                    .POST(HttpRequest.BodyPublishers.ofString(xml, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Delivery(r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Delivery(0, "not delivered: interrupted");
        } catch (Exception e) {
            return new Delivery(0, "not delivered: " + e.getClass().getSimpleName());
        }
    }
}
