package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.paygate.sandbox.ystpay.YstpaySimulator;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real routes (payment-api, provider-operations, ystpay, notify, errors, reconcile) and beans against the Ystpay sandbox
 * simulator, through {@code direct:payment-api} as every entry route uses it. The simulator's
 * notices reach routes/notify.yaml through a small HTTP bridge (its platform-http endpoint
 * replaced by a direct one). A hand-written server plays a provider that answers badly.
 */
class YstpayRouteTest extends RouteTestSupport {
    private static final String TOKEN = "ystpay-route-token-00001";
    private static final String TOKEN_ALT = "ystpay-route-token-alt-01";
    private static final String TOKEN_WRONG = "ystpay-route-token-wrong-1";
    private static final String TOKEN_BAD = "ystpay-route-token-bad-001";
    private static final String KEY = "Yst7pQ2mK9vX4bN8cR1sT6wZ3hJ5dF0a";
    private static final String KEY_ALT = "AltKeyAltKeyAltKeyAltKey01234567";

    private static Path dir;
    private static Fixture fixture;
    private static YstpaySimulator sim;
    private static HttpServer badProvider;
    private static HttpServer notifyBridge;
    private static final AtomicReference<String> badAnswer = new AtomicReference<>("");
    private static volatile ProducerTemplate bridgeTemplate;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startProviders() throws Exception {
        dir = Files.createTempDirectory("ystpay-route-test");
        notifyBridge = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        notifyBridge.createContext("/notify/", ex -> {
            String[] parts = ex.getRequestURI().getPath().split("/");
            byte[] body = ex.getRequestBody().readAllBytes();
            Exchange out = bridgeTemplate.send("direct:notify-in", e -> {
                e.getMessage().setHeader("provider", parts[2]);
                e.getMessage().setHeader("merchant", parts[3]);
                e.getMessage().setBody(body);
            });
            byte[] reply = out.getMessage().getBody(byte[].class);
            ex.sendResponseHeaders(out.getProperty("gatewayHttpStatus", 500, Integer.class), reply.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(reply);
            }
        });
        notifyBridge.start();
        String bridge = "http://127.0.0.1:" + notifyBridge.getAddress().getPort();
        sim = new YstpaySimulator(0, List.of(
                new YstpaySimulator.Merchant("ystdev01", "pass123456", KEY, bridge + "/notify/ystpay/yst-shop"),
                new YstpaySimulator.Merchant("ystalt01", "alt-pass-0001", KEY_ALT, "utf8", true, true,
                        bridge + "/notify/ystpay/yst-alt"),
                new YstpaySimulator.Merchant("ystwrong", "pass123456", KEY, bridge + "/notify/ystpay/yst-wrong")));
        sim.start();
        badProvider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        badProvider.createContext("/", ex -> {
            byte[] b = badAnswer.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        badProvider.start();
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=https://gw.example.com",
                "gateway.provider.read-timeout=1",
                "gateway.micro.wait=2",
                "gateway.reconcile.enabled=false",
                "gateway.reconcile.min-age=0",
                "gateway.order.min-close-age=0",
                "gateway.micro.poll-delay=1",
                "gateway.micro.poll-interval=1",
                "gateway.idempotency.wait=10", ""));
        String api = sim.apiUrl();
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  yst-shop:",
                "    provider: ystpay",
                "    apiToken: " + TOKEN,
                "    ystpay: {baseUrl: '" + api + "', account: ystdev01, password: pass123456, privateKey: " + KEY + "}",
                "  yst-alt:",
                "    provider: ystpay",
                "    apiToken: " + TOKEN_ALT,
                "    ystpay: {baseUrl: '" + api + "', account: ystalt01, password: alt-pass-0001, privateKey: " + KEY_ALT
                        + ", requestKey: utf8, padding: pkcs7, passwordMd5: lower}",
                "  yst-wrong:",
                "    provider: ystpay",
                "    apiToken: " + TOKEN_WRONG,
                "    ystpay: {baseUrl: '" + api + "', account: ystwrong, password: pass123456, privateKey: NotTheSimulatorsKey0000000000000}",
                "  yst-bad:",
                "    provider: ystpay",
                "    apiToken: " + TOKEN_BAD,
                "    ystpay: {baseUrl: 'http://127.0.0.1:" + badProvider.getAddress().getPort()
                        + "/unitive.api', account: ystdev01, password: pass123456, privateKey: " + KEY + "}", ""));
        fixture = Fixture.load(dir, 4);
    }

    @AfterAll
    static void stopProviders() {
        sim.close();
        badProvider.stop(0);
        notifyBridge.stop(0);
        fixture.close();
    }

    @Override
    protected Fixture fixture() {
        return fixture;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("payment-api.yaml", "provider-operations.yaml", "ystpay.yaml", "errors.yaml", "reconcile.yaml");
    }

    @Override
    protected List<Resource> extraRoutes() throws IOException {
        // The notification route as shipped, entered through direct: instead of the HTTP server.
        String notify = Files.readString(Path.of("routes/notify.yaml"))
                .replace("uri: \"platform-http:/notify/{provider}/{merchant}\"", "uri: \"direct:notify-in\"")
                .replace("httpMethodRestrict: POST", "block: true");
        assertThat(notify).contains("direct:notify-in");
        return List.of(ResourceHelper.fromString("notify.yaml", notify));
    }

    @Override
    protected void doPostSetup() throws Exception {
        super.doPostSetup();
        bridgeTemplate = template;
    }

    private static String micro(String merchant, String requestId, String orderId, long amount, String authCode) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":" + amount + ",\"method\":\"MICRO\",\"subject\":\"Biscuits\",\"authCode\":\""
                + authCode + "\",\"items\":[{\"sku\":\"2900002400915\",\"name\":\"奶油曲奇\",\"unitPrice\":1760,\"quantity\":1},"
                + "{\"sku\":\"2900002400922\",\"name\":\"小石头\",\"unitPrice\":1280,\"quantity\":2}]}";
    }

    /**
     * Ystpay has no close: an expired QR-code order is reversed where Ystpay allows it, else (a
     * native order) closed in the ledger only, and not queried again.
     */
    @Test
    void anExpiredOrderOfAProviderWithoutCloseIsClosedInTheLedger() throws Exception {
        String expireAt = java.time.OffsetDateTime.now(java.time.ZoneOffset.ofHours(8)).plusSeconds(1).withNano(0).toString();
        Answer a = call(TOKEN, scan("yst-shop", "yr-exp1", "YR-EXP01", 300, "WECHAT").replace("}", ",\"expireAt\":\"" + expireAt + "\"}"));
        assertThat(a.body().get("status").asText()).as(a.raw()).isEqualTo("NOTPAY");
        Thread.sleep(1500);
        sweep();
        assertThat(beans.ledger().find("yst-shop", "YR-EXP01").orElseThrow().status().name()).isEqualTo("CLOSED");
        assertThat(beans.ledger().auditTrail("yst-shop", "YR-EXP01")).contains("NOTPAY->CLOSED QUERY");
        assertThat(reconciler().dueOrders(null)).extracting(io.paygate.reconcile.Reconciler.Task::orderId)
                .doesNotContain("YR-EXP01");
    }

    private static String scan(String merchant, String requestId, String orderId, long amount, String channel) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":" + amount + ",\"method\":\"SCAN\",\"subject\":\"Coffee\",\"channel\":\"" + channel + "\"}";
    }

    private static String op(String merchant, String requestId, String operation, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"" + operation
                + "\",\"orderId\":\"" + orderId + "\"}";
    }

    private static String refund(String requestId, String orderId, String refundId, long amount) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"yst-shop\",\"operation\":\"REFUND\",\"orderId\":\""
                + orderId + "\",\"refund\":{\"refundId\":\"" + refundId + "\",\"amount\":" + amount + ",\"reason\":\"不满意\"}}";
    }

    private JsonNode control(String method, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
                + "/sandbox/ystpay/" + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private long calls(String requestType) throws Exception {
        return control("GET", "stats").at("/calls/" + requestType).asLong();
    }

    private String paySeq(String merchant, String orderId) throws Exception {
        try (Connection c = fixture.db().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT pay_seq FROM ystpay_order WHERE merchant = ? AND order_id = ?")) {
            ps.setString(1, merchant);
            ps.setString(2, orderId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    @Test
    void aBarcodePaymentPaidAtOnceIsSuccessWithItsTradeIdAndTime() throws Exception {
        Answer a = call(TOKEN, micro("yst-shop", "yr-m1", "YR-M001", 4320, "134567890123456789"));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body().has("error")).as(a.raw()).isFalse();
        assertThat(a.body().get("status").asText()).isEqualTo("SUCCESS");
        assertThat(a.body().get("providerTradeId").asText()).matches("\\d{20}");
        assertThat(a.body().get("paidAmount").asLong()).isEqualTo(4320);
        assertThat(a.body().get("paidAt").asText()).endsWith("+08:00");
        assertThat(beans.ledger().auditTrail("yst-shop", "YR-M001"))
                .containsExactly("null->UNKNOWN REQUEST", "UNKNOWN->SUCCESS RESPONSE");
        JsonNode order = control("GET", "orders/" + paySeq("yst-shop", "YR-M001"));
        assertThat(order.get("request_type").asText()).isEqualTo("unitive_pay_request");
        assertThat(order.get("channel").asText()).isEqualTo("W");
        assertThat(order.get("trans_seq").asText()).isEqualTo(a.body().get("providerTradeId").asText());
    }

    @Test
    void aBarcodeStillPayingIsUserpayingAndTheBarcodeQueryFindsItPaid() throws Exception {
        Answer a = call(TOKEN, micro("yst-shop", "yr-w1", "YR-W001", 100, "134567890123450000"));
        assertThat(a.body().get("status").asText()).isEqualTo("USERPAYING");
        long barcodeQueries = calls("unitive_query_pay_request");
        long nativeQueries = calls("unitive_native_query_pay_request");
        assertThat(call(TOKEN, op("yst-shop", "yr-w2", "QUERY", "YR-W001")).body().get("status").asText()).isEqualTo("USERPAYING");
        control("POST", "pay?req_seq=" + paySeq("yst-shop", "YR-W001"));
        Answer paid = call(TOKEN, op("yst-shop", "yr-w3", "QUERY", "YR-W001"));
        assertThat(paid.body().get("status").asText()).isEqualTo("SUCCESS");
        assertThat(paid.body().get("paidAt").asText()).endsWith("+08:00");
        assertThat(calls("unitive_query_pay_request")).isEqualTo(barcodeQueries + 2);
        assertThat(calls("unitive_native_query_pay_request")).isEqualTo(nativeQueries);
        assertThat(beans.ledger().auditTrail("yst-shop", "YR-W001")).last().isEqualTo("USERPAYING->SUCCESS QUERY");
    }

    @Test
    void aLongOrderIdTravelsAsA20DigitReqSeqAndTheNativeQueryIsUsed() throws Exception {
        String orderId = "ORDER-2026-11-22-000000000000001";
        assertThat(orderId).hasSize(32);
        Answer a = call(TOKEN, scan("yst-shop", "yr-n1", orderId, 990, "WECHAT"));
        assertThat(a.body().has("error")).as(a.raw()).isFalse();
        assertThat(a.body().get("status").asText()).isEqualTo("NOTPAY");
        assertThat(a.body().at("/action/codeUrl").asText()).startsWith("weixin://wxpay/bizpayurl?pr=");
        String seq = paySeq("yst-shop", orderId);
        assertThat(seq).matches("\\d{20}");
        assertThat(control("GET", "orders/" + seq).get("request_type").asText()).isEqualTo("unitive_native_pay_request");
        long nativeQueries = calls("unitive_native_query_pay_request");
        assertThat(call(TOKEN, op("yst-shop", "yr-n2", "QUERY", orderId)).body().get("status").asText()).isEqualTo("NOTPAY");
        assertThat(calls("unitive_native_query_pay_request")).isEqualTo(nativeQueries + 1);
        Answer alipay = call(TOKEN, scan("yst-shop", "yr-n3", "YR-N003", 5, "ALIPAY"));
        assertThat(alipay.body().at("/action/codeUrl").asText()).startsWith("https://qr.alipay.com/");
    }

    @Test
    void theUnsignedNoticeIsConfirmedByQueryBeforeAnythingChanges() throws Exception {
        call(TOKEN, scan("yst-shop", "yr-t1", "YR-T001", 700, "WECHAT"));
        long nativeQueries = calls("unitive_native_query_pay_request");
        JsonNode sent = control("POST", "notify?req_seq=" + paySeq("yst-shop", "YR-T001"));
        assertThat(sent.get("gateway_status").asInt()).as(sent.toString()).isEqualTo(200);
        assertThat(sent.get("gateway_reply").asText()).isEqualTo("<data><result>Y</result><message>成功</message></data>");
        assertThat(calls("unitive_native_query_pay_request")).isEqualTo(nativeQueries + 1);
        assertThat(beans.ledger().auditTrail("yst-shop", "YR-T001")).last().isEqualTo("NOTPAY->SUCCESS QUERY");
    }

    @Test
    void aNoticeInTheSignedEnvelopeIsStillConfirmedByQuery() throws Exception {
        call(TOKEN, scan("yst-shop", "yr-e1", "YR-E001", 701, "ALIPAY"));
        long nativeQueries = calls("unitive_native_query_pay_request");
        JsonNode sent = control("POST", "notify?form=envelope&req_seq=" + paySeq("yst-shop", "YR-E001"));
        assertThat(sent.get("gateway_reply").asText()).isEqualTo("<data><result>Y</result><message>成功</message></data>");
        // The envelope's key and signature come from the DSN, sent in clear: only the query counts.
        assertThat(calls("unitive_native_query_pay_request")).isEqualTo(nativeQueries + 1);
        assertThat(beans.ledger().auditTrail("yst-shop", "YR-E001")).last().isEqualTo("NOTPAY->SUCCESS QUERY");
    }

    @Test
    void aNoticeForAnotherMerchantsEnvelopeOrAnUnknownReqSeqIsRefused() throws Exception {
        Exchange forged = template.send("direct:notify-in", e -> {
            e.getMessage().setHeader("provider", "ystpay");
            e.getMessage().setHeader("merchant", "yst-shop");
            e.getMessage().setBody(("<data><request_type>native_order_notice</request_type><req_seq>99999999999999999999"
                    + "</req_seq><trans_seq>1</trans_seq><status>S</status></data>").getBytes(StandardCharsets.UTF_8));
        });
        assertThat(forged.getMessage().getBody(String.class)).startsWith("<data><result>N</result><message>");
        assertThat(forged.getProperty("gatewayHttpStatus", Integer.class)).isEqualTo(400);
        Exchange xxe = template.send("direct:notify-in", e -> {
            e.getMessage().setHeader("provider", "ystpay");
            e.getMessage().setHeader("merchant", "yst-shop");
            e.getMessage().setBody(("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                    + "<data><req_seq>&x;</req_seq></data>").getBytes(StandardCharsets.UTF_8));
        });
        assertThat(xxe.getMessage().getBody(String.class)).startsWith("<data><result>N</result>").doesNotContain("root:");
    }

    @Test
    void jsapiAndH5AnswerWhatTheFrontEndNeeds() throws Exception {
        Answer js = call(TOKEN, "{\"requestId\":\"yr-j1\",\"merchant\":\"yst-shop\",\"operation\":\"PAY\",\"orderId\":\"YR-J001\","
                + "\"amount\":88,\"method\":\"JSAPI\",\"subject\":\"Tea\",\"channel\":\"WECHAT\","
                + "\"payer\":{\"openId\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\"}}");
        assertThat(js.body().has("error")).as(js.raw()).isFalse();
        assertThat(js.body().get("status").asText()).isEqualTo("NOTPAY");
        String prepay = js.body().at("/action/prepayId").asText();
        assertThat(prepay).startsWith("wx");
        assertThat(js.body().at("/action/payInfo/package").asText()).isEqualTo("prepay_id=" + prepay);
        Answer h5 = call(TOKEN, "{\"requestId\":\"yr-h1\",\"merchant\":\"yst-shop\",\"operation\":\"PAY\",\"orderId\":\"YR-H001\","
                + "\"amount\":77,\"method\":\"H5\",\"subject\":\"Tea\",\"channel\":\"WECHAT\",\"clientIp\":\"203.0.113.9\","
                + "\"h5\":{\"type\":\"WAP\",\"redirectUrl\":\"https://shop.example/paid?o=1\"}}");
        assertThat(h5.body().at("/action/payUrl").asText()).startsWith("https://wx.tenpay.com/")
                .endsWith("redirect_url=https%3A%2F%2Fshop.example%2Fpaid%3Fo%3D1");
        Answer noIp = call(TOKEN, "{\"requestId\":\"yr-h2\",\"merchant\":\"yst-shop\",\"operation\":\"PAY\",\"orderId\":\"YR-H002\","
                + "\"amount\":77,\"method\":\"H5\",\"subject\":\"Tea\",\"channel\":\"WECHAT\","
                + "\"h5\":{\"type\":\"WAP\",\"redirectUrl\":\"https://shop.example/paid\"}}");
        assertThat(noIp.status()).isEqualTo(400);
        assertThat(noIp.body().at("/error/fields/0/field").asText()).isEqualTo("clientIp");
    }

    @Test
    void refundRepeatAndQueryUseTheStoredNumbers() throws Exception {
        Answer paid = call(TOKEN, micro("yst-shop", "yr-r1", "YR-R001", 1000, "134567890123456780"));
        assertThat(paid.body().get("status").asText()).isEqualTo("SUCCESS");
        Answer r = call(TOKEN, refund("yr-r2", "YR-R001", "RF-1", 300));
        assertThat(r.body().has("error")).as(r.raw()).isFalse();
        assertThat(r.body().at("/refunds/0/refundId").asText()).isEqualTo("RF-1");
        assertThat(r.body().at("/refunds/0/status").asText()).isEqualTo("SUCCESS");
        assertThat(r.body().at("/refunds/0/amount").asLong()).isEqualTo(300);
        assertThat(r.body().at("/refunds/0/refundedAt").asText()).endsWith("+08:00");
        String providerRefundId = r.body().at("/refunds/0/providerRefundId").asText();
        assertThat(providerRefundId).matches("\\d{20}");
        // The same refund sent again under a new requestId: the same req_seq, so no second refund.
        Answer again = call(TOKEN, refund("yr-r3", "YR-R001", "RF-1", 300));
        assertThat(again.body().at("/refunds/0/providerRefundId").asText()).isEqualTo(providerRefundId);
        assertThat(control("GET", "orders/" + paySeq("yst-shop", "YR-R001")).get("refunded").asLong()).isEqualTo(300);
        Answer otherAmount = call(TOKEN, refund("yr-r4", "YR-R001", "RF-1", 301));
        // The refund ledger (or, behind it, the Ystpay numbers) refuses a refundId reused with another amount.
        assertThat(otherAmount.body().at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(otherAmount.body().at("/error/fields/0/field").asText()).isIn("refund.refundId", "refund.amount");
        Answer q = call(TOKEN, "{\"requestId\":\"yr-r5\",\"merchant\":\"yst-shop\",\"operation\":\"REFUND_QUERY\","
                + "\"orderId\":\"YR-R001\",\"refund\":{\"refundId\":\"RF-1\"}}");
        assertThat(q.body().at("/refunds/0/status").asText()).as(q.raw()).isEqualTo("SUCCESS");
        assertThat(q.body().at("/refunds/0/providerRefundId").asText()).isEqualTo(providerRefundId);
        long refundCalls = calls("unitive_refund_request");
        Answer tooMuch = call(TOKEN, refund("yr-r6", "YR-R001", "RF-2", 800));
        assertThat(tooMuch.body().at("/error/code").asText()).isEqualTo("REFUND_EXCEEDS_PAID");
        assertThat(calls("unitive_refund_request")).as("refused by the refund ledger, not sent").isEqualTo(refundCalls);
        Answer unknown = call(TOKEN, "{\"requestId\":\"yr-r7\",\"merchant\":\"yst-shop\",\"operation\":\"REFUND_QUERY\","
                + "\"orderId\":\"YR-R001\",\"refund\":{\"refundId\":\"RF-NONE\"}}");
        assertThat(unknown.body().at("/error/code").asText()).isEqualTo("REFUND_NOT_FOUND");
    }

    @Test
    void reverseRevokesABarcodePaymentAndIsRefusedForOthers() throws Exception {
        call(TOKEN, micro("yst-shop", "yr-v1", "YR-V001", 100, "134567890123450000"));
        Answer v = call(TOKEN, op("yst-shop", "yr-v2", "REVERSE", "YR-V001"));
        assertThat(v.body().has("error")).as(v.raw()).isFalse();
        assertThat(v.body().get("status").asText()).isIn("REVOKED", "USERPAYING");
        assertThat(control("GET", "orders/" + paySeq("yst-shop", "YR-V001")).get("status").asText()).isEqualTo("R");
        call(TOKEN, scan("yst-shop", "yr-v3", "YR-V003", 100, "WECHAT"));
        long revokes = calls("unitive_revoke_request");
        Answer n = call(TOKEN, op("yst-shop", "yr-v4", "REVERSE", "YR-V003"));
        assertThat(n.body().at("/error/code").asText()).isEqualTo("UNSUPPORTED");
        assertThat(calls("unitive_revoke_request")).isEqualTo(revokes);
    }

    /**
     * A refund of an order whose trans_seq the gateway does not know yet is refused with nothing sent
     * (retryable: pay, then send it again). The same refundId, sent again once the order is paid,
     * must then really be sent: a reservation kept from the refusal would only be asked after.
     */
    @Test
    void aRefundRefusedBeforeTheOrderIsPaidIsSentWhenAskedAgainAfterwards() throws Exception {
        Answer unpaid = call(TOKEN, scan("yst-shop", "yr-rw1", "YR-RW01", 500, "WECHAT"));
        assertThat(unpaid.body().get("status").asText()).as(unpaid.raw()).isEqualTo("NOTPAY");
        // As after a PAY whose answer never came (a timeout): the gateway has no trans_seq of the order.
        try (Connection c = fixture.db().dataSource().getConnection()) {
            for (String sql : List.of("UPDATE ystpay_order SET trans_seq = NULL WHERE merchant = ? AND order_id = ?",
                    "UPDATE payment_order SET provider_trade_id = NULL WHERE merchant = ? AND order_id = ?")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, "yst-shop");
                    ps.setString(2, "YR-RW01");
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
            }
        }
        long refundCalls = calls("unitive_refund_request");

        Answer early = call(TOKEN, refund("yr-rw2", "YR-RW01", "RF-W1", 200));
        assertThat(early.body().at("/error/code").asText()).as(early.raw()).isEqualTo("ORDER_NOT_FOUND");
        assertThat(early.body().at("/error/retryable").asBoolean()).isTrue();
        assertThat(calls("unitive_refund_request")).as("nothing sent").isEqualTo(refundCalls);

        control("POST", "pay?req_seq=" + paySeq("yst-shop", "YR-RW01"));
        assertThat(call(TOKEN, op("yst-shop", "yr-rw3", "QUERY", "YR-RW01")).body().get("status").asText()).isEqualTo("SUCCESS");
        Answer later = call(TOKEN, refund("yr-rw4", "YR-RW01", "RF-W1", 200));
        assertThat(later.body().has("error")).as(later.raw()).isFalse();
        assertThat(later.body().at("/refunds/0/refundId").asText()).isEqualTo("RF-W1");
        assertThat(later.body().at("/refunds/0/status").asText()).isIn("SUCCESS", "PROCESSING");
        assertThat(calls("unitive_refund_request")).as("the refund was sent this time").isEqualTo(refundCalls + 1);
    }

    @Test
    void refusalsBeforeAnythingIsSent() throws Exception {
        long total = control("GET", "stats").get("total").asLong();
        Answer close = call(TOKEN, op("yst-shop", "yr-c1", "CLOSE", "YR-C001"));
        assertThat(close.body().at("/error/code").asText()).isEqualTo("UNSUPPORTED");
        Answer noChannel = call(TOKEN, "{\"requestId\":\"yr-c2\",\"merchant\":\"yst-shop\",\"operation\":\"PAY\","
                + "\"orderId\":\"YR-C002\",\"amount\":1,\"method\":\"SCAN\",\"subject\":\"x\"}");
        assertThat(noChannel.status()).isEqualTo(400);
        assertThat(noChannel.body().at("/error/fields/0/field").asText()).isEqualTo("channel");
        Answer app = call(TOKEN, "{\"requestId\":\"yr-c3\",\"merchant\":\"yst-shop\",\"operation\":\"PAY\","
                + "\"orderId\":\"YR-C003\",\"amount\":1,\"method\":\"APP\",\"subject\":\"x\"}");
        assertThat(app.body().at("/error/code").asText()).isEqualTo("UNSUPPORTED");
        Answer query = call(TOKEN, op("yst-shop", "yr-c4", "QUERY", "YR-NEVER"));
        assertThat(query.body().at("/error/code").asText()).isEqualTo("ORDER_NOT_FOUND");
        assertThat(control("GET", "stats").get("total").asLong()).isEqualTo(total);
    }

    @Test
    void anUndocumentedCodeIsAProviderErrorKeepingTheCodeAndTheChargeStaysUnknown() throws Exception {
        Answer a = call(TOKEN, micro("yst-shop", "yr-u1", "YR-U001", 100, "134567890123454444"));
        assertThat(a.body().at("/error/code").asText()).isEqualTo("PROVIDER_ERROR");
        assertThat(a.body().at("/error/providerCode").asText()).isEqualTo("E21004");
        assertThat(a.body().at("/error/providerMessage").asText()).contains("付款码无效");
        assertThat(a.body().get("status").asText()).isEqualTo("UNKNOWN");
    }

    @Test
    void theOtherKeySettingsWorkEndToEnd() throws Exception {
        Answer a = call(TOKEN_ALT, micro("yst-alt", "yr-a1", "YR-A001", 55, "284567890123456789"));
        assertThat(a.body().has("error")).as(a.raw()).isFalse();
        assertThat(a.body().get("status").asText()).isEqualTo("SUCCESS");
        assertThat(control("GET", "orders/" + paySeq("yst-alt", "YR-A001")).get("channel").asText()).isEqualTo("A");
    }

    @Test
    void anAnswerThatDoesNotVerifyIsSignatureInvalid() throws Exception {
        Answer wrong = call(TOKEN_WRONG, scan("yst-wrong", "yr-x1", "YR-X001", 1, "WECHAT"));
        assertThat(wrong.body().at("/error/code").asText()).isEqualTo("SIGNATURE_INVALID");
        assertThat(wrong.body().get("status").asText()).isEqualTo("UNKNOWN");
        assertThat(wrong.raw()).doesNotContain("NotTheSimulatorsKey").doesNotContain(KEY);

        badAnswer.set("<response><timestamp>1</timestamp><data>UU3e/MOLQBXA5T2F1cWz7A==</data>"
                + "<signature>0123456789ABCDEF0123456789ABCDEF</signature></response>");
        Answer forged = call(TOKEN_BAD, scan("yst-bad", "yr-x2", "YR-X002", 1, "WECHAT"));
        assertThat(forged.body().at("/error/code").asText()).isEqualTo("SIGNATURE_INVALID");
        assertThat(forged.body().at("/error/message").asText()).contains("signature does not verify");

        badAnswer.set("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<response><timestamp>&x;</timestamp><data>x</data><signature>y</signature></response>");
        Answer xxe = call(TOKEN_BAD, scan("yst-bad", "yr-x3", "YR-X003", 1, "WECHAT"));
        assertThat(xxe.body().at("/error/code").asText()).isEqualTo("SIGNATURE_INVALID");
        assertThat(xxe.raw()).doesNotContain("root:");
    }

    /**
     * Verification cannot be left out: with an edited copy of the route files (the template's
     * {@code answer} step removed, or a Ystpay instance pointing at a data format that binds without
     * verifying), a forged answer claiming the order paid, sealed with a key that is not the
     * merchant's, still ends in no SUCCESS, in the result or in the ledger: the result mappers take
     * only a {@code YstpayVerified}, which only the shipped data format makes.
     */
    @Test
    void anEditedRouteWithoutTheVerifyingStepNeverTurnsAForgedPaidAnswerIntoSuccess() throws Exception {
        badAnswer.set(forgedPaidAnswer());
        // The shipped routes reject it.
        Answer shipped = call(TOKEN_BAD, scan("yst-bad", "yr-f1", "YR-F001", 1, "WECHAT"));
        assertThat(shipped.at("/error/code")).as(shipped.raw()).isEqualTo("SIGNATURE_INVALID");
        assertThat(shipped.at("/status")).isEqualTo("UNKNOWN");

        // An edited copy of routes/provider-operations.yaml without its unmarshal (answer) step,
        // and the Ystpay instances of routes/ystpay.yaml moved onto it.
        String template = Files.readString(Path.of("routes/provider-operations.yaml"));
        String withoutAnswer = template.replace("id: provider-operation\n", "id: provider-operation-unverified\n")
                .replace("""
                          - unmarshal:
                              custom:
                                ref: "{{answer}}"
                """, "");
        assertThat(withoutAnswer).contains("id: provider-operation-unverified").doesNotContain("unmarshal");
        String instances = Files.readString(Path.of("routes/ystpay.yaml"))
                .replace("routeTemplateRef: provider-operation\n", "routeTemplateRef: provider-operation-unverified\n");
        assertThat(instances).doesNotContain("routeTemplateRef: provider-operation\n");
        replaceYstpayOperations(ResourceHelper.fromString("provider-operations-unverified.yaml", withoutAnswer),
                ResourceHelper.fromString("ystpay-unverified.yaml", instances));
        assertForgedPaidAnswerIsNoSuccess("yr-f2", "YR-F002");

        // The shipped template, with every Ystpay instance pointing at a data format that binds the
        // answer's claim without verifying it.
        context.getRegistry().bind("ystpayUnverifiedAnswer", new UnverifiedAnswerFormat());
        String unverifiedFormat = Files.readString(Path.of("routes/ystpay.yaml"))
                .replace("value: ystpayAnswer }", "value: ystpayUnverifiedAnswer }");
        assertThat(unverifiedFormat).contains("ystpayUnverifiedAnswer").doesNotContain("value: ystpayAnswer }");
        replaceYstpayOperations(ResourceHelper.fromString("ystpay-unverified-format.yaml", unverifiedFormat));
        assertForgedPaidAnswerIsNoSuccess("yr-f4", "YR-F004");
    }

    private void assertForgedPaidAnswerIsNoSuccess(String requestId, String orderId) throws Exception {
        Answer pay = call(TOKEN_BAD, scan("yst-bad", requestId, orderId, 1, "WECHAT"));
        assertThat(pay.at("/status")).as(pay.raw()).isEqualTo("UNKNOWN");
        assertThat(pay.at("/error/code")).isEqualTo("PROVIDER_ERROR");
        Answer query = call(TOKEN_BAD, op("yst-bad", requestId + "-q", "QUERY", orderId));
        assertThat(query.at("/status")).as(query.raw()).isNotEqualTo("SUCCESS");
        assertThat(query.at("/error/code")).isEqualTo("PROVIDER_ERROR");
        assertThat(beans.ledger().find("yst-bad", orderId).orElseThrow().status().name()).isEqualTo("UNKNOWN");
        assertThat(beans.ledger().auditTrail("yst-bad", orderId)).noneMatch(t -> t.contains("SUCCESS"));
    }

    /** Replaces the running Ystpay operations (routes ystpay-*) by the given route files. */
    private void replaceYstpayOperations(Resource... files) throws Exception {
        for (org.apache.camel.Route r : List.copyOf(context.getRoutes())) {
            if (r.getRouteId().startsWith("ystpay-")) {
                context.getRouteController().stopRoute(r.getRouteId());
                context.removeRoute(r.getRouteId());
            }
        }
        org.apache.camel.support.PluginHelper.getRoutesLoader(context).loadRoutes(files);
        assertThat(context.getRoute("ystpay-native-pay")).isNotNull();
        assertThat(context.getRoute("ystpay-query")).isNotNull();
    }

    /**
     * A Ystpay answer claiming the order paid, in a well-formed envelope encrypted and signed with the
     * keys of another password (so another DSN): what anyone could send who is not Ystpay.
     */
    private static String forgedPaidAnswer() {
        io.paygate.provider.ystpay.YstpayKeys forger = io.paygate.provider.ystpay.YstpayKeys.of(
                new io.paygate.provider.ystpay.YstpaySettings("http://127.0.0.1/", "ystdev01", "not-the-password", KEY));
        String data = io.paygate.provider.ystpay.YstpayCipher.encrypt(PAID, forger.answerKey(), forger.answerIv(),
                forger.padding());
        return "<response><timestamp>1763781438751</timestamp><data>" + data + "</data><signature>"
                + io.paygate.provider.ystpay.YstpaySigner.answerSignature(forger.dsn(), "1763781438751", data)
                + "</signature></response>";
    }

    private static final String PAID = "<data><result>Y</result><code>E11000</code><msg>支付成功</msg>"
            + "<trans_seq>12611221117180000099</trans_seq><total_fee>1</total_fee><cash_fee>1</cash_fee>"
            + "<coupon_fee>0</coupon_fee><pay_time>2026-11-22 11:17:18</pay_time><channel>W</channel><status>S</status></data>";

    /** A data format that believes the answer: binds its claim (the order paid) without any check. */
    private static final class UnverifiedAnswerFormat extends org.apache.camel.support.service.ServiceSupport
            implements org.apache.camel.spi.DataFormat {
        @Override
        public void marshal(Exchange exchange, Object graph, OutputStream stream) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object unmarshal(Exchange exchange, java.io.InputStream stream) throws IOException {
            stream.readAllBytes();
            return io.paygate.provider.ystpay.wire.YstpayAnswer.of(io.paygate.xml.HardenedXml.parseFlat(
                    PAID.getBytes(StandardCharsets.UTF_8), "data"));
        }
    }

    @Test
    void aSlowProviderIsATimeoutAndThePayStaysUnknown() throws Exception {
        control("POST", "faults?delay_ms=2500&count=1");
        Answer a = call(TOKEN, scan("yst-shop", "yr-s1", "YR-S001", 1, "WECHAT"));
        assertThat(a.status()).isEqualTo(504);
        assertThat(a.body().at("/error/code").asText()).isEqualTo("TIMEOUT");
        assertThat(a.body().get("status").asText()).isEqualTo("UNKNOWN");
    }
}
