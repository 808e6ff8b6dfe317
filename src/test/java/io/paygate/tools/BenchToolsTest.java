package io.paygate.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The benchmark's provider stub and its bare and HTTP load clients (scripts/bench-e2e.sh). */
class BenchToolsTest {

    private static final String MCH = "10000100";
    private static final String APPID = "wxd930ea5d5a258f4f";
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";

    private static Map<String, String> official() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("nonce_str", "ibuaiVcKdpRxkhJA");
        fields.put("mch_id", MCH);
        fields.put("appid", APPID);
        fields.put("body", "test");
        fields.put("device_info", "1000");
        return fields;
    }

    @Test
    void signsWechatsPublishedExample() {
        assertThat(WechatV2.sign(official(), "MD5", KEY)).isEqualTo("9A0A8659F005D6984697E2CA0A9CF3B7");
        assertThat(WechatV2.sign(official(), WechatV2.HMAC_SHA256, KEY))
                .isEqualTo("6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6");
    }

    @Test
    void parsesCdataAndEscapedText() {
        assertThat(WechatV2.parseXml("<xml><a><![CDATA[x<y]]></a><b>1 &amp; 2</b></xml>"))
                .containsExactly(Map.entry("a", "x<y"), Map.entry("b", "1 & 2"));
        assertThat(WechatV2.parseXml("not xml")).isNull();
    }

    @Test
    void stubAnswersSignedOrdersAndRefusesABadSignature() throws Exception {
        try (FastWechatStub stub = FastWechatStub.start(0, 2, MCH, APPID, KEY)) {
            HttpClient http = HttpClient.newHttpClient();
            Map<String, String> order = new LinkedHashMap<>(official());
            order.put("sign_type", WechatV2.HMAC_SHA256);
            order.put("out_trade_no", "STUB-1");
            order.put("trade_type", "NATIVE");
            order.put("sign", WechatV2.sign(order, WechatV2.HMAC_SHA256, KEY));
            Map<String, String> answer = post(http, stub, "/pay/unifiedorder", order);
            assertThat(answer).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "SUCCESS")
                    .containsKey("code_url");
            assertThat(WechatV2.verify(answer, WechatV2.HMAC_SHA256, KEY)).isTrue();
            assertThat(WechatV2.verify(answer, "MD5", KEY)).isFalse();

            Map<String, String> query = new LinkedHashMap<>(official());
            query.put("out_trade_no", "STUB-1");
            query.put("sign", WechatV2.sign(query, "MD5", KEY));
            assertThat(post(http, stub, "/pay/orderquery", query)).containsEntry("trade_state", "NOTPAY");

            order.put("sign", "0".repeat(64));
            assertThat(post(http, stub, "/pay/unifiedorder", order)).containsEntry("return_code", "FAIL")
                    .doesNotContainKey("result_code");
        }
    }

    @Test
    void bareClientCountsVerifiedAnswersAndErrorsOnAWrongKey() throws Exception {
        try (FastWechatStub stub = FastWechatStub.start(0, 2, MCH, APPID, KEY)) {
            URI base = URI.create("http://127.0.0.1:" + stub.port());
            LoadRun.Result good = BareWechatLoad.run(base, MCH, APPID, KEY, WechatV2.HMAC_SHA256, 2, 1, 1);
            assertThat(good.requests()).isGreaterThan(10);
            assertThat(good.errors()).isZero();
            assertThat(good.p50Ms()).isGreaterThan(0).isLessThanOrEqualTo(good.p99Ms());
            LoadRun.Result bad = BareWechatLoad.run(base, MCH, APPID, "f".repeat(32), WechatV2.HMAC_SHA256, 1, 0, 0.3);
            assertThat(bad.requests()).isZero();
            assertThat(bad.errors()).isGreaterThan(0);
        }
    }

    @Test
    void httpLoadPostsPayRequestsWithTheTokenAndCountsOnlyNotpayAnswers() throws Exception {
        HttpServer gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger seen = new AtomicInteger();
        gateway.createContext("/api/v1/payments", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean right = "Bearer tok".equals(exchange.getRequestHeaders().getFirst("Authorization"))
                    && body.contains("\"operation\":\"PAY\"") && body.contains("\"method\":\"SCAN\"")
                    && body.contains("\"merchant\":\"shop\"");
            byte[] answer = (right && seen.incrementAndGet() % 2 == 0 ? "{\"status\":\"NOTPAY\"}" : "{\"status\":\"FAILED\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        gateway.start();
        try {
            LoadRun.Result result = HttpLoad.run(URI.create("http://127.0.0.1:" + gateway.getAddress().getPort()),
                    "tok", "shop", 1, 0, 1.5);
            assertThat(result.requests()).isGreaterThan(5);
            assertThat(result.errors()).isBetween(result.requests() - 1L, result.requests() + 1L);
        } finally {
            gateway.stop(0);
        }
    }

    @Test
    void httpLoadWithSeveralUrlsSpreadsItsClientsOverThem() throws Exception {
        List<HttpServer> gateways = new java.util.ArrayList<>();
        List<AtomicInteger> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            HttpServer gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            AtomicInteger count = new AtomicInteger();
            gateway.createContext("/api/v1/payments", exchange -> {
                exchange.getRequestBody().readAllBytes();
                count.incrementAndGet();
                byte[] answer = "{\"status\":\"NOTPAY\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            gateway.start();
            gateways.add(gateway);
            seen.add(count);
        }
        try {
            LoadRun.Result result = HttpLoad.run(gateways.stream()
                    .map(g -> URI.create("http://127.0.0.1:" + g.getAddress().getPort())).toList(), "tok", "shop", 2, 0, 1.0);
            assertThat(result.errors()).isZero();
            // One client per gateway: each got requests, and together they answered every one.
            assertThat(seen.get(0).get()).isGreaterThan(2);
            assertThat(seen.get(1).get()).isGreaterThan(2);
            assertThat(seen.get(0).get() + seen.get(1).get()).isGreaterThanOrEqualTo((int) result.requests());
        } finally {
            gateways.forEach(g -> g.stop(0));
        }
    }

    @Test
    void ledgerLoadMakesEachPaysTwoTransactionsAndCountsTheirWrites(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (io.paygate.store.Database db = new io.paygate.store.Database(io.paygate.store.Database.embeddedUrl(dir), "sa", "", 4)) {
            LedgerLoad.Report report = LedgerLoad.run(db, 2, 0.3, 1, dir.resolve("ledger.mv.db"));
            assertThat(report.load().requests()).isPositive();
            assertThat(report.load().errors()).isZero();
            assertThat(report.cpuMsPerPay()).isPositive();
            // Two writing transactions per PAY, sharing writes at most as many as there are clients.
            assertThat(report.commitsPerWrite()).isBetween(1.0, 2.0 + 1e-9);
            assertThat(report.fileBytes()).isPositive();
            // What each PAY left in the ledger: the order NOTPAY with its two history lines, the request's
            // record COMPLETE with the answer.
            db.inTransaction(c -> {
                try (java.sql.Statement st = c.createStatement();
                     java.sql.ResultSet rs = st.executeQuery("SELECT (SELECT COUNT(*) FROM payment_order),"
                             + " (SELECT COUNT(*) FROM payment_order WHERE status = 'NOTPAY' AND version = 1),"
                             + " (SELECT COUNT(*) FROM order_history),"
                             + " (SELECT COUNT(*) FROM idempotency_record WHERE state = 'COMPLETE' AND http_status = 200"
                             + " AND response_body LIKE '%\"status\":\"NOTPAY\"%')")) {
                    rs.next();
                    long orders = rs.getLong(1);
                    assertThat(orders).isGreaterThanOrEqualTo(report.load().requests());
                    assertThat(rs.getLong(2)).isEqualTo(orders);
                    assertThat(rs.getLong(3)).isEqualTo(2 * orders);
                    assertThat(rs.getLong(4)).isEqualTo(orders);
                }
                return null;
            });
        }
    }

    private static Map<String, String> post(HttpClient http, FastWechatStub stub, String path, Map<String, String> fields)
            throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stub.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(WechatV2.toXml(fields))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return WechatV2.parseXml(answer.body());
    }
}
