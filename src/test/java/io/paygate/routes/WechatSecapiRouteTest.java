package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.PaymentStatus;
import io.paygate.sandbox.wechat.WechatSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Barcode payments, reversals and refunds through the real routes against the WeChat simulator,
 * /secapi over mutual TLS with the client certificate the simulator issued, and the barcode and
 * refund follow-up of the reconciliation. Timings of seconds.
 */
class WechatSecapiRouteTest extends RouteTestSupport {
    private static final String TOKEN = "secapi-test-token-00001";
    private static final String TOKEN_BADPASS = "secapi-test-token-badpw";
    private static final String KEY = "secapikey0000000000000000000000c";

    private static Path dir;
    private static Fixture fixture;
    private static WechatSimulator sim;

    @BeforeAll
    static void startProvider() throws Exception {
        dir = Files.createTempDirectory("secapi-test");
        Path tls = dir.resolve("tls");
        sim = new WechatSimulator(0, List.of(new WechatSimulator.Merchant("4001", "wxsecapi", KEY)), null, 0, tls);
        sim.start();
        sim.refundDelay(Duration.ofMillis(-1));
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=https://gw.example.com",
                "gateway.provider.read-timeout=3",
                "gateway.reconcile.enabled=false",
                "gateway.reconcile.min-age=0",
                "gateway.reconcile.backoff=1",
                "gateway.micro.wait=4",
                "gateway.micro.poll-delay=1",
                "gateway.micro.poll-interval=1",
                "gateway.micro.poll-limit=5",
                "gateway.micro.reverse-after=5",
                "gateway.wechat.reverse-recall-delay-ms=100",
                "gateway.idempotency.wait=10", ""));
        String wechat = "baseUrl: 'http://127.0.0.1:" + sim.port() + "', secapiBaseUrl: 'https://127.0.0.1:" + sim.tlsPort()
                + "', appId: wxsecapi, mchId: '4001', apiKey: " + KEY;
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  till:",
                "    provider: wechat",
                "    apiToken: " + TOKEN,
                "    wechat: {" + wechat + ", certificate: {path: 'tls/4001.p12', serverCa: 'tls/ca.pem'}}",
                "  till-badpw:",
                "    provider: wechat",
                "    apiToken: " + TOKEN_BADPASS,
                "    wechat: {" + wechat + ", certificate: {path: 'tls/4001.p12', password: not-the-password, "
                        + "serverCa: 'tls/ca.pem'}}",
                ""));
        fixture = Fixture.load(dir, 8);
    }

    @AfterAll
    static void stopProvider() {
        sim.close();
        fixture.close();
    }

    @Override
    protected Fixture fixture() {
        return fixture;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("payment-api.yaml", "provider-operations.yaml", "wechat.yaml", "errors.yaml", "reconcile.yaml");
    }

    private JsonNode send(String token, String body) throws Exception {
        return call(token, body).body();
    }

    private JsonNode micro(String orderId, String authCode) throws Exception {
        return micro(TOKEN, "till", orderId, authCode);
    }

    private JsonNode micro(String token, String merchant, String orderId, String authCode) throws Exception {
        return send(token, "{\"requestId\":\"req-" + orderId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":800,\"method\":\"MICRO\",\"authCode\":\"" + authCode
                + "\",\"subject\":\"Lunch\",\"storeId\":\"store-9\"}");
    }

    private JsonNode op(String token, String requestId, String operation, String orderId, String refund) throws Exception {
        String merchant = token.equals(TOKEN) ? "till" : "till-badpw";
        return send(token, "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"" + operation
                + "\",\"orderId\":\"" + orderId + "\"" + (refund == null ? "" : ",\"refund\":" + refund) + "}");
    }

    private JsonNode sim(String method, String path) throws Exception {
        return wechatSim(sim.port(), method, path);
    }

    private long simCalls(String path) throws Exception {
        return wechatSimCalls(sim.port(), path);
    }

    private PaymentStatus status(String orderId) {
        return beans.ledger().find("till", orderId).orElseThrow().status();
    }

    private List<String> eventTypes(String orderId) throws Exception {
        return events(orderId).stream().map(n -> n.path("type").asText() + "/" + n.path("source").asText()).toList();
    }

    @Test
    void aBarcodePaymentThatSucceedsAtOnce() throws Exception {
        JsonNode a = micro("SA-1", "134567890123456789");
        assertThat(a.path("status").asText()).isEqualTo("SUCCESS");
        assertThat(a.path("paidAmount").asLong()).isEqualTo(800);
        assertThat(eventTypes("SA-1")).containsExactly("PAYMENT_SUCCEEDED/RESPONSE");
        assertThat(sim("GET", "/sandbox/wechat/orders/SA-1").path("trade_type").asText()).isEqualTo("MICROPAY");
    }

    @Test
    void theTillWaitsWhileTheBuyerConfirmsAndGetsTheFinalResult() throws Exception {
        long queries = simCalls("/pay/orderquery");
        long started = System.nanoTime();
        JsonNode a = micro("SA-2", "134567890123450000");
        assertThat(a.path("status").asText()).as(a.toString()).isEqualTo("SUCCESS");
        assertThat(a.has("error")).isFalse();
        assertThat(simCalls("/pay/orderquery") - queries).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(beans.ledger().auditTrail("till", "SA-2"))
                .containsSubsequence("UNKNOWN->USERPAYING RESPONSE", "USERPAYING->SUCCESS QUERY");
        assertThat(eventTypes("SA-2")).containsExactly("PAYMENT_SUCCEEDED/QUERY");
    }

    @Test
    void aBarcodePaymentNeverConfirmedIsAnsweredPayingThenReversedByTheSweep() throws Exception {
        JsonNode a = micro("SA-3", "134567890123451111");
        assertThat(a.path("status").asText()).isEqualTo("USERPAYING");
        long reverses = simCalls("/secapi/pay/reverse");
        sweepBarcodes();
        assertThat(simCalls("/secapi/pay/reverse")).as("not before poll-limit").isEqualTo(reverses);
        Thread.sleep(2500);
        sweepBarcodes();
        assertThat(simCalls("/secapi/pay/reverse")).isEqualTo(reverses + 1);
        assertThat(status("SA-3")).isEqualTo(PaymentStatus.REVOKED);
        assertThat(sim("GET", "/sandbox/wechat/orders/SA-3").path("trade_state").asText()).isEqualTo("REVOKED");
        assertThat(eventTypes("SA-3")).containsExactly("PAYMENT_REVOKED/RESPONSE");
    }

    @Test
    void aBarcodePaymentInErrorButChargedIsFoundByQuery() throws Exception {
        JsonNode a = micro("SA-4", "134567890123452222");
        assertThat(a.path("status").asText()).isEqualTo("SUCCESS");
        assertThat(eventTypes("SA-4")).containsExactly("PAYMENT_SUCCEEDED/QUERY");
    }

    @Test
    void reverseCallsAgainWhileWechatAsksToRecall() throws Exception {
        micro("SA-5", "134567890123456780");
        sim("POST", "/sandbox/wechat/faults?recall=2");
        long reverses = simCalls("/secapi/pay/reverse");
        JsonNode r = op(TOKEN, "rev-5", "REVERSE", "SA-5", null);
        assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("REVOKED");
        assertThat(simCalls("/secapi/pay/reverse") - reverses).isEqualTo(3);
        assertThat(eventTypes("SA-5")).containsExactly("PAYMENT_SUCCEEDED/RESPONSE", "PAYMENT_REVOKED/RESPONSE");
    }

    @Test
    void partialRefundsOverMutualTlsThenSettledByQueryAndTheSweep() throws Exception {
        micro("SA-6", "134567890123456781");
        JsonNode r1 = op(TOKEN, "rf-6a", "REFUND", "SA-6", "{\"refundId\":\"SA-6-R1\",\"amount\":300}");
        assertThat(r1.at("/refunds/0/status").asText()).as(r1.toString()).isEqualTo("PROCESSING");
        assertThat(r1.at("/refunds/0/providerRefundId").asText()).isNotEmpty();
        JsonNode r2 = op(TOKEN, "rf-6b", "REFUND", "SA-6", "{\"refundId\":\"SA-6-R2\",\"amount\":500}");
        assertThat(r2.at("/refunds/0/refundId").asText()).isEqualTo("SA-6-R2");
        long refundCalls = simCalls("/secapi/pay/refund");
        JsonNode tooMuch = op(TOKEN, "rf-6c", "REFUND", "SA-6", "{\"refundId\":\"SA-6-R3\",\"amount\":1}");
        assertThat(tooMuch.at("/error/code").asText()).isEqualTo("REFUND_EXCEEDS_PAID");
        assertThat(simCalls("/secapi/pay/refund")).as("refused before WeChat").isEqualTo(refundCalls);

        sim("POST", "/sandbox/wechat/refunds/succeed?out_refund_no=SA-6-R1");
        JsonNode q = op(TOKEN, "rq-6", "REFUND_QUERY", "SA-6", null);
        assertThat(q.path("status").asText()).isEqualTo("REFUND");
        assertThat(q.path("refunds")).hasSize(2);
        assertThat(q.at("/refunds/0/status").asText()).isEqualTo("SUCCESS");
        assertThat(q.at("/refunds/1/status").asText()).isEqualTo("PROCESSING");

        sim("POST", "/sandbox/wechat/refunds/fail?out_refund_no=SA-6-R2");
        Thread.sleep(1100);
        sweep();
        assertThat(beans.refunds().find("till", "SA-6-R2").orElseThrow().status()).isEqualTo("FAILED");
        assertThat(eventTypes("SA-6")).containsExactly("PAYMENT_SUCCEEDED/RESPONSE", "REFUND_SUCCEEDED/QUERY",
                "REFUND_FAILED/QUERY");
    }

    /** WeChat's refund notification, made by the test: req_info = AES-256-ECB(MD5hex(key)) of a <root> document. */
    private static byte[] refundNotification(String apiKey, String orderId, String refundId, String status) throws Exception {
        String plain = "<root><out_refund_no><![CDATA[" + refundId + "]]></out_refund_no><out_trade_no><![CDATA[" + orderId
                + "]]></out_trade_no><refund_status><![CDATA[" + status + "]]></refund_status>"
                + "<success_time><![CDATA[2026-11-22 10:00:00]]></success_time><refund_id><![CDATA[50300000001]]></refund_id>"
                + "<total_fee>800</total_fee><refund_fee>200</refund_fee><settlement_refund_fee>200</settlement_refund_fee>"
                + "<transaction_id><![CDATA[4200000000001]]></transaction_id></root>";
        byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest(apiKey.getBytes(StandardCharsets.UTF_8));
        javax.crypto.Cipher aes = javax.crypto.Cipher.getInstance("AES/ECB/PKCS5Padding");
        aes.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(
                java.util.HexFormat.of().formatHex(md5).getBytes(StandardCharsets.US_ASCII), "AES"));
        String reqInfo = java.util.Base64.getEncoder().encodeToString(aes.doFinal(plain.getBytes(StandardCharsets.UTF_8)));
        return ("<xml><return_code>SUCCESS</return_code><appid><![CDATA[wxsecapi]]></appid><mch_id><![CDATA[4001]]></mch_id>"
                + "<nonce_str><![CDATA[abc]]></nonce_str><req_info><![CDATA[" + reqInfo + "]]></req_info></xml>")
                .getBytes(StandardCharsets.UTF_8);
    }

    private String notify(byte[] body) {
        Exchange ex = new org.apache.camel.support.DefaultExchange(context);
        ex.getMessage().setHeader("provider", "wechat");
        ex.getMessage().setHeader("merchant", "till");
        ex.getMessage().setBody(body);
        context.getRegistry().lookupByNameAndType("notificationIntake", io.paygate.notify.NotificationIntake.class).receive(ex);
        return ex.getProperty("notifyOutcome", String.class) + " " + ex.getProperty("gatewayHttpStatus");
    }

    @Test
    void aRefundNotificationSettlesTheRefundOnceAndAForgedOneNothing() throws Exception {
        micro("SA-8", "134567890123456783");
        JsonNode r = op(TOKEN, "rf-8", "REFUND", "SA-8", "{\"refundId\":\"SA-8-R1\",\"amount\":200}");
        assertThat(r.at("/refunds/0/status").asText()).isEqualTo("PROCESSING");

        assertThat(notify(refundNotification("someone-elses-key-0000000000000", "SA-8", "SA-8-R1", "SUCCESS")))
                .startsWith("REJECTED 400");
        assertThat(beans.refunds().find("till", "SA-8-R1").orElseThrow().status()).isEqualTo("PROCESSING");

        assertThat(notify(refundNotification(KEY, "SA-8", "SA-8-R1", "SUCCESS"))).isEqualTo("APPLIED 200");
        assertThat(notify(refundNotification(KEY, "SA-8", "SA-8-R1", "SUCCESS"))).isEqualTo("UNCHANGED 200");
        assertThat(beans.refunds().find("till", "SA-8-R1").orElseThrow())
                .satisfies(f -> assertThat(f.status()).isEqualTo("SUCCESS"))
                .satisfies(f -> assertThat(f.refundedAt()).isEqualTo("2026-11-22T10:00:00+08:00"));
        assertThat(status("SA-8")).isEqualTo(PaymentStatus.REFUND);
        assertThat(eventTypes("SA-8")).containsExactly("PAYMENT_SUCCEEDED/RESPONSE", "REFUND_SUCCEEDED/NOTIFY");
    }

    @Test
    void aCertificateThatCannotBeOpenedSendsNothingAndKeepsNoRefund() throws Exception {
        micro(TOKEN_BADPASS, "till-badpw", "SA-7", "134567890123456782");
        long before = simCalls("/secapi/pay/refund");
        JsonNode r = op(TOKEN_BADPASS, "rf-7", "REFUND", "SA-7", "{\"refundId\":\"SA-7-R1\",\"amount\":100}");
        assertThat(r.at("/error/code").asText()).as(r.toString()).isEqualTo("PROVIDER_ERROR");
        assertThat(r.at("/error/message").asText()).contains("could not be opened").doesNotContain("not-the-password");
        assertThat(simCalls("/secapi/pay/refund")).isEqualTo(before);
        assertThat(beans.refunds().find("till-badpw", "SA-7-R1")).isEmpty();
    }
}
