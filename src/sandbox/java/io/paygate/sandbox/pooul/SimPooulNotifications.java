package io.paygate.sandbox.pooul;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Pooul's notifications as the simulated Pooul sends them. Classic (seed 000): JSON
 * {@code {code, msg, data, version, sign_type, sign}}, the MD5 sign over data, {@code time_end} as
 * {@code yyyyMMddHHmmss}. v2 (undocumented; the shape assumed in docs/protocols/pooul.md): a JWT by the
 * platform key whose payload is {@code {code, msg, data}} with the query answer's fields,
 * {@code time_end} in 13-digit milliseconds. Refund notifications carry the refund's fields.
 */
final class SimPooulNotifications {
    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneId.of("Asia/Shanghai"));

    record Delivery(int status, String reply) {
    }

    private final ObjectMapper json;
    private final Map<String, PooulSimulator.Merchant> merchants;
    private final PrivateKey platformKey;
    private final Supplier<String> nonces;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SimPooulNotifications(ObjectMapper json, Map<String, PooulSimulator.Merchant> merchants, PrivateKey platformKey,
                          Supplier<String> nonces) {
        this.json = json;
        this.merchants = merchants;
        this.platformKey = platformKey;
        this.nonces = nonces;
    }

    Delivery payment(SimPooulOrder o) {
        ObjectNode d = json.createObjectNode();
        d.put("total_fee", o.totalFee);
        d.put("ch_trade_id", o.chTradeId);
        d.put("out_trade_id", o.outTradeId);
        d.put("time_end", o.v2 ? Long.toString(o.timeEnd * 1000) : COMPACT.format(Instant.ofEpochSecond(o.timeEnd)));
        d.put("trade_id", o.tradeId);
        d.put("mch_trade_id", o.mchTradeId);
        d.put("merchant_id", o.merchantId);
        d.put("pay_type", o.payType);
        d.put("trade_state", 0);
        d.put("pay_result", 0);
        if (o.attach != null) {
            d.put("attach", o.attach);
        }
        d.put("nonce_str", nonces.get());
        return send(o, o.notifyUrl, d);
    }

    Delivery refund(SimPooulOrder o, SimPooulOrder.Refund r) {
        ObjectNode d = json.createObjectNode();
        d.put("merchant_id", o.merchantId);
        d.put("mch_trade_id", o.mchTradeId);
        d.put("trade_id", o.tradeId);
        d.put("total_fee", o.totalFee);
        if (r.mchRefundId() != null) {
            d.put("mch_refund_id", r.mchRefundId());
            d.put("refund_status", 0);
        } else {
            d.put("refund_state", 0);
        }
        d.put("refund_id", r.refundId());
        d.put("refund_fee", r.fee());
        d.put("refund_time", r.refundTime());
        d.put("nonce_str", nonces.get());
        return send(o, r.notifyUrl(), d);
    }

    private Delivery send(SimPooulOrder o, String url, ObjectNode data) {
        ObjectNode n = json.createObjectNode();
        n.put("code", 0);
        String body;
        String type;
        try {
            if (o.v2) {
                n.put("msg", "success");
                n.set("data", data);
                body = SimPooulCrypto.jwsSign(json.writeValueAsBytes(n), platformKey);
                type = "text/plain";
            } else {
                n.putNull("msg");
                n.set("data", data);
                n.put("version", "1.0");
                n.put("sign_type", "md5");
                n.put("sign", SimPooulCrypto.md5Sign(data, merchants.get(o.merchantId).md5Key()));
                body = json.writeValueAsString(n);
                type = "application/json";
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return new Delivery(r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Delivery(0, "not delivered: interrupted");
        } catch (Exception e) {
            return new Delivery(0, "not delivered: " + e.getClass().getSimpleName());
        }
    }
}
