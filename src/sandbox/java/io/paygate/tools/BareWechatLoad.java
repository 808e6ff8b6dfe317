package io.paygate.tools;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The provider work of a SCAN payment without the gateway: {@code --clients} threads each build a
 * WeChat Pay v2 {@code /pay/unifiedorder} for a new order, sign it (HMAC-SHA256 unless told MD5),
 * POST it over a keep-alive connection of their own, parse the answer and check its signature,
 * result_code and code_url, for {@code --seconds} after {@code --warmup}. Prints calls per second
 * and latency percentiles in JmsLoad's line format. Its signing and XML code is its own.
 *
 * <pre>
 * java -cp payment-gateway-sandbox.jar io.paygate.tools.BareWechatLoad --url http://127.0.0.1:PORT
 *      --mch M --appid A --key K [--sign-type HMAC-SHA256] [--clients 8] [--seconds 20] [--warmup 5]
 * </pre>
 */
public final class BareWechatLoad {
    private BareWechatLoad() {
    }

    public static void main(String[] args) throws Exception {
        ToolOptions o = new ToolOptions(args, java.util.Set.of("url", "mch", "appid", "key", "sign-type", "clients",
                "seconds", "warmup"));
        String url = o.get("url", null);
        String mch = o.get("mch", null);
        String appid = o.get("appid", null);
        String key = o.get("key", null);
        if (url == null || mch == null || appid == null || key == null) {
            System.err.println("usage: BareWechatLoad --url U --mch M --appid A --key K [--sign-type HMAC-SHA256|MD5] "
                    + "[--clients N] [--seconds S] [--warmup W]");
            System.exit(2);
        }
        System.out.println(run(URI.create(url), mch, appid, key, o.get("sign-type", WechatV2.HMAC_SHA256),
                o.intValue("clients", 8), o.intValue("warmup", 5), o.intValue("seconds", 20)).line());
    }

    static LoadRun.Result run(URI base, String mch, String appid, String key, String signType, int clients,
                              double warmup, double seconds) throws InterruptedException {
        URI unifiedOrder = base.resolve("/pay/unifiedorder");
        String run = Long.toString(System.currentTimeMillis(), 36);
        return LoadRun.run(clients, warmup, seconds, index -> {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            return n -> {
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("appid", appid);
                fields.put("mch_id", mch);
                fields.put("nonce_str", Long.toHexString(ThreadLocalRandom.current().nextLong()));
                fields.put("sign_type", signType);
                fields.put("body", "load");
                fields.put("out_trade_no", "B" + run + "-" + index + "-" + n);
                fields.put("total_fee", "1");
                fields.put("spbill_create_ip", "127.0.0.1");
                fields.put("notify_url", "http://127.0.0.1:18080/notify/wechat");
                fields.put("trade_type", "NATIVE");
                fields.put("product_id", "load");
                fields.put("sign", WechatV2.sign(fields, signType, key));
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(unifiedOrder)
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "text/xml; charset=UTF-8")
                        .POST(HttpRequest.BodyPublishers.ofString(WechatV2.toXml(fields), StandardCharsets.UTF_8))
                        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                Map<String, String> verified = answer.statusCode() == 200 ? WechatV2.parseXml(answer.body()) : null;
                return verified != null && "SUCCESS".equals(verified.get("return_code"))
                        && WechatV2.verify(verified, signType, key)
                        && "SUCCESS".equals(verified.get("result_code")) && verified.get("code_url") != null;
            };
        });
    }
}
