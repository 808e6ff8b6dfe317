package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.paygate.sandbox.wechat.WechatSimulator;
import io.paygate.store.Ledger;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real routes (routes/*.yaml) and beans against the WeChat sandbox simulator, through
 * {@code direct:payment-api} as every entry route uses it. A small hand-written server plays a
 * provider that answers badly (forged signature, XXE, slow).
 */
class WechatRouteTest extends RouteTestSupport {
    private static final String TOKEN_MD5 = "route-test-token-md5-000";
    private static final String TOKEN_HMAC = "route-test-token-hmac-000";
    private static final String TOKEN_WRONGKEY = "route-test-token-wrongkey";
    private static final String TOKEN_FORGED = "route-test-token-forged-0";
    private static final String TOKEN_DOWN = "route-test-token-down-000";
    private static final String KEY_MD5 = "md5key0000000000000000000000000a";
    private static final String KEY_HMAC = "hmackey000000000000000000000000b";

    private static Path dir;
    private static Fixture fixture;
    private static WechatSimulator sim;
    private static HttpServer badProvider;
    private static final AtomicReference<String> badAnswer = new AtomicReference<>("");
    private static final java.util.concurrent.atomic.AtomicInteger badStatus = new java.util.concurrent.atomic.AtomicInteger(200);
    private static final java.util.concurrent.atomic.AtomicInteger badCalls = new java.util.concurrent.atomic.AtomicInteger();
    private static int closedPort;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startProviders() throws Exception {
        dir = Files.createTempDirectory("route-test");
        sim = new WechatSimulator(0, List.of(
                new WechatSimulator.Merchant("1001", "wxappmd5", KEY_MD5),
                new WechatSimulator.Merchant("1002", "wxapphmac", KEY_HMAC),
                new WechatSimulator.Merchant("1003", "wxappwrong", "thesimulatorskey000000000000000c")), null);
        sim.start();
        badProvider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        badProvider.createContext("/", ex -> {
            badCalls.incrementAndGet();
            byte[] b = badAnswer.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(badStatus.get(), b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        badProvider.start();
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=https://gw.example.com",
                "gateway.provider.read-timeout=1",
                "gateway.idempotency.wait=10", ""));
        String sandbox = "http://127.0.0.1:" + sim.port();
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  shop-md5:",
                "    provider: wechat",
                "    apiToken: " + TOKEN_MD5,
                "    wechat: {baseUrl: '" + sandbox + "', appId: wxappmd5, mchId: '1001', apiKey: " + KEY_MD5 + "}",
                "  shop-hmac:",
                "    provider: wechat",
                "    apiToken: " + TOKEN_HMAC,
                "    wechat: {baseUrl: '" + sandbox + "', appId: wxapphmac, mchId: '1002', apiKey: " + KEY_HMAC
                        + ", signType: HMAC-SHA256}",
                "  shop-wrongkey:",
                "    provider: wechat",
                "    apiToken: " + TOKEN_WRONGKEY,
                "    wechat: {baseUrl: '" + sandbox + "', appId: wxappwrong, mchId: '1003', apiKey: notthesimulatorskey0000000000000}",
                "  shop-forged:",
                "    provider: wechat",
                "    apiToken: " + TOKEN_FORGED,
                "    wechat: {baseUrl: 'http://127.0.0.1:" + badProvider.getAddress().getPort()
                        + "', appId: wxappmd5, mchId: '1001', apiKey: " + KEY_MD5 + "}",
                "  shop-down:",
                "    provider: wechat",
                "    apiToken: " + TOKEN_DOWN,
                "    wechat: {baseUrl: 'http://127.0.0.1:" + closedPort + "', appId: wxappmd5, mchId: '1001', apiKey: "
                        + KEY_MD5 + "}", ""));
        fixture = Fixture.load(dir, 4);
    }

    @AfterAll
    static void stopProviders() {
        sim.close();
        badProvider.stop(0);
        fixture.close();
    }

    @Override
    protected Fixture fixture() {
        return fixture;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("payment-api.yaml", "provider-operations.yaml", "wechat.yaml", "errors.yaml");
    }

    private static String pay(String merchant, String requestId, String orderId, long amount) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":" + amount + ",\"method\":\"SCAN\",\"subject\":\"Coffee\",\"attach\":\"store 7\"}";
    }

    private static String query(String merchant, String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"QUERY\",\"orderId\":\""
                + orderId + "\"}";
    }

    private long simCalls() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
                + "/sandbox/wechat/stats")).build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(r.body()).get("total").asLong();
    }

    private void simPay(String orderId) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
                + "/sandbox/wechat/pay?out_trade_no=" + orderId)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void payThenQueryAfterTheBuyerPaid() throws Exception {
        Answer paid = call(TOKEN_MD5, pay("shop-md5", "rt-1", "RT-0001", 1234));
        assertThat(paid.status()).isEqualTo(200);
        assertThat(paid.body().get("status").asText()).isEqualTo("NOTPAY");
        assertThat(paid.body().at("/action/codeUrl").asText()).startsWith("weixin://wxpay/bizpayurl?pr=");
        assertThat(paid.body().at("/action/prepayId").asText()).startsWith("wx");
        assertThat(paid.body().has("error")).isFalse();

        Answer before = call(TOKEN_MD5, query("shop-md5", "rt-2", "RT-0001"));
        assertThat(before.body().get("status").asText()).isEqualTo("NOTPAY");

        simPay("RT-0001");
        Answer after = call(TOKEN_MD5, query("shop-md5", "rt-3", "RT-0001"));
        assertThat(after.body().get("status").asText()).isEqualTo("SUCCESS");
        assertThat(after.body().get("providerTradeId").asText()).hasSize(28);
        assertThat(after.body().get("paidAmount").asLong()).isEqualTo(1234);
        assertThat(after.body().get("paidAt").asText()).endsWith("+08:00");

        Ledger ledger = beans.ledger();
        assertThat(ledger.find("shop-md5", "RT-0001").orElseThrow().status().name()).isEqualTo("SUCCESS");
        assertThat(ledger.auditTrail("shop-md5", "RT-0001"))
                .containsExactly("null->UNKNOWN REQUEST", "UNKNOWN->NOTPAY RESPONSE", "NOTPAY->SUCCESS QUERY");
        List<String> events = ledger.unpublishedEvents(100);
        assertThat(events).anySatisfy(e -> {
            JsonNode ev = json.readTree(e);
            assertThat(ev.get("orderId").asText()).isEqualTo("RT-0001");
            assertThat(ev.get("type").asText()).isEqualTo("PAYMENT_SUCCEEDED");
            assertThat(ev.get("source").asText()).isEqualTo("QUERY");
            assertThat(ev.get("attach").asText()).isEqualTo("store 7");
            assertThat(ev.get("eventId").asText()).isEqualTo(Ledger.eventId("shop-md5", "RT-0001", "PAYMENT_SUCCEEDED"));
        });
    }

    @Test
    void hmacMerchantsSignAndVerifyWithHmac() throws Exception {
        Answer a = call(TOKEN_HMAC, pay("shop-hmac", "rt-h1", "RT-H001", 5));
        assertThat(a.body().get("status").asText()).isEqualTo("NOTPAY");
        assertThat(a.body().has("error")).isFalse();
    }

    @Test
    void aReplayAnswersTheSameBodyWithoutCallingTheProvider() throws Exception {
        Answer first = call(TOKEN_MD5, pay("shop-md5", "rt-r1", "RT-R001", 10));
        long calls = simCalls();
        // Same content with another key order and spacing: compared as parsed JSON.
        Answer again = call(TOKEN_MD5, "{ \"orderId\":\"RT-R001\", \"requestId\":\"rt-r1\",\"merchant\":\"shop-md5\","
                + "\"operation\":\"PAY\",\"amount\":10,\"method\":\"SCAN\",\"subject\":\"Coffee\",\"attach\":\"store 7\"}");
        assertThat(again.raw()).isEqualTo(first.raw());
        assertThat(simCalls()).isEqualTo(calls);

        Answer other = call(TOKEN_MD5, pay("shop-md5", "rt-r1", "RT-R001", 11));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.body().at("/error/code").asText()).isEqualTo("DUPLICATE_REQUEST");
        assertThat(simCalls()).isEqualTo(calls);

        Answer sameOrder = call(TOKEN_MD5, pay("shop-md5", "rt-r2", "RT-R001", 10));
        assertThat(sameOrder.status()).isEqualTo(409);
        assertThat(sameOrder.body().at("/error/code").asText()).isEqualTo("DUPLICATE_ORDER");
        assertThat(simCalls()).isEqualTo(calls);
    }

    @Test
    void concurrentCopiesOfOneRequestMakeOneProviderCall() throws Exception {
        long calls = simCalls();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Callable<Answer>> copies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                copies.add(() -> call(TOKEN_MD5, pay("shop-md5", "rt-c1", "RT-C001", 99)));
            }
            List<String> bodies = new ArrayList<>();
            for (Future<Answer> f : pool.invokeAll(copies)) {
                bodies.add(f.get().raw());
            }
            assertThat(bodies).allMatch(b -> b.equals(bodies.get(0)));
            assertThat(bodies.get(0)).contains("\"status\":\"NOTPAY\"");
        } finally {
            pool.shutdown();
        }
        assertThat(simCalls()).isEqualTo(calls + 1);
    }

    @Test
    void ourSignatureRefusedIsAProviderErrorNotRetryable() throws Exception {
        Answer a = call(TOKEN_WRONGKEY, pay("shop-wrongkey", "rt-w1", "RT-W001", 1));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body().at("/error/code").asText()).isEqualTo("PROVIDER_ERROR");
        assertThat(a.body().at("/error/providerCode").asText()).isEqualTo("SIGNERROR");
        assertThat(a.body().at("/error/retryable").asBoolean()).isFalse();
        assertThat(a.body().get("status").asText()).isEqualTo("PAYERROR");
        assertThat(a.raw()).doesNotContain("notthesimulatorskey");
    }

    @Test
    void aForgedAnswerIsSignatureInvalidAndThePayStaysUnknown() throws Exception {
        badAnswer.set("<xml><return_code>SUCCESS</return_code><appid>wxappmd5</appid><mch_id>1001</mch_id>"
                + "<result_code>SUCCESS</result_code><prepay_id>wx1</prepay_id><code_url>weixin://evil</code_url>"
                + "<nonce_str>abc</nonce_str><sign>0123456789ABCDEF0123456789ABCDEF</sign></xml>");
        Answer a = call(TOKEN_FORGED, pay("shop-forged", "rt-f1", "RT-F001", 1));
        assertThat(a.body().at("/error/code").asText()).isEqualTo("SIGNATURE_INVALID");
        assertThat(a.body().get("status").asText()).isEqualTo("UNKNOWN");
        assertThat(a.raw()).doesNotContain("weixin://evil");
    }

    @Test
    void anXxeAnswerIsRefusedUnread() throws Exception {
        badAnswer.set("<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><return_code>SUCCESS</return_code><return_msg>&xxe;</return_msg></xml>");
        Answer a = call(TOKEN_FORGED, query("shop-forged", "rt-x1", "RT-X001"));
        assertThat(a.body().at("/error/code").asText()).isEqualTo("SIGNATURE_INVALID");
        assertThat(a.raw()).doesNotContain("root:");
    }

    @Test
    void wechatsErrorAnswersMapToTheContract() throws Exception {
        // SYSTEMERROR on a PAY: the order is UNKNOWN (QUERY next), the error retryable, WeChat's code kept.
        HttpResponse<String> fault = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
                + "/sandbox/wechat/faults?fail_with=SYSTEMERROR&count=1")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fault.statusCode()).isEqualTo(200);
        Answer sys = call(TOKEN_MD5, pay("shop-md5", "rt-e1", "RT-E001", 1));
        assertThat(sys.body().get("status").asText()).isEqualTo("UNKNOWN");
        assertThat(sys.body().at("/error/code").asText()).isEqualTo("PROVIDER_ERROR");
        assertThat(sys.body().at("/error/providerCode").asText()).isEqualTo("SYSTEMERROR");
        assertThat(sys.body().at("/error/retryable").asBoolean()).isTrue();

        // ORDERNOTEXIST on a QUERY of an order WeChat never saw.
        Answer none = call(TOKEN_MD5, query("shop-md5", "rt-e2", "RT-NEVER-SEEN"));
        assertThat(none.body().at("/error/code").asText()).isEqualTo("ORDER_NOT_FOUND");
        assertThat(none.body().at("/error/providerCode").asText()).isEqualTo("ORDERNOTEXIST");
        assertThat(none.body().at("/error/retryable").asBoolean()).isFalse();

        // ORDERPAID on a CLOSE of a paid order: the order is not closed.
        call(TOKEN_MD5, pay("shop-md5", "rt-e3", "RT-E003", 1));
        simPay("RT-E003");
        Answer paid = call(TOKEN_MD5, "{\"requestId\":\"rt-e4\",\"merchant\":\"shop-md5\",\"operation\":\"CLOSE\","
                + "\"orderId\":\"RT-E003\"}");
        assertThat(paid.body().at("/error/code").asText()).isEqualTo("ORDER_PAID");
        assertThat(paid.body().at("/error/providerCode").asText()).isEqualTo("ORDERPAID");
        assertThat(beans.ledger().find("shop-md5", "RT-E003").orElseThrow().status().name()).isNotEqualTo("CLOSED");
    }

    @Test
    void anEntityExpansionAnswerIsRefusedUnread() throws Exception {
        StringBuilder dtd = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\">");
        String prev = "a";
        for (int i = 0; i < 8; i++) {
            String name = "a" + i;
            dtd.append("<!ENTITY ").append(name).append(" \"").append(("&" + prev + ";").repeat(10)).append("\">");
            prev = name;
        }
        badAnswer.set(dtd + "]><xml><return_code>SUCCESS</return_code><return_msg>&" + prev + ";</return_msg></xml>");
        Answer a = call(TOKEN_FORGED, query("shop-forged", "rt-x2", "RT-X002"));
        assertThat(a.body().at("/error/code").asText()).isEqualTo("SIGNATURE_INVALID");
        assertThat(a.raw()).doesNotContain("aaaaaaaaaa");
    }

    @Test
    void aSlowProviderIsATimeoutAndThePayStaysUnknown() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
                + "/sandbox/wechat/faults?delay_ms=2500&count=1")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Answer a = call(TOKEN_MD5, pay("shop-md5", "rt-t1", "RT-T001", 1));
        assertThat(a.status()).isEqualTo(504);
        assertThat(a.body().at("/error/code").asText()).isEqualTo("TIMEOUT");
        assertThat(a.body().at("/error/retryable").asBoolean()).isTrue();
        assertThat(a.body().get("status").asText()).isEqualTo("UNKNOWN");
        assertThat(beans.ledger().find("shop-md5", "RT-T001").orElseThrow().status().name()).isEqualTo("UNKNOWN");
    }

    @Test
    void a503FromTheProviderIsNeverRetriedByTheHttpClient() throws Exception {
        badStatus.set(503);
        try {
            badAnswer.set("busy");
            int before = badCalls.get();
            Answer a = call(TOKEN_FORGED, pay("shop-forged", "rt-503", "RT-503", 1));
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.body().at("/error/code").asText()).isEqualTo("PROVIDER_UNAVAILABLE");
            assertThat(a.body().get("status").asText()).isEqualTo("UNKNOWN");
            assertThat(badCalls.get() - before).as("calls to the provider").isEqualTo(1);
        } finally {
            badStatus.set(200);
        }
    }

    @Test
    void anUnreachableProviderIs502AndThePayStaysUnknown() throws Exception {
        Answer a = call(TOKEN_DOWN, pay("shop-down", "rt-d1", "RT-D001", 1));
        assertThat(a.status()).isEqualTo(502);
        assertThat(a.body().at("/error/code").asText()).isEqualTo("PROVIDER_UNAVAILABLE");
        assertThat(a.body().get("status").asText()).isEqualTo("UNKNOWN");
    }

    @Test
    void checksRunInTheContractsOrder() throws Exception {
        assertThat(call("no-such-token-at-all", "not json").status()).isEqualTo(401);
        assertThat(call(TOKEN_MD5, "not json").status()).isEqualTo(400);
        Answer forbidden = call(TOKEN_MD5, "{\"merchant\":\"shop-hmac\",\"amount\":\"x\"}");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.body().at("/error/code").asText()).isEqualTo("FORBIDDEN");
        Answer fields = call(TOKEN_MD5, "{\"requestId\":\"rt-o1\",\"merchant\":\"shop-md5\",\"operation\":\"PAY\","
                + "\"orderId\":\"RT.O001\",\"amount\":12.5,\"method\":\"SCAN\"}");
        assertThat(fields.status()).isEqualTo(400);
        assertThat(fields.body().at("/error/fields").findValuesAsText("field")).containsExactlyInAnyOrder("amount", "subject");
        Answer wechatChars = call(TOKEN_MD5, pay("shop-md5", "rt-o2", "RT.O002", 1));
        assertThat(wechatChars.status()).isEqualTo(400);
        assertThat(wechatChars.body().at("/error/fields/0/field").asText()).isEqualTo("orderId");
        // shop-md5 has no client certificate: WeChat takes no reversal without one.
        Answer unsupported = call(TOKEN_MD5, "{\"requestId\":\"rt-o3\",\"merchant\":\"shop-md5\",\"operation\":\"REVERSE\","
                + "\"orderId\":\"RT-O003\"}");
        assertThat(unsupported.status()).isEqualTo(200);
        assertThat(unsupported.body().at("/error/code").asText()).isEqualTo("UNSUPPORTED");
        assertThat(unsupported.body().at("/error/message").asText()).contains("wechat.certificate.path");
    }

    /** The test's own MD5 of WeChat's signature string, independent of the gateway's signer. */
    private static String md5Sign(Map<String, String> fields, String key) throws Exception {
        StringBuilder sb = new StringBuilder();
        new java.util.TreeMap<>(fields).forEach((k, v) -> {
            if (!k.equals("sign") && !k.equals("paySign") && !v.isEmpty()) {
                sb.append(k).append('=').append(v).append('&');
            }
        });
        sb.append("key=").append(key);
        return java.util.HexFormat.of().withUpperCase().formatHex(
                java.security.MessageDigest.getInstance("MD5").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private Map<String, String> payInfo(Answer a) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        a.body().at("/action/payInfo").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    @Test
    void jsapiAnswersTheSignedFieldsOfGetBrandWcPayRequest() throws Exception {
        Answer a = call(TOKEN_MD5, "{\"requestId\":\"rt-js1\",\"merchant\":\"shop-md5\",\"operation\":\"PAY\","
                + "\"orderId\":\"RT-JS01\",\"amount\":88,\"method\":\"JSAPI\",\"subject\":\"Tea\","
                + "\"payer\":{\"openId\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\"}}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body().get("status").asText()).isEqualTo("NOTPAY");
        Map<String, String> p = payInfo(a);
        assertThat(p.keySet()).containsExactly("appId", "timeStamp", "nonceStr", "package", "signType", "paySign");
        assertThat(p.get("appId")).isEqualTo("wxappmd5");
        assertThat(p.get("package")).isEqualTo("prepay_id=" + a.body().at("/action/prepayId").asText());
        assertThat(p.get("signType")).isEqualTo("MD5");
        assertThat(p.get("timeStamp")).matches("\\d{10}");
        assertThat(p.get("paySign")).isEqualTo(md5Sign(p, KEY_MD5));
        assertThat(a.body().at("/action/codeUrl").isMissingNode()).isTrue();
    }

    @Test
    void jsapiWithoutTheBuyersOpenIdIsRefusedBeforeAnythingIsSent() throws Exception {
        long calls = simCalls();
        Answer a = call(TOKEN_MD5, "{\"requestId\":\"rt-js2\",\"merchant\":\"shop-md5\",\"operation\":\"PAY\","
                + "\"orderId\":\"RT-JS02\",\"amount\":88,\"method\":\"JSAPI\",\"subject\":\"Tea\","
                + "\"payer\":{\"buyerId\":\"2088000000000000\"}}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().at("/error/fields/0/field").asText()).isEqualTo("payer.openId");
        assertThat(simCalls()).isEqualTo(calls);
    }

    @Test
    void appAnswersTheSignedFieldsOfTheSdk() throws Exception {
        Answer a = call(TOKEN_MD5, "{\"requestId\":\"rt-app1\",\"merchant\":\"shop-md5\",\"operation\":\"PAY\","
                + "\"orderId\":\"RT-APP01\",\"amount\":99,\"method\":\"APP\",\"subject\":\"Tea\"}");
        assertThat(a.body().get("status").asText()).isEqualTo("NOTPAY");
        Map<String, String> p = payInfo(a);
        assertThat(p.keySet()).containsExactly("appid", "partnerid", "prepayid", "package", "noncestr", "timestamp", "sign");
        assertThat(p.get("partnerid")).isEqualTo("1001");
        assertThat(p.get("package")).isEqualTo("Sign=WXPay");
        assertThat(p.get("sign")).isEqualTo(md5Sign(p, KEY_MD5));
    }

    @Test
    void h5AnswersThePayUrlWithTheRedirect() throws Exception {
        Answer a = call(TOKEN_MD5, "{\"requestId\":\"rt-h5\",\"merchant\":\"shop-md5\",\"operation\":\"PAY\","
                + "\"orderId\":\"RT-H501\",\"amount\":77,\"method\":\"H5\",\"subject\":\"Tea\","
                + "\"clientIp\":\"203.0.113.9\",\"h5\":{\"type\":\"WAP\",\"appName\":\"Shop\","
                + "\"redirectUrl\":\"https://shop.example/paid?o=1\"}}");
        assertThat(a.body().get("status").asText()).isEqualTo("NOTPAY");
        assertThat(a.body().at("/action/payUrl").asText())
                .startsWith("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=")
                .endsWith("&redirect_url=https%3A%2F%2Fshop.example%2Fpaid%3Fo%3D1");
    }

    private static String close(String merchant, String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"CLOSE\",\"orderId\":\""
                + orderId + "\"}";
    }

    @Test
    void closeClosesAnUnpaidOrderOnceAndRefusesAPaidOne() throws Exception {
        call(TOKEN_MD5, pay("shop-md5", "rt-cl1", "RT-CL01", 300));
        Answer closed = call(TOKEN_MD5, close("shop-md5", "rt-cl2", "RT-CL01"));
        assertThat(closed.status()).isEqualTo(200);
        assertThat(closed.body().get("status").asText()).isEqualTo("CLOSED");
        assertThat(closed.body().has("error")).isFalse();
        assertThat(beans.ledger().auditTrail("shop-md5", "RT-CL01")).last().isEqualTo("NOTPAY->CLOSED RESPONSE");
        assertThat(beans.ledger().unpublishedEvents(1000)).anySatisfy(e -> {
            JsonNode ev = json.readTree(e);
            assertThat(ev.get("orderId").asText()).isEqualTo("RT-CL01");
            assertThat(ev.get("type").asText()).isEqualTo("PAYMENT_CLOSED");
            assertThat(ev.get("source").asText()).isEqualTo("RESPONSE");
        });
        Answer again = call(TOKEN_MD5, close("shop-md5", "rt-cl3", "RT-CL01"));
        assertThat(again.body().get("status").asText()).isEqualTo("CLOSED");
        assertThat(again.body().at("/error/code").asText()).isEqualTo("ORDER_CLOSED");

        call(TOKEN_MD5, pay("shop-md5", "rt-cl4", "RT-CL02", 300));
        simPay("RT-CL02");
        Answer paid = call(TOKEN_MD5, close("shop-md5", "rt-cl5", "RT-CL02"));
        assertThat(paid.body().at("/error/code").asText()).isEqualTo("ORDER_PAID");
        assertThat(paid.body().get("status").asText()).isEqualTo("NOTPAY");
        assertThat(beans.ledger().find("shop-md5", "RT-CL02").orElseThrow().status().name()).isEqualTo("NOTPAY");
    }
}
