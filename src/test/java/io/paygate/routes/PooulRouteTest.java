package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import io.paygate.provider.pooul.PooulNotifyCodec;
import io.paygate.sandbox.pooul.PooulSimulator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The real routes (routes/payment-api.yaml, routes/pooul.yaml) and beans against the Pooul sandbox
 * simulator, both API generations, through {@code direct:payment-api}. The v2 merchant's private key
 * is the PKCS#1 file made by openssl (src/test/resources/pooul/README.md); the platform key pair is
 * made here. A small server stands in for the gateway's notify endpoint, so the simulator's
 * notifications can be fed to the codec.
 */
class PooulRouteTest extends RouteTestSupport {
    private static final String TOKEN_CLASSIC = "pooul-route-classic-0001";
    private static final String TOKEN_V2 = "pooul-route-v2-000000001";
    private static final String TOKEN_WRONG = "pooul-route-wrongkey-001";
    private static final String TOKEN_WRONG_V2 = "pooul-route-wrongkey-v2-1";
    private static final String TOKEN_PROXIED = "pooul-route-v2-proxied-01";
    private static final String CLASSIC_ID = "59457accffea0e051b86e685";
    private static final String V2_ID = "5399355381712172";
    private static final String CLASSIC_KEY = "classic-md5-key-0123456789abcdef";

