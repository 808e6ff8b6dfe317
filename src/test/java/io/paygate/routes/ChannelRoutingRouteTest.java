package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantsFile;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One merchant with accounts at two providers, routed by channel (merchants.yaml {@code routing:}):
 * Alipay through Pooul (its sandbox simulator), everything else through the test-only provider
 * testpay. The real routes and beans, through {@code direct:payment-api} and the shipped
 * notification route. An order stays with the provider that took it: after the rules change (the
 * gateway restarted over the same ledger with other rules), its refund still goes to that provider,
 * and a notification from the other provider is refused.
 */
class ChannelRoutingRouteTest extends RouteTestSupport {
    private static final String TOKEN = "routing-two-way-token-01";
    private static final String TOKEN_STRICT = "routing-strict-token-0001";
    private static final String POOUL_ID = "59457accffea0e051b86e685";
    private static final String POOUL_KEY = "classic-md5-key-routing-0001";
    private static final String TESTPAY_KEY = "testpay-key-routing-01";
    private static final String QUERY = "/paygate/merchant_info/query";
    private static final String REFUND = "/paygate/merchant_info/refund";

    private static Path dir;
    private static Fixture fixture;
    private static PooulSimulator pooul;
    private static io.paygate.testpay.TestPayProvider testpay;
    private static HttpServer notifySink;
    private static final BlockingQueue<byte[]> notifications = new LinkedBlockingQueue<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private int requests;

