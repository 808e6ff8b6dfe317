package io.paygate.sandbox.wechat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Sends WeChat's pay notification for an order to its notify_url, as WeChat does. */
final class SimNotifier {
    record Delivery(int status, String reply) {
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
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(order.notifyUrl()))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "text/xml")
                    .POST(HttpRequest.BodyPublishers.ofString(SimXml.write(f), StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Delivery(r.statusCode(), r.body());
        } catch (Exception e) {
            return new Delivery(0, "not delivered: " + e.getClass().getSimpleName());
        } 
    }
}