    private static Path dir;
    private static Fixture fixture;
    private static PooulSimulator sim;
    private static HttpServer notifySink;
    /** Between the gateway and the simulator for shop-v2-proxied: spoils the answer of one planned call. */
    private static HttpServer proxy;
    private static final java.util.concurrent.atomic.AtomicInteger proxyCalls = new java.util.concurrent.atomic.AtomicInteger();
    private static volatile int spoiledCall = -1;
    private static final BlockingQueue<byte[]> notifications = new LinkedBlockingQueue<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startProviders() throws Exception {
        dir = Files.createTempDirectory("pooul-route-test");
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair platform = g.generateKeyPair();
        Files.writeString(dir.resolve("platform-public.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(platform.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        Path pkcs1 = Path.of("src/test/resources/pooul/merchant-pkcs1-TEST-ONLY.pem").toAbsolutePath();
        String pub = Files.readString(Path.of("src/test/resources/pooul/merchant-pkcs1-TEST-ONLY.pub.pem"))
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PublicKey merchantPublic = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pub)));
        KeyPair stranger = g.generateKeyPair();
        Files.writeString(dir.resolve("stranger-private.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(stranger.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");

        sim = new PooulSimulator(0, List.of(PooulSimulator.Merchant.classic(CLASSIC_ID, CLASSIC_KEY),
                PooulSimulator.Merchant.v2(V2_ID, merchantPublic)), platform);
        sim.start();
        notifySink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        notifySink.createContext("/", ex -> {
            notifications.add(ex.getRequestBody().readAllBytes());
            byte[] b = "success".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        notifySink.start();
        HttpClient forward = HttpClient.newHttpClient();
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", ex -> {
            try {
                HttpResponse<byte[]> r = forward.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
                        + ex.getRequestURI())).header("Content-Type", ex.getRequestHeaders().getFirst("Content-Type"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(ex.getRequestBody().readAllBytes())).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                byte[] b = r.body();
                if (proxyCalls.incrementAndGet() == spoiledCall) {
                    // The token's last signature characters changed: it no longer verifies.
                    String t = new String(b, StandardCharsets.US_ASCII);
                    b = (t.substring(0, t.length() - 4) + (t.endsWith("AAAA") ? "BBBB" : "AAAA")).getBytes(StandardCharsets.US_ASCII);
                }
                ex.getResponseHeaders().set("Content-Type", r.headers().firstValue("Content-Type").orElse("text/plain"));
                ex.sendResponseHeaders(r.statusCode(), b.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(b);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ex.sendResponseHeaders(502, -1);
            }
        });
        proxy.start();
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=http://127.0.0.1:" + notifySink.getAddress().getPort(),
                "gateway.provider.read-timeout=2",
                // A barcode PAY answers at once here; the tests poll with their own QUERYs.
                "gateway.micro.wait=1",
                "gateway.idempotency.wait=10", ""));
        String base = "http://127.0.0.1:" + sim.port();
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  shop-classic:",
                "    provider: pooul",
                "    apiToken: " + TOKEN_CLASSIC,
                "    pooul: {baseUrl: '" + base + "', merchantId: '" + CLASSIC_ID + "', api: classic, key: " + CLASSIC_KEY + "}",
                "  shop-v2:",
                "    provider: pooul",
                "    apiToken: " + TOKEN_V2,
                "    pooul: {baseUrl: '" + base + "', merchantId: '" + V2_ID + "', api: v2, privateKey: '" + pkcs1
                        + "', platformPublicKey: platform-public.pem}",
                "  shop-wrongkey:",
                "    provider: pooul",
                "    apiToken: " + TOKEN_WRONG,
                "    pooul: {baseUrl: '" + base + "', merchantId: '" + CLASSIC_ID + "', api: classic, key: not-the-key}",
                "  shop-wrongkey-v2:",
                "    provider: pooul",
                "    apiToken: " + TOKEN_WRONG_V2,
                "    pooul: {baseUrl: '" + base + "', merchantId: '" + V2_ID + "', api: v2, privateKey: stranger-private.pem,"
                        + " platformPublicKey: platform-public.pem}",
                "  shop-v2-proxied:",
                "    provider: pooul",
                "    apiToken: " + TOKEN_PROXIED,
                "    pooul: {baseUrl: 'http://127.0.0.1:" + proxy.getAddress().getPort() + "', merchantId: '" + V2_ID
                        + "', api: v2, privateKey: '" + pkcs1 + "', platformPublicKey: platform-public.pem}", ""));
        fixture = Fixture.load(dir, 4);
    }

    @AfterAll
    static void stopProviders() {
        sim.close();
        notifySink.stop(0);
        proxy.stop(0);
        fixture.close();
    }

    @BeforeEach
    void noFaults() throws Exception {
        http.send(HttpRequest.newBuilder(sim("/sandbox/pooul/faults")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        notifications.clear();
        spoiledCall = -1;
    }

    @Override
    protected Fixture fixture() {
        return fixture;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("payment-api.yaml", "provider-operations.yaml", "pooul.yaml", "errors.yaml");
    }

    private int requests;

    private String rid() {
        return "req-" + System.nanoTime() + "-" + (++requests);
    }

    private Answer pay(String token, String merchant, String orderId, String extra) throws IOException {
        return call(token, "{\"requestId\":\"" + rid() + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\","
                + "\"orderId\":\"" + orderId + "\",\"amount\":1200,\"subject\":\"Coffee\",\"attach\":\"store 7\"," + extra + "}");
    }

    private Answer op(String token, String merchant, String operation, String orderId, String extra) throws IOException {
        return call(token, "{\"requestId\":\"" + rid() + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"" + operation
                + "\",\"orderId\":\"" + orderId + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    private URI sim(String path) {
        return URI.create("http://127.0.0.1:" + sim.port() + path);
    }

    private JsonNode control(String method, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(sim(path)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private long simCalls() throws Exception {
        return control("GET", "/sandbox/pooul/stats").get("total").asLong();
    }

    private MerchantProfile profile(String id) {
        return fixture.merchants().byId(id).orElseThrow();
    }

    // ---------------------------------------------------------------- classic API

    @Test
    void classicPaysWithEveryPayTypeOfItsTable() throws Exception {
        Answer jswap = pay(TOKEN_CLASSIC, "shop-classic", "c.jswap.1", "\"method\":\"JSAPI\",\"channel\":\"WECHAT\","
                + "\"payer\":{\"openId\":\"o-1\"}");
        assertThat(jswap.at("/status")).isEqualTo("NOTPAY");
        assertThat(jswap.at("/action/payUrl")).contains("/thirdPay/pay/jump");
        assertThat(jswap.at("/providerTradeId")).hasSize(24);
        assertThat(jswap.at("/channelTradeId")).startsWith("1003");

        Answer alipay = pay(TOKEN_CLASSIC, "shop-classic", "c.alipay.1", "\"method\":\"JSAPI\",\"channel\":\"ALIPAY\","
                + "\"payer\":{\"buyerId\":\"2088000000000001\"}");
        assertThat(alipay.at("/status")).isEqualTo("NOTPAY");
        assertThat(alipay.at("/action/payUrl")).contains("pay_type=alipay.jsapi");

        Answer noBuyer = pay(TOKEN_CLASSIC, "shop-classic", "c.alipay.2", "\"method\":\"JSAPI\",\"channel\":\"ALIPAY\","
                + "\"payer\":{\"openId\":\"o-1\"}");
        assertThat(noBuyer.status()).isEqualTo(400);
        assertThat(noBuyer.at("/error/fields/0/field")).isEqualTo("payer.buyerId");

        Answer qq = pay(TOKEN_CLASSIC, "shop-classic", "c.qq.1", "\"method\":\"JSAPI\",\"channel\":\"QQ\","
                + "\"payer\":{\"openId\":\"qq-1\"}");
        assertThat(qq.at("/action/payUrl")).isNotEmpty();
        Answer wscan = pay(TOKEN_CLASSIC, "shop-classic", "c.wscan.1", "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        assertThat(wscan.at("/action/codeUrl")).startsWith("weixin://wxpay/bizpayurl?pr=");
        Answer ascan = pay(TOKEN_CLASSIC, "shop-classic", "c.ascan.1", "\"method\":\"SCAN\",\"channel\":\"ALIPAY\"");
        assertThat(ascan.at("/action/codeUrl")).startsWith("https://qr.alipay.com/");
        assertThat(ascan.at("/status")).isEqualTo("NOTPAY");

        JsonNode seen = control("GET", "/sandbox/pooul/orders/c.alipay.1");
        assertThat(seen.get("pay_type").asText()).isEqualTo("alipay.jsapi");
        assertThat(seen.get("total_fee").asLong()).isEqualTo(1200);
    }

    @Test
    void classicMissingCombinationsAreUnsupportedAndNameTheTable() throws Exception {
        Answer micro = pay(TOKEN_CLASSIC, "shop-classic", "c.micro.1", "\"method\":\"MICRO\",\"authCode\":\"134567890123456789\"");
        assertThat(micro.at("/error/code")).isEqualTo("UNSUPPORTED");
        assertThat(micro.at("/error/message")).contains("classic API has no pay type for MICRO")
                .contains("JSAPI/WECHAT (wechat.jswap)").contains("SCAN/ALIPAY (alipay.scan)");
        Answer noChannel = pay(TOKEN_CLASSIC, "shop-classic", "c.scan.nc", "\"method\":\"SCAN\"");
        assertThat(noChannel.status()).isEqualTo(400);
        assertThat(noChannel.at("/error/fields/0/field")).isEqualTo("channel");
        Answer reverse = op(TOKEN_CLASSIC, "shop-classic", "REVERSE", "c.any", "");
        assertThat(reverse.at("/error/code")).isEqualTo("UNSUPPORTED");
    }

    @Test
    void classicQueryAfterPaymentRefundRefundQueryAndTheNotification() throws Exception {
        pay(TOKEN_CLASSIC, "shop-classic", "c.flow.1", "\"method\":\"SCAN\",\"channel\":\"ALIPAY\"");
        assertThat(op(TOKEN_CLASSIC, "shop-classic", "QUERY", "c.flow.1", "").at("/status")).isEqualTo("NOTPAY");

        JsonNode paid = control("POST", "/sandbox/pooul/pay?mch_trade_id=c.flow.1");
        assertThat(paid.get("notified").asInt()).isEqualTo(200);
        Notice n = new PooulNotifyCodec().decode(notifications.poll(5, TimeUnit.SECONDS), profile("shop-classic"));
        assertThat(n.status().name()).isEqualTo("SUCCESS");
        assertThat(n.orderId()).isEqualTo("c.flow.1");
        assertThat(n.amount()).isEqualTo(1200);
        assertThat(n.providerTradeId()).isEqualTo(paid.get("trade_id").asText());

        Answer q = op(TOKEN_CLASSIC, "shop-classic", "QUERY", "c.flow.1", "");
        assertThat(q.at("/status")).isEqualTo("SUCCESS");
        assertThat(q.body().get("amount").asLong()).isEqualTo(1200); // sent as the string "1200" for Alipay
        assertThat(q.at("/paidAt")).endsWith("+08:00");
        assertThat(q.at("/channelTradeId")).startsWith("4200");
        assertThat(n.paidAt().toString()).isEqualTo(java.time.OffsetDateTime.parse(q.at("/paidAt")).toInstant().toString());

        Answer refund = op(TOKEN_CLASSIC, "shop-classic", "REFUND", "c.flow.1",
                "\"refund\":{\"refundId\":\"c.flow.1-r1\",\"amount\":200,\"reason\":\"broken cup\"}");
        assertThat(refund.body().has("error")).as(refund.body().toString()).isFalse();
        assertThat(refund.at("/refunds/0/refundId")).isEqualTo("c.flow.1-r1");
        assertThat(refund.at("/refunds/0/status")).isEqualTo("SUCCESS");
        assertThat(refund.body().at("/refunds/0/amount").asLong()).isEqualTo(200);
        assertThat(refund.at("/refunds/0/refundedAt")).endsWith("+08:00");
        String providerRefundId = refund.at("/refunds/0/providerRefundId");
        assertThat(providerRefundId).isNotEmpty();
        Notice refundNotice = new PooulNotifyCodec().decode(notifications.poll(5, TimeUnit.SECONDS), profile("shop-classic"));
        assertThat(refundNotice.kind()).isEqualTo(Notice.Kind.REFUND);
        assertThat(refundNotice.refund().refundId()).isEqualTo("c.flow.1-r1");
        assertThat(refundNotice.refund().providerRefundId()).isEqualTo(providerRefundId);

        Answer rq = op(TOKEN_CLASSIC, "shop-classic", "REFUND_QUERY", "c.flow.1", "\"refund\":{\"refundId\":\"c.flow.1-r1\"}");
        assertThat(rq.at("/refunds/0/providerRefundId")).isEqualTo(providerRefundId);
        assertThat(rq.at("/refunds/0/status")).isEqualTo("SUCCESS");
        Answer missing = op(TOKEN_CLASSIC, "shop-classic", "REFUND_QUERY", "c.flow.1", "\"refund\":{\"refundId\":\"nope\"}");
        assertThat(missing.at("/error/code")).isEqualTo("REFUND_NOT_FOUND");
        Answer tooMuch = op(TOKEN_CLASSIC, "shop-classic", "REFUND", "c.flow.1",
                "\"refund\":{\"refundId\":\"c.flow.1-r2\",\"amount\":1001}");
        assertThat(tooMuch.at("/error/code")).isEqualTo("REFUND_EXCEEDS_PAID"); // the refund ledger, before Pooul
    }

    @Test
    void classicCloseClosesThenSaysAlreadyClosedAndRefusesPaidOrders() throws Exception {
        pay(TOKEN_CLASSIC, "shop-classic", "c.close.1", "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        Answer closed = op(TOKEN_CLASSIC, "shop-classic", "CLOSE", "c.close.1", "");
        assertThat(closed.at("/status")).isEqualTo("CLOSED");
        assertThat(closed.body().has("error")).isFalse();
        Answer again = op(TOKEN_CLASSIC, "shop-classic", "CLOSE", "c.close.1", "");
        assertThat(again.at("/status")).isEqualTo("CLOSED");
        assertThat(again.at("/error/code")).isEqualTo("ORDER_CLOSED");

        pay(TOKEN_CLASSIC, "shop-classic", "c.close.2", "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        control("POST", "/sandbox/pooul/pay?mch_trade_id=c.close.2");
        Answer paid = op(TOKEN_CLASSIC, "shop-classic", "CLOSE", "c.close.2", "");
        assertThat(paid.at("/error/code")).isEqualTo("PROVIDER_ERROR");
        assertThat(paid.at("/error/providerCode")).isEqualTo("close_status=-1");
        Answer none = op(TOKEN_CLASSIC, "shop-classic", "QUERY", "c.never", "");
        assertThat(none.at("/error/code")).isEqualTo("ORDER_NOT_FOUND");
    }

    @Test
    void aClassicMerchantWithTheWrongKeyIsToldPooulRefusedItsSignature() throws Exception {
        Answer a = pay(TOKEN_WRONG, "shop-wrongkey", "c.wrong.1", "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        assertThat(a.at("/error/code")).isEqualTo("PROVIDER_ERROR");
        assertThat(a.at("/error/providerCode")).isEqualTo("101");
        assertThat(a.body().get("error").get("retryable").asBoolean()).isFalse();
        // Pooul's refusal arrives unsigned: it could come from anyone on the way, so it never makes
        // the payment final; a QUERY (or the reconciliation) decides.
        assertThat(a.at("/status")).isEqualTo("UNKNOWN");
    }

    // ---------------------------------------------------------------- API v2

    @Test
    void v2PaysWithEveryPayTypeOfItsTable() throws Exception {
        Answer micro = pay(TOKEN_V2, "shop-v2", "v.micro.1", "\"method\":\"MICRO\",\"authCode\":\"134567890123456789\"");
        assertThat(micro.at("/status")).isEqualTo("SUCCESS");
        assertThat(micro.body().get("paidAmount").asLong()).isEqualTo(1200);
        Answer wscan = pay(TOKEN_V2, "shop-v2", "v.wscan.1", "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        assertThat(wscan.at("/status")).isEqualTo("NOTPAY");
        assertThat(wscan.at("/action/codeUrl")).startsWith("weixin://");
        assertThat(wscan.at("/action/prepayId")).startsWith("wx");
        Answer jsapi = pay(TOKEN_V2, "shop-v2", "v.jsapi.1", "\"method\":\"JSAPI\",\"channel\":\"WECHAT\","
                + "\"payer\":{\"appId\":\"wx069eb0cbbdd45873\",\"openId\":\"outOWs-bgUH2QiCE0vNZhyCj2FJI\"}");
        assertThat(jsapi.at("/action/payInfo/appId")).isEqualTo("wx069eb0cbbdd45873");
        assertThat(jsapi.at("/action/payInfo/package")).startsWith("prepay_id=");
        Answer mini = pay(TOKEN_V2, "shop-v2", "v.mini.1", "\"method\":\"MINIPROGRAM\",\"channel\":\"WECHAT\","
                + "\"payer\":{\"appId\":\"wx758379be100f9991\",\"openId\":\"o2uCJ5RGOOylP75Ipvncazz0bFAI\"}");
        assertThat(mini.at("/action/payInfo/signType")).isEqualTo("MD5");
        Answer app = pay(TOKEN_V2, "shop-v2", "v.app.1", "\"method\":\"APP\",\"channel\":\"WECHAT\","
                + "\"payer\":{\"appId\":\"wx2fbcb61b6e5b1384\"}");
        assertThat(app.at("/action/payInfo/package")).isEqualTo("Sign=WXPay");
        Answer h5 = pay(TOKEN_V2, "shop-v2", "v.h5.1", "\"method\":\"H5\",\"channel\":\"WECHAT\",\"clientIp\":\"203.0.113.9\","
                + "\"h5\":{\"type\":\"WAP\",\"appName\":\"Store\",\"appId\":\"https://store.example/\","
                + "\"redirectUrl\":\"https://store.example/done\"}");
        assertThat(h5.at("/action/payUrl")).contains("checkmweb").endsWith("&redirect_url=https%3A%2F%2Fstore.example%2Fdone");
        Answer ascan = pay(TOKEN_V2, "shop-v2", "v.ascan.1", "\"method\":\"SCAN\",\"channel\":\"ALIPAY\"");
        assertThat(ascan.at("/status")).isEqualTo("NOTPAY"); // Pooul answers trade_state 6 for a waiting code
        assertThat(ascan.at("/action/codeUrl")).startsWith("https://qr.alipay.com/");

        Answer noH5 = pay(TOKEN_V2, "shop-v2", "v.h5.2", "\"method\":\"H5\",\"channel\":\"WECHAT\"");
        assertThat(noH5.at("/error/fields/0/field")).isEqualTo("h5");
        Answer qqScan = pay(TOKEN_V2, "shop-v2", "v.qq.1", "\"method\":\"SCAN\",\"channel\":\"QQ\"");
        assertThat(qqScan.at("/error/code")).isEqualTo("UNSUPPORTED");
        assertThat(qqScan.at("/error/message")).contains("API v2 has no pay type for SCAN/QQ").contains("MICRO (common.micro)")
                .contains("H5/WECHAT (wechat.wap)");
    }

    @Test
    void v2BarcodeThatAsksForThePasswordIsPolledToSuccess() throws Exception {
        Answer charge = pay(TOKEN_V2, "shop-v2", "v.poll.1", "\"method\":\"MICRO\",\"channel\":\"WECHAT\","
                + "\"authCode\":\"134567890123456666\"");
        assertThat(charge.at("/status")).isEqualTo("USERPAYING");
        assertThat(charge.body().has("error")).isFalse();
        assertThat(op(TOKEN_V2, "shop-v2", "QUERY", "v.poll.1", "").at("/status")).isEqualTo("USERPAYING");
        Answer done = op(TOKEN_V2, "shop-v2", "QUERY", "v.poll.1", "");
        assertThat(done.at("/status")).isEqualTo("SUCCESS");
        assertThat(done.at("/paidAt")).endsWith("+08:00"); // 13-digit milliseconds from the v2 simulator
        assertThat(done.body().get("paidAmount").asLong()).isEqualTo(1200);
    }

    @Test
    void v2BarcodeStuckInPayingIsReversed() throws Exception {
        assertThat(pay(TOKEN_V2, "shop-v2", "v.rev.1", "\"method\":\"MICRO\",\"authCode\":\"284567890123457777\"").at("/status"))
                .isEqualTo("USERPAYING");
        Answer reversed = op(TOKEN_V2, "shop-v2", "REVERSE", "v.rev.1", "");
        assertThat(reversed.body().has("error")).as(reversed.body().toString()).isFalse();
        assertThat(op(TOKEN_V2, "shop-v2", "QUERY", "v.rev.1", "").at("/status")).isEqualTo("REVOKED");
    }

    @Test
    void v2CloseAndPlainJsonErrors() throws Exception {
        pay(TOKEN_V2, "shop-v2", "v.close.1", "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        Answer closed = op(TOKEN_V2, "shop-v2", "CLOSE", "v.close.1", "");
        assertThat(closed.at("/status")).isEqualTo("CLOSED");
        assertThat(op(TOKEN_V2, "shop-v2", "QUERY", "v.close.1", "").at("/status")).isEqualTo("CLOSED");
        // Pooul answers errors as plain {code, msg}: mapped, never read as success.
        Answer none = op(TOKEN_V2, "shop-v2", "QUERY", "v.never", "");
        assertThat(none.at("/error/code")).isEqualTo("ORDER_NOT_FOUND");
        assertThat(none.at("/error/providerCode")).isEqualTo("301");
        assertThat(none.body().has("status")).isFalse();
        Answer refused = pay(TOKEN_WRONG_V2, "shop-wrongkey-v2", "v.wrong.1", "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        assertThat(refused.at("/error/providerCode")).isEqualTo("101");
        assertThat(refused.at("/status")).isEqualTo("UNKNOWN");
    }

    @Test
    void v2RefundsAreBoundToTheIdsPooulGaveThemAndListedByRefundQuery() throws Exception {
        pay(TOKEN_V2, "shop-v2", "v.refund.1", "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        control("POST", "/sandbox/pooul/pay?mch_trade_id=v.refund.1");
        Notice paid = new PooulNotifyCodec().decode(notifications.poll(5, TimeUnit.SECONDS), profile("shop-v2"));
        assertThat(paid.status().name()).isEqualTo("SUCCESS");
        assertThat(paid.amount()).isEqualTo(1200);
        // The gateway learns of the payment (here by QUERY): refunds are reserved against the paid order.
        assertThat(op(TOKEN_V2, "shop-v2", "QUERY", "v.refund.1", "").at("/status")).isEqualTo("SUCCESS");

        Answer r1 = op(TOKEN_V2, "shop-v2", "REFUND", "v.refund.1", "\"refund\":{\"refundId\":\"gw-r1\",\"amount\":100}");
        assertThat(r1.body().has("error")).as(r1.body().toString()).isFalse();
        assertThat(r1.at("/refunds/0/refundId")).isEqualTo("gw-r1");
        assertThat(r1.at("/refunds/0/status")).isEqualTo("SUCCESS");
        Notice refunded = new PooulNotifyCodec().decode(notifications.poll(5, TimeUnit.SECONDS), profile("shop-v2"));
        assertThat(refunded.refund().providerRefundId()).isEqualTo(r1.at("/refunds/0/providerRefundId"));

        // Two refunds of one order at once: each is bound to its own id.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Answer>> both = List.of(
                    () -> op(TOKEN_V2, "shop-v2", "REFUND", "v.refund.1", "\"refund\":{\"refundId\":\"gw-r2\",\"amount\":300}"),
                    () -> op(TOKEN_V2, "shop-v2", "REFUND", "v.refund.1", "\"refund\":{\"refundId\":\"gw-r3\",\"amount\":300}"));
            List<String> ids = new ArrayList<>();
            for (Future<Answer> f : pool.invokeAll(both)) {
                Answer a = f.get();
                assertThat(a.at("/refunds/0/status")).as(a.body().toString()).isEqualTo("SUCCESS");
                ids.add(a.at("/refunds/0/providerRefundId"));
            }
            assertThat(ids).doesNotHaveDuplicates().doesNotContain("", r1.at("/refunds/0/providerRefundId"));
            JsonNode sim = control("GET", "/sandbox/pooul/orders/v.refund.1");
            List<String> simIds = new ArrayList<>();
            sim.get("refunds").forEach(i -> simIds.add(i.get("refund_id").asText()));
            assertThat(simIds).containsAll(ids);
        } finally {
            pool.shutdown();
        }

        Answer listed = op(TOKEN_V2, "shop-v2", "REFUND_QUERY", "v.refund.1", "");
        assertThat(listed.body().get("refunds")).hasSize(3);
        assertThat(listed.at("/refunds/0/providerRefundId")).isEqualTo(r1.at("/refunds/0/providerRefundId"));
        // Pooul v2 lists only its own ids; the refund ledger matches them to the gateway's refund ids.
        List<String> gatewayIds = new ArrayList<>();
        listed.body().get("refunds").forEach(i -> gatewayIds.add(i.get("refundId").asText()));
        assertThat(gatewayIds).containsExactlyInAnyOrder("gw-r1", "gw-r2", "gw-r3");
        long refundedTotal = 0;
        for (JsonNode i : listed.body().get("refunds")) {
            refundedTotal += i.get("amount").asLong();
            assertThat(i.get("status").asText()).isEqualTo("SUCCESS");
        }
        assertThat(refundedTotal).isEqualTo(700);
        Answer tooMuch = op(TOKEN_V2, "shop-v2", "REFUND", "v.refund.1", "\"refund\":{\"refundId\":\"gw-r4\",\"amount\":501}");
        assertThat(tooMuch.at("/error/code")).isEqualTo("REFUND_EXCEEDS_PAID");
    }

    /** A paid order of shop-v2-proxied that the gateway knows as paid. */
    private void paidThroughTheProxy(String orderId) throws Exception {
        pay(TOKEN_PROXIED, "shop-v2-proxied", orderId, "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        control("POST", "/sandbox/pooul/pay?mch_trade_id=" + orderId);
        assertThat(op(TOKEN_PROXIED, "shop-v2-proxied", "QUERY", orderId, "").at("/status")).isEqualTo("SUCCESS");
    }

    @Test
    void aV2RefundPooulTookWhoseFollowUpQueryFailsIsProcessingAndSettledByRefundQuery() throws Exception {
        paidThroughTheProxy("v.unbound.1");
        // The refund's three calls: the ids before, the refund, the ids after (spoiled).
        spoiledCall = proxyCalls.get() + 3;
        Answer r = op(TOKEN_PROXIED, "shop-v2-proxied", "REFUND", "v.unbound.1", "\"refund\":{\"refundId\":\"gw-u1\",\"amount\":100}");
        assertThat(r.body().has("error")).as(r.body().toString()).isFalse();
        assertThat(r.at("/refunds/0/refundId")).isEqualTo("gw-u1");
        assertThat(r.at("/refunds/0/status")).isEqualTo("PROCESSING");
        assertThat(r.body().at("/refunds/0").has("providerRefundId")).isFalse();
        assertThat(proxyCalls.get()).isEqualTo(spoiledCall);
        assertThat(control("GET", "/sandbox/pooul/orders/v.unbound.1").get("refunds")).hasSize(1);

        Answer listed = op(TOKEN_PROXIED, "shop-v2-proxied", "REFUND_QUERY", "v.unbound.1", "");
        assertThat(listed.at("/refunds/0/refundId")).isEqualTo("gw-u1");
        assertThat(listed.at("/refunds/0/status")).isEqualTo("SUCCESS");
        assertThat(listed.at("/refunds/0/providerRefundId")).isNotEmpty();
    }

    @Test
    void aV2RefundWhoseFirstQueryFailsVerificationIsNeverSent() throws Exception {
        paidThroughTheProxy("v.unsent.1");
        spoiledCall = proxyCalls.get() + 1;
        Answer r = op(TOKEN_PROXIED, "shop-v2-proxied", "REFUND", "v.unsent.1", "\"refund\":{\"refundId\":\"gw-n1\",\"amount\":100}");
        assertThat(r.at("/error/code")).as(r.body().toString()).isEqualTo("SIGNATURE_INVALID");
        assertThat(proxyCalls.get()).isEqualTo(spoiledCall);
        assertThat(control("GET", "/sandbox/pooul/orders/v.unsent.1").path("refunds")).isEmpty();
        // The order's refund hold was released: the next refund of the order goes through.
        Answer again = op(TOKEN_PROXIED, "shop-v2-proxied", "REFUND", "v.unsent.1", "\"refund\":{\"refundId\":\"gw-n2\",\"amount\":100}");
        assertThat(again.at("/refunds/0/status")).as(again.body().toString()).isEqualTo("SUCCESS");
    }

    // ---------------------------------------------------------------- answers that must not be used

    @ParameterizedTest
    @ValueSource(strings = {"bad-sign", "unsigned", "foreign-key", "other-merchant"})
    void spoiledAnswersAreRefusedForBothApis(String fault) throws Exception {
        for (String[] m : List.of(new String[] {TOKEN_CLASSIC, "shop-classic"}, new String[] {TOKEN_V2, "shop-v2"})) {
            control("POST", "/sandbox/pooul/faults?answer=" + fault);
            Answer a = pay(m[0], m[1], "spoil." + fault + "." + m[1].length(), "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
            assertThat(a.at("/error/code")).as(m[1] + " " + fault + ": " + a.body()).isEqualTo("SIGNATURE_INVALID");
            assertThat(a.at("/status")).isEqualTo("UNKNOWN");
            assertThat(a.body().has("action")).isFalse();
        }
    }

    @Test
    void aQueryAnswerThatFailsVerificationChangesNothing() throws Exception {
        pay(TOKEN_V2, "shop-v2", "v.spoilq.1", "\"method\":\"SCAN\",\"channel\":\"WECHAT\"");
        control("POST", "/sandbox/pooul/pay?mch_trade_id=v.spoilq.1");
        long before = simCalls();
        control("POST", "/sandbox/pooul/faults?answer=unsigned");
        Answer q = op(TOKEN_V2, "shop-v2", "QUERY", "v.spoilq.1", "");
        assertThat(q.at("/error/code")).isEqualTo("SIGNATURE_INVALID");
        assertThat(simCalls()).isEqualTo(before + 1);
        assertThat(op(TOKEN_V2, "shop-v2", "QUERY", "v.spoilq.1", "").at("/status")).isEqualTo("SUCCESS");
    }
}