    @BeforeAll
    static void startProviders() throws Exception {
        dir = Files.createTempDirectory("channel-routing");
        pooul = new PooulSimulator(0, List.of(PooulSimulator.Merchant.classic(POOUL_ID, POOUL_KEY)),
                java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair());
        pooul.start();
        testpay = new io.paygate.testpay.TestPayProvider(TESTPAY_KEY);
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
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=http://127.0.0.1:" + notifySink.getAddress().getPort(),
                "gateway.provider.read-timeout=5", ""));
        Files.writeString(dir.resolve("merchants.yaml"), merchants("""
                    routing:
                      - { channel: ALIPAY, provider: pooul }
                      - { provider: testpay }
                """));
        fixture = Fixture.load(dir, 4);
    }

    /** two-way with the given rules and no default provider; strict routes every channel by name. */
    private static String merchants(String twoWayRouting) {
        String sections = "    pooul: {baseUrl: 'http://127.0.0.1:" + pooul.port() + "', merchantId: '" + POOUL_ID
                + "', api: classic, key: " + POOUL_KEY + "}\n"
                + "    testpay: {baseUrl: '" + testpay.baseUrl() + "', key: " + TESTPAY_KEY + "}\n";
        return "merchants:\n"
                + "  two-way:\n"
                + "    apiToken: " + TOKEN + "\n"
                + sections
                + twoWayRouting
                + "  strict:\n"
                + "    apiToken: " + TOKEN_STRICT + "\n"
                + sections
                + "    routing:\n"
                + "      - { channel: ALIPAY, provider: pooul }\n"
                + "      - { channel: WECHAT, provider: testpay }\n"
                + "      - { channel: QQ, provider: pooul }\n"
                + "      - { channel: BESTPAY, provider: testpay }\n";
    }

    @AfterAll
    static void stopProviders() {
        pooul.close();
        testpay.close();
        notifySink.stop(0);
        fixture.close();
    }

    @Override
    protected Fixture fixture() {
        return fixture;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("payment-api.yaml", "provider-operations.yaml", "pooul.yaml", "errors.yaml");
    }

    @Override
    protected List<Resource> extraRoutes() throws IOException {
        return extra(context);
    }

    /** testpay's route file and the notification route entered through direct: instead of the HTTP server. */
    private static List<Resource> extra(CamelContext ctx) throws IOException {
        String notify = Files.readString(Path.of("routes/notify.yaml"))
                .replace("uri: \"platform-http:/notify/{provider}/{merchant}\"", "uri: \"direct:notify-in\"")
                .replace("httpMethodRestrict: POST", "block: true");
        assertThat(notify).contains("direct:notify-in");
        return List.of(ResourceHelper.fromString("notify.yaml", notify),
                ResourceHelper.resolveMandatoryResource(ctx, "classpath:testpay/testpay.yaml"));
    }

    private String rid() {
        return "route-" + System.nanoTime() + "-" + (++requests);
    }

    private String pay(String merchant, String orderId, String extra) {
        return "{\"requestId\":\"" + rid() + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":900,\"subject\":\"Tea\",\"method\":\"SCAN\"" + extra + "}";
    }

    private String op(String operation, String orderId, String extra) {
        return "{\"requestId\":\"" + rid() + "\",\"merchant\":\"two-way\",\"operation\":\"" + operation
                + "\",\"orderId\":\"" + orderId + "\"" + extra + "}";
    }

    private long pooulCalls(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pooul.port()
                + "/sandbox/pooul/stats")).GET().build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(r.body()).path("calls").path(path).asLong();
    }

    private long pooulTotal() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pooul.port()
                + "/sandbox/pooul/stats")).GET().build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(r.body()).path("total").asLong();
    }

    /** The payer pays at the simulated Pooul, which notifies; the notification's raw bytes. */
    private byte[] pooulPays(String orderId) throws Exception {
        notifications.clear();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pooul.port()
                + "/sandbox/pooul/pay?mch_trade_id=" + orderId)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        byte[] notice = notifications.poll(10, TimeUnit.SECONDS);
        assertThat(notice).as("Pooul's notification").isNotNull();
        return notice;
    }

    private Exchange notify(ProducerTemplate t, String provider, byte[] body) {
        return t.send("direct:notify-in", e -> {
            e.getMessage().setHeader("provider", provider);
            e.getMessage().setHeader("merchant", "two-way");
            e.getMessage().setBody(body);
        });
    }

    @Test
    void oneMerchantsChannelsGoToTwoProviders() throws Exception {
        long pooulBefore = pooulTotal();
        int testpayBefore = testpay.seen.size();
        Answer alipay = call(TOKEN, pay("two-way", "RT-ALI-1", ",\"channel\":\"ALIPAY\""));
        assertThat(alipay.status()).as(alipay.raw()).isEqualTo(200);
        assertThat(alipay.at("/provider")).isEqualTo("pooul");
        assertThat(alipay.at("/action/codeUrl")).startsWith("https://qr.alipay.com/");
        assertThat(pooulTotal()).isEqualTo(pooulBefore + 1);
        assertThat(testpay.seen).hasSize(testpayBefore);

        Answer wechat = call(TOKEN, pay("two-way", "RT-WX-1", ",\"channel\":\"WECHAT\""));
        assertThat(wechat.status()).as(wechat.raw()).isEqualTo(200);
        assertThat(wechat.at("/provider")).isEqualTo("testpay");
        assertThat(wechat.at("/status")).isEqualTo("NOTPAY");
        assertThat(testpay.seen).hasSize(testpayBefore + 1);
        assertThat(pooulTotal()).isEqualTo(pooulBefore + 1);

        assertThat(beans.ledger().find("two-way", "RT-ALI-1").orElseThrow().provider()).isEqualTo("pooul");
        assertThat(beans.ledger().find("two-way", "RT-WX-1").orElseThrow().provider()).isEqualTo("testpay");

        // A follow-up goes to the order's provider: the QUERY of the Alipay order reaches Pooul.
        long queries = pooulCalls(QUERY);
        Answer q = call(TOKEN, op("QUERY", "RT-ALI-1", ""));
        assertThat(q.at("/provider")).isEqualTo("pooul");
        assertThat(q.at("/status")).isEqualTo("NOTPAY");
        assertThat(pooulCalls(QUERY)).isEqualTo(queries + 1);
        // Naming another provider for an order is a field error, not a call to the wrong provider.
        Answer wrong = call(TOKEN, op("QUERY", "RT-ALI-1", ",\"provider\":\"testpay\""));
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.at("/error/code")).isEqualTo("INVALID_REQUEST");
        assertThat(wrong.at("/error/fields/0/field")).isEqualTo("provider");
        assertThat(wrong.at("/error/fields/0/reason")).contains("taken by provider pooul");
    }

    @Test
    void aPaymentNoRuleMatchesIsAFieldError() throws Exception {
        long pooulBefore = pooulTotal();
        int testpayBefore = testpay.seen.size();
        Answer none = call(TOKEN_STRICT, pay("strict", "RT-NONE-1", ""));
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.at("/error/code")).isEqualTo("INVALID_REQUEST");
        assertThat(none.at("/error/fields/0/field")).isEqualTo("channel");
        assertThat(none.at("/error/fields/0/reason")).contains("routes payments by channel");
        assertThat(beans.ledger().find("strict", "RT-NONE-1")).isEmpty();
        Answer unknownOrder = call(TOKEN_STRICT, "{\"requestId\":\"" + rid() + "\",\"merchant\":\"strict\","
                + "\"operation\":\"QUERY\",\"orderId\":\"RT-NEVER\"}");
        assertThat(unknownOrder.status()).isEqualTo(400);
        assertThat(unknownOrder.at("/error/fields/0/field")).isEqualTo("provider");
        assertThat(pooulTotal()).isEqualTo(pooulBefore);
        assertThat(testpay.seen).hasSize(testpayBefore);
        // With the channel named it is routed.
        Answer qq = call(TOKEN_STRICT, pay("strict", "RT-QQ-1", ",\"channel\":\"WECHAT\""));
        assertThat(qq.at("/provider")).isEqualTo("testpay");
    }

    @Test
    void aNotificationFromAnotherProviderThanTheOrdersIsRefused() throws Exception {
        // Pooul knows an order RT-N-1 (paid under the strict merchant, the same Pooul account) while
        // two-way's RT-N-1 was taken by testpay: Pooul's genuine notification must not move it.
        assertThat(call(TOKEN, pay("two-way", "RT-N-1", ",\"channel\":\"WECHAT\"")).at("/provider")).isEqualTo("testpay");
        assertThat(call(TOKEN_STRICT, pay("strict", "RT-N-1", ",\"channel\":\"ALIPAY\"")).at("/provider")).isEqualTo("pooul");
        byte[] notice = pooulPays("RT-N-1");

        Exchange refused = notify(template, "pooul", notice);
        assertThat(refused.getProperty("gatewayHttpStatus", Integer.class)).isEqualTo(400);
        assertThat(refused.getProperty("notifyOutcome", String.class)).isEqualTo("UNKNOWN_ORDER");
        assertThat(beans.ledger().find("two-way", "RT-N-1").orElseThrow().status().name()).isEqualTo("NOTPAY");

        // The same notification for an order Pooul did take is applied (the check is not blanket).
        assertThat(call(TOKEN, pay("two-way", "RT-N-2", ",\"channel\":\"ALIPAY\"")).at("/provider")).isEqualTo("pooul");
        Exchange applied = notify(template, "pooul", pooulPays("RT-N-2"));
        assertThat(applied.getProperty("gatewayHttpStatus", Integer.class)).isEqualTo(200);
        assertThat(beans.ledger().find("two-way", "RT-N-2").orElseThrow().status().name()).isEqualTo("SUCCESS");
    }

    @Test
    void anOrderKeepsItsProviderWhenTheRulesChange() throws Exception {
        Answer paid = call(TOKEN, pay("two-way", "RT-R-1", ",\"channel\":\"ALIPAY\""));
        assertThat(paid.at("/provider")).isEqualTo("pooul");
        assertThat(notify(template, "pooul", pooulPays("RT-R-1")).getProperty("gatewayHttpStatus", Integer.class))
                .isEqualTo(200);

        // The gateway again over the same ledger, now sending Alipay to testpay.
        CamelContext changed = restartedWith(merchants("""
                    routing:
                      - { channel: ALIPAY, provider: testpay }
                      - { provider: testpay }
                """));
        try {
            ProducerTemplate t = changed.createProducerTemplate();
            long refundsBefore = pooulCalls(REFUND);
            int testpayBefore = testpay.seen.size();
            Answer refund = call(t, TOKEN, op("REFUND", "RT-R-1", ",\"refund\":{\"refundId\":\"RT-R-1-r1\",\"amount\":300}"));
            assertThat(refund.body().has("error")).as(refund.raw()).isFalse();
            assertThat(refund.at("/provider")).isEqualTo("pooul");
            assertThat(refund.at("/refunds/0/status")).isEqualTo("SUCCESS");
            assertThat(testpay.seen).as("testpay has no refunds and never saw this one").hasSize(testpayBefore);
            assertThat(pooulCalls(REFUND)).as("the refund went to Pooul, which took the order").isEqualTo(refundsBefore + 1);

            // A new Alipay payment follows the new rule.
            Answer next = call(t, TOKEN, pay("two-way", "RT-R-2", ",\"channel\":\"ALIPAY\""));
            assertThat(next.at("/provider")).isEqualTo("testpay");
            assertThat(testpay.seen).hasSize(testpayBefore + 1);
            // And a QUERY of the old order still goes to Pooul.
            long queries = pooulCalls(QUERY);
            assertThat(call(t, TOKEN, op("QUERY", "RT-R-1", "")).at("/provider")).isEqualTo("pooul");
            assertThat(pooulCalls(QUERY)).isEqualTo(queries + 1);
            assertThat(testpay.seen).hasSize(testpayBefore + 1);
        } finally {
            changed.stop();
        }
    }

    /** A second gateway over the same ledger (database) and settings, with another merchants.yaml. */
    private CamelContext restartedWith(String merchantsYaml) throws Exception {
        Path other = Files.createTempDirectory("channel-routing-changed");
        Files.copy(dir.resolve("application.properties"), other.resolve("application.properties"));
        Files.writeString(other.resolve("merchants.yaml"), merchantsYaml);
        Map<String, String> env = Map.of("GATEWAY_CONFIG_DIR", other.toString(), "GATEWAY_DATA_DIR",
                dir.resolve("data").toString(), "GATEWAY_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        GatewaySettings settings = GatewaySettings.load(env, new Properties());
        MerchantDirectory merchants = MerchantsFile.load(settings.configDir(), settings.dataDir(), env);
        CamelContext ctx = new DefaultCamelContext();
        bindGateway(ctx, new Fixture(other, settings, merchants, fixture.db(), null));
        loadRoutes(ctx, Path.of("routes"), routeFiles(), extra(ctx));
        ctx.start();
        return ctx;
    }

    private Answer call(ProducerTemplate t, String token, String body) throws IOException {
        Exchange ex = t.send("direct:payment-api", e -> {
            e.getMessage().setHeader("Authorization", "Bearer " + token);
            e.getMessage().setHeader("Content-Type", "application/json");
            e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        });
        assertThat(ex.getException()).isNull();
        Integer status = ex.getProperty("gatewayHttpStatus", Integer.class);
        String raw = ex.getMessage().getBody(String.class);
        return new Answer(status == null ? 200 : status, json.readTree(raw), raw);
    }
}
