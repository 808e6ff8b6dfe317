package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.TextMessage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider notifications end to end: WeChat pay notifications (signed by the test's own code) →
 * ledger → event on the topic and a signed merchant callback (checked by the test's own HMAC),
 * duplicates, forgeries and malformed bodies, the retry schedule, the dead-letter queue and its
 * replay, and a kill -9 right after the success reply.
 */
class NotifyIT {
    static final String TOKEN = "notify-it-token-00000001";
    static final String KEY = "notifyitkey000000000000000000001";
    static final String SECRET = "notify-it-callback-secret";
    static final String ADMIN = "notify-it-admin-token-01";
    static final String SUCCESS = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dir;
    private static GatewayProcess simulator;
    private static GatewayProcess gateway;
    private static CallbackServer callbacks;
    private static String base;
    private static int brokerPort;

    static Map<String, String> setUp(Path dir, int simPort, int httpPort, int brokerPort, int callbackPort) throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("application.properties"), String.join("\n",
                "gateway.http.host=127.0.0.1",
                "gateway.http.port=" + httpPort,
                "gateway.broker.port=" + brokerPort,
                "gateway.broker.user=merchant-systems",
                "gateway.broker.password=" + JmsIT.CLIENT_PASSWORD,
                "gateway.events.poll-ms=100",
                "gateway.admin.tokens=" + ADMIN,
                "gateway.sandbox.enabled=false", ""));
        Files.writeString(config.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  cb-shop:",
                "    provider: wechat",
                "    apiToken: " + TOKEN,
                "    callbackSecret: " + SECRET,
                "    notifyUrl: http://127.0.0.1:" + callbackPort + "/events",
                "    callbackHosts: [127.0.0.1]",
                "    retrySchedule: [1, 1, 1]",
                "    wechat: {baseUrl: 'http://127.0.0.1:" + simPort + "', appId: wxcb, mchId: '1800', apiKey: " + KEY
                        + ", signType: HMAC-SHA256}", ""));
        return new HashMap<>(Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                "GATEWAY_DATA_DIR", dir.resolve("data").toString()));
    }

    static GatewayProcess startSimulator(Path dir, int simPort) throws Exception {
        return GatewayProcess.wechatSimulator(dir, simPort, "1800:wxcb:" + KEY);
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("notify-it");
        simulator = startSimulator(dir, 0);
        int simPort = simulator.listeningPort("wechat");
        int httpPort = GatewayProcess.freePort();
        brokerPort = GatewayProcess.freePort();
        callbacks = new CallbackServer(SECRET);
        base = "http://127.0.0.1:" + httpPort;
        gateway = GatewayProcess.gateway(dir, setUp(dir, simPort, httpPort, brokerPort, callbacks.port()));
        gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            assertThat(gateway.output()).doesNotContain(KEY).doesNotContain(SECRET).doesNotContain(ADMIN);
            gateway.close();
        }
        if (simulator != null) {
            simulator.close();
        }
        callbacks.close();
    }

    static String pay(String orderId) {
        return "{\"requestId\":\"" + orderId + "-pay\",\"merchant\":\"cb-shop\",\"operation\":\"PAY\",\"orderId\":\"" + orderId
                + "\",\"amount\":500,\"method\":\"SCAN\",\"subject\":\"Rice\"}";
    }

    private static void order(String orderId) throws Exception {
        HttpResponse<String> r = Http.post(base + "/api/v1/payments", TOKEN, pay(orderId));
        assertThat(r.body()).contains("\"NOTPAY\"");
    }

    private static String notification(String orderId, long fee) throws Exception {
        return WechatNotifications.signedXml(WechatNotifications.paid("wxcb", "1800", orderId, fee,
                "42000000002026112200" + Math.abs(orderId.hashCode() % 100000000)), KEY);
    }

    private static HttpResponse<String> notify(String xml) throws Exception {
        return Http.postXml(base + "/notify/wechat/cb-shop", xml);
    }

    private static JsonNode stored(String orderId) throws Exception {
        return JSON.readTree(Http.get(base + "/api/v1/payments/cb-shop/" + orderId, TOKEN).body());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void aNotificationMakesOneEventOnTheTopicAndOneSignedCallback() throws Exception {
        order("NT-0001");
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", JmsIT.CLIENT_PASSWORD)) {
            MessageConsumer topic = c.session.createConsumer(c.session.createTopic("payments.events"), "orderId = 'NT-0001'");
            HttpResponse<String> r = notify(notification("NT-0001", 500));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(SUCCESS);
            Message event = topic.receive(30_000);
            assertThat(event).isNotNull();
            JsonNode e = JSON.readTree(((TextMessage) event).getText());
            assertThat(e.get("type").asText()).isEqualTo("PAYMENT_SUCCEEDED");
            assertThat(e.get("source").asText()).isEqualTo("NOTIFY");
            Schemas.assertValid("PaymentEvent", ((TextMessage) event).getText());

            await("the callback", () -> !callbacks.callsFor("NT-0001").isEmpty());
            CallbackServer.Call call = callbacks.callsFor("NT-0001").get(0);
            assertThat(call.signatureValid()).isTrue();
            assertThat(call.eventId()).isEqualTo(e.get("eventId").asText());
            assertThat(JSON.readTree(call.body())).isEqualTo(e);
        }
        await("the delivery record", () -> {
            try {
                return stored("NT-0001").path("deliveries").size() == 1;
            } catch (Exception ex) {
                return false;
            }
        });
        JsonNode order = stored("NT-0001");
        assertThat(order.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(order.at("/deliveries/0/outcome").asText()).isEqualTo("DELIVERED");
        assertThat(order.at("/deliveries/0/httpStatus").asInt()).isEqualTo(200);
        assertThat(order.get("history").findValuesAsText("source")).containsExactly("REQUEST", "RESPONSE", "NOTIFY");
    }

    @Test
    void duplicatesAlsoConcurrentMakeOneTransitionOneEventOneDelivery() throws Exception {
        order("NT-0002");
        String xml = notification("NT-0002", 500);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Callable<HttpResponse<String>>> copies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                copies.add(() -> notify(xml));
            }
            for (Future<HttpResponse<String>> f : pool.invokeAll(copies)) {
                assertThat(f.get().body()).isEqualTo(SUCCESS);
            }
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < 5; i++) {
            assertThat(notify(xml).body()).isEqualTo(SUCCESS);
        }
        await("the callback", () -> !callbacks.callsFor("NT-0002").isEmpty());
        Thread.sleep(3000);
        assertThat(callbacks.callsFor("NT-0002")).hasSize(1);
        JsonNode order = stored("NT-0002");
        assertThat(order.get("history").findValuesAsText("status")).containsExactly("UNKNOWN", "NOTPAY", "SUCCESS");
    }

    @Test
    void forgedTamperedUnknownAndMalformedNotificationsChangeNothing() throws Exception {
        order("NT-0003");
        String genuine = notification("NT-0003", 500);
        String forged = genuine.replaceAll("<sign><!\\[CDATA\\[[0-9A-F]+", "<sign><![CDATA[" + "0".repeat(64));
        String tampered = genuine.replace("<total_fee><![CDATA[500]]>", "<total_fee><![CDATA[1]]>");
        String wrongAmountSigned = notification("NT-0003", 1);
        String unknownOrder = notification("NT-9999", 500);
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><return_code>SUCCESS</return_code><out_trade_no>&xxe;</out_trade_no></xml>";
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;&lol;&lol;"
                + "&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">]>"
                + "<xml><return_code>&lol2;</return_code></xml>";
        for (String bad : List.of(forged, tampered, wrongAmountSigned, unknownOrder, xxe, laughs)) {
            HttpResponse<String> r = notify(bad);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).startsWith("<xml><return_code><![CDATA[FAIL]]>").doesNotContain("root:");
        }
        HttpResponse<String> big = notify("<xml>" + "x".repeat(20_000) + "</xml>");
        assertThat(big.statusCode()).isEqualTo(413);

        JsonNode order = stored("NT-0003");
        assertThat(order.get("status").asText()).isEqualTo("NOTPAY");
        assertThat(order.get("history").findValuesAsText("status")).containsExactly("UNKNOWN", "NOTPAY");
        assertThat(Http.get(base + "/observe/health", null).statusCode()).isEqualTo(200);
        String metrics = Http.get(base + "/observe/metrics", null).body();
        for (String outcome : List.of("MISMATCH", "REJECTED", "UNKNOWN_ORDER")) {
            assertThat(metrics).containsPattern("(?m)^gateway_notifications_total\\{[^}]*outcome=\"" + outcome
                    + "\",provider=\"wechat\"\\} [1-9]");
        }
        Thread.sleep(1500);
        assertThat(callbacks.callsFor("NT-0003")).isEmpty();

        // The genuine one still goes through afterwards.
        assertThat(notify(genuine).body()).isEqualTo(SUCCESS);
        assertThat(stored("NT-0003").get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void aCallbackThatFailsTwiceThenSucceedsIsRetriedOnTheSchedule() throws Exception {
        callbacks.plans.put("NT-0004", List.of(500, 503, 200));
        order("NT-0004");
        assertThat(notify(notification("NT-0004", 500)).body()).isEqualTo(SUCCESS);
        await("three attempts", () -> callbacks.callsFor("NT-0004").size() >= 3);
        Thread.sleep(2500);
        assertThat(callbacks.callsFor("NT-0004")).hasSize(3);
        await("the delivery records", () -> {
            try {
                return stored("NT-0004").path("deliveries").size() >= 3;
            } catch (Exception ex) {
                return false;
            }
        });
        JsonNode deliveries = stored("NT-0004").get("deliveries");
        assertThat(deliveries.findValuesAsText("outcome")).containsExactly("HTTP_500", "HTTP_503", "DELIVERED");
        assertThat(deliveries.findValues("attempt").stream().map(JsonNode::asInt).toList()).containsExactly(1, 2, 3);
    }

    @Test
    void aCallbackThatAlwaysFailsIsDeadLetteredThenReplayedByAnOperator() throws Exception {
        callbacks.plans.put("NT-0005", List.of(500));
        order("NT-0005");
        assertThat(notify(notification("NT-0005", 500)).body()).isEqualTo(SUCCESS);
        // [1, 1, 1]: four attempts, then the dead-letter queue.
        await("four attempts", () -> callbacks.callsFor("NT-0005").size() >= 4);
        assertThat(Http.get(base + "/admin/deliveries/dead", "not-an-admin-token").statusCode()).isEqualTo(401);
        assertThat(Http.get(base + "/admin/deliveries/dead", TOKEN).statusCode()).isEqualTo(401);
        JsonNode[] dead = new JsonNode[1];
        await("the dead delivery", () -> {
            try {
                for (JsonNode d : JSON.readTree(Http.get(base + "/admin/deliveries/dead", ADMIN).body()).get("deadDeliveries")) {
                    if (d.get("orderId").asText().equals("NT-0005")) {
                        dead[0] = d;
                        return true;
                    }
                }
                return false;
            } catch (Exception ex) {
                return false;
            }
        });
        assertThat(dead[0].get("attempts").asInt()).isEqualTo(4);
        assertThat(dead[0].get("attemptLog")).hasSize(4);
        assertThat(callbacks.callsFor("NT-0005")).hasSize(4);

        callbacks.plans.put("NT-0005", List.of(200));
        HttpResponse<String> replay = Http.post(base + "/admin/deliveries/dead/" + dead[0].get("eventId").asText() + "/replay",
                ADMIN, "");
        assertThat(replay.body()).isEqualTo("{\"replayed\":1}");
        await("the replayed delivery", () -> callbacks.callsFor("NT-0005").size() == 5);
        assertThat(callbacks.callsFor("NT-0005").get(4).signatureValid()).isTrue();

        // An operator can also send an order's last event again.
        HttpResponse<String> resend = Http.post(base + "/admin/orders/cb-shop/NT-0005/resend", ADMIN, "");
        assertThat(resend.statusCode()).isEqualTo(200);
        await("the resent delivery", () -> callbacks.callsFor("NT-0005").size() == 6);
    }

    @Test
    void aNotifyUrlOutsideTheCallbackHostsIsRefused() throws Exception {
        HttpResponse<String> r = Http.post(base + "/api/v1/payments", TOKEN, "{\"requestId\":\"nt-evil\",\"merchant\":\"cb-shop\","
                + "\"operation\":\"PAY\",\"orderId\":\"NT-0006\",\"amount\":1,\"method\":\"SCAN\",\"subject\":\"x\","
                + "\"notifyUrl\":\"http://169.254.169.254/latest/meta-data\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).at("/error/fields/0/field").asText()).isEqualTo("notifyUrl");
    }

    @Test
    void kill9RightAfterTheSuccessReplyStillDeliversTheEvent(@TempDir Path own) throws Exception {
        int httpPort = GatewayProcess.freePort();
        int ownBroker = GatewayProcess.freePort();
        try (CallbackServer cb = new CallbackServer(SECRET);
             GatewayProcess sim = startSimulator(own, 0)) {
            int simPort = sim.listeningPort("wechat");
            Map<String, String> env = setUp(own, simPort, httpPort, ownBroker, cb.port());
            Map<String, String> slowRelay = new HashMap<>(env);
            slowRelay.put("GATEWAY_EVENTS_POLL_MS", "60000");
            String url = "http://127.0.0.1:" + httpPort;
            GatewayProcess first = GatewayProcess.gateway(own, slowRelay);
            first.awaitHealthy(url + "/observe/health", Duration.ofSeconds(60));
            Thread.sleep(1500);
            assertThat(Http.post(url + "/api/v1/payments", TOKEN, pay("NT-K001")).body()).contains("\"NOTPAY\"");
            HttpResponse<String> r = Http.postXml(url + "/notify/wechat/cb-shop", notification("NT-K001", 500));
            assertThat(r.body()).isEqualTo(SUCCESS);
            first.kill9();
            assertThat(cb.callsFor("NT-K001")).isEmpty();

            try (GatewayProcess again = GatewayProcess.gateway(own, env)) {
                again.awaitHealthy(url + "/observe/health", Duration.ofSeconds(60));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (cb.callsFor("NT-K001").isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(cb.callsFor("NT-K001")).hasSize(1);
                assertThat(cb.callsFor("NT-K001").get(0).signatureValid()).isTrue();
            }
        }
    }

    /** A notifyUrl's query string is the merchant's, never options of the gateway's HTTP client. */
    @Test
    void aNotifyUrlQueryStringIsSentAsItIsNotInterpreted() throws Exception {
        int closed = GatewayProcess.freePort();
        String query = "proxyHost=127.0.0.1&proxyPort=" + closed + "&shop=7";
        HttpResponse<String> r = Http.post(base + "/api/v1/payments", TOKEN, "{\"requestId\":\"nt-q\",\"merchant\":\"cb-shop\","
                + "\"operation\":\"PAY\",\"orderId\":\"NT-0007\",\"amount\":500,\"method\":\"SCAN\",\"subject\":\"x\","
                + "\"notifyUrl\":\"http://127.0.0.1:" + callbacks.port() + "/events?" + query + "\"}");
        assertThat(r.body()).contains("\"NOTPAY\"");
        assertThat(notify(notification("NT-0007", 500)).body()).isEqualTo(SUCCESS);
        await("the callback", () -> !callbacks.callsFor("NT-0007").isEmpty());
        assertThat(callbacks.callsFor("NT-0007").get(0).query()).isEqualTo(query);
        assertThat(callbacks.callsFor("NT-0007").get(0).signatureValid()).isTrue();
    }
}
