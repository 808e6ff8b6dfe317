package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar in sandbox mode with {@code gateway.log.format=json}: one payment is followed by
 * its requestId through the log (API entry, provider call, answer, access line, each with its
 * merchant, order and provider), among other requests sent at the same time whose lines never carry
 * it; and the whole log of the run holds none of the configured secrets.
 */
class LogsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "sandbox-demo-token-0001";

    @TempDir
    static Path dir;
    private static GatewayProcess gateway;
    private static String base;
    private static final List<String> SECRETS = new ArrayList<>();
    private static final String REQUEST_ID = "logs-it-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String ORDER_ID = "LOGS-" + UUID.randomUUID().toString().substring(0, 8);
    private static HttpResponse<String> followed;

    @BeforeAll
    static void start() throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        int http = GatewayProcess.freePort();
        int broker = GatewayProcess.freePort();
        int wechat = GatewayProcess.freePort();
        int wechatTls = GatewayProcess.freePort();
        int pooul = GatewayProcess.freePort();
        int ystpay = GatewayProcess.freePort();
        int callbacks = GatewayProcess.freePort(); // nobody listens: callbacks fail and are logged
        String props = Files.readString(GatewayProcess.PROJECT.resolve("config/application.properties"), StandardCharsets.UTF_8)
                .replace("gateway.http.port=8080", "gateway.http.port=" + http)
                .replace("http://127.0.0.1:8080", "http://127.0.0.1:" + http)
                .replace("gateway.broker.port=61616", "gateway.broker.port=" + broker)
                .replace("gateway.sandbox.wechat.port=8091", "gateway.sandbox.wechat.port=" + wechat)
                .replace("gateway.sandbox.wechat.tls-port=8092", "gateway.sandbox.wechat.tls-port=" + wechatTls)
                .replace("gateway.sandbox.pooul.port=8093", "gateway.sandbox.pooul.port=" + pooul)
                + "\ngateway.sandbox.ystpay.port=" + ystpay + "\ngateway.log.format=json\n";
        Files.writeString(config.resolve("application.properties"), props);
        String merchants = Files.readString(GatewayProcess.PROJECT.resolve("config/merchants.yaml"), StandardCharsets.UTF_8)
                .replace("127.0.0.1:8091", "127.0.0.1:" + wechat).replace("127.0.0.1:8092", "127.0.0.1:" + wechatTls)
                .replace("127.0.0.1:8093", "127.0.0.1:" + pooul).replace("127.0.0.1:8094", "127.0.0.1:" + ystpay)
                .replace("127.0.0.1:9099", "127.0.0.1:" + callbacks);
        Files.writeString(config.resolve("merchants.yaml"), merchants);
        SECRETS.addAll(secrets(props, merchants));
        assertThat(SECRETS).as("the configuration's secrets").contains(TOKEN, "sandbox-broker-password", "sandbox-admin-token-0001");

        Map<String, String> env = new HashMap<>(Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                "GATEWAY_DATA_DIR", dir.resolve("data").toString()));
        gateway = GatewayProcess.gateway(dir, env);
        base = "http://127.0.0.1:" + http;
        gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(120));

        // The followed payment among others at the same time, on other threads of the gateway.
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<HttpResponse<String>>> others = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String body = pay("logs-other-" + i + "-" + REQUEST_ID, "LOGS-OTHER-" + i + ORDER_ID.substring(5));
                others.add(pool.submit(() -> Http.post(base + "/api/v1/payments", TOKEN, body)));
            }
            others.add(pool.submit(() -> Http.post(base + "/api/v1/payments", "not-a-token", pay("logs-bad", "LOGS-BAD"))));
            others.add(pool.submit(() -> Http.post(base + "/admin/orders/demo-shop/" + ORDER_ID + "/resend",
                    "sandbox-admin-token-0001", "")));
            followed = Http.post(base + "/api/v1/payments", TOKEN, pay(REQUEST_ID, ORDER_ID));
            for (Future<HttpResponse<String>> f : others) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // The callback of the followed payment's event is attempted (and fails: nobody listens).
        gateway.awaitOutput("callback of event", Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String pay(String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"demo-shop\",\"operation\":\"PAY\",\"orderId\":\"" + orderId
                + "\",\"amount\":1,\"method\":\"MICRO\",\"authCode\":\"134567890123450001\",\"subject\":\"logs\"}";
    }

    @Test
    void onePaymentIsFollowedByItsRequestId() throws Exception {
        assertThat(followed.statusCode()).as(followed.body()).isEqualTo(200);
        assertThat(followed.body()).contains("\"status\":\"SUCCESS\"");
        assertThat(followed.headers().firstValue("X-Request-Id")).contains(REQUEST_ID);

        List<JsonNode> lines = jsonLines();
        List<JsonNode> mine = lines.stream().filter(l -> REQUEST_ID.equals(l.path("requestId").asText())).toList();
        assertThat(mine).extracting(l -> l.path("message").asText())
                .anySatisfy(m -> assertThat(m).startsWith("wechat PAY call: SUCCESS in "))
                .anySatisfy(m -> assertThat(m).isEqualTo("PAY answered 200: SUCCESS (MICRO, 1 fen)"))
                .anySatisfy(m -> assertThat(m).startsWith("POST /api/v1/payments 200 "))
                // Its receipt is a DEBUG line: at INFO a PAY writes the call's line, the answer's and the access line.
                .noneSatisfy(m -> assertThat(m).contains("request received"));
        assertThat(mine).filteredOn(l -> l.path("logger").asText().equals("io.paygate.api.PaymentApi"))
                .extracting(l -> l.path("message").asText()).containsExactly("PAY answered 200: SUCCESS (MICRO, 1 fen)");
        for (JsonNode l : mine) {
            assertThat(l.path("merchant").asText()).as(l.toString()).isEqualTo("demo-shop");
            assertThat(l.path("orderId").asText()).as(l.toString()).isEqualTo(ORDER_ID);
            assertThat(l.path("provider").asText()).as(l.toString()).isEqualTo("wechat");
        }
        JsonNode access = mine.stream().filter(l -> l.path("logger").asText().equals("io.paygate.access")).findFirst().orElseThrow();
        assertThat(access.path("http.method").asText()).isEqualTo("POST");
        assertThat(access.path("http.path").asText()).isEqualTo("/api/v1/payments");
        assertThat(access.path("http.status").asText()).isEqualTo("200");
        assertThat(access.path("durationMs").asLong()).isNotNegative();

        // All of them from the one exchange of this request, none after its access line: the context
        // never stays in a thread for the next exchange that thread runs.
        assertThat(mine.stream().map(l -> l.path("camel.exchangeId").asText()).filter(id -> !id.isEmpty()).distinct())
                .hasSize(1);
        String last = access.path("time").asText();
        assertThat(mine).allSatisfy(l -> assertThat(l.path("time").asText()).isLessThanOrEqualTo(last));
        // Every line about this order is this request's, or a later step's own: the relay and the
        // callback name the order's event (eventId), no other request's id.
        for (JsonNode l : lines) {
            if (ORDER_ID.equals(l.path("orderId").asText()) && !l.path("eventId").isMissingNode()) {
                assertThat(l.path("merchant").asText()).isEqualTo("demo-shop");
            } else if (!ORDER_ID.equals(l.path("orderId").asText()) && l.has("orderId")) {
                assertThat(l.path("requestId").asText()).as(l.toString()).isNotEqualTo(REQUEST_ID);
            }
        }
        assertThat(lines).filteredOn(l -> !l.has("orderId") || !ORDER_ID.equals(l.path("orderId").asText()))
                .noneMatch(l -> REQUEST_ID.equals(l.path("requestId").asText()));
        // The other payments each have their own lines, with their own ids.
        for (int i = 0; i < 5; i++) {
            String other = "logs-other-" + i + "-" + REQUEST_ID;
            String otherOrder = "LOGS-OTHER-" + i + ORDER_ID.substring(5);
            assertThat(lines).filteredOn(l -> other.equals(l.path("requestId").asText()))
                    .isNotEmpty().allSatisfy(l -> assertThat(l.path("orderId").asText()).isEqualTo(otherOrder));
        }
        // The failed callback of the followed payment's event names the event, its merchant and order.
        assertThat(lines).filteredOn(l -> l.path("message").asText().startsWith("callback of event"))
                .anySatisfy(l -> {
                    assertThat(l.path("orderId").asText()).isEqualTo(ORDER_ID);
                    assertThat(l.path("merchant").asText()).isEqualTo("demo-shop");
                    assertThat(l.path("eventId").asText()).isNotEmpty();
                    assertThat(l.path("message").asText()).contains(l.path("eventId").asText());
                });
    }

    @Test
    void aCallersRequestIdIsEchoedAndLogged() throws Exception {
        HttpResponse<String> r = Http.post(base + "/api/v1/payments", TOKEN, "{not json", "X-Request-Id", "probe-4711");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("X-Request-Id")).contains("probe-4711");
        HttpResponse<String> health = Http.get(base + "/observe/health", null);
        String generated = health.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(generated).matches("[0-9a-f]{32}");
        // An id that could forge a line is not taken: a new one is made.
        HttpResponse<String> odd = Http.post(base + "/api/v1/payments", TOKEN, "{}", "X-Request-Id", "a b\"c");
        assertThat(odd.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f]{32}");
        Thread.sleep(500);
        assertThat(jsonLines()).filteredOn(l -> "probe-4711".equals(l.path("requestId").asText()))
                .anySatisfy(l -> {
                    assertThat(l.path("logger").asText()).isEqualTo("io.paygate.access");
                    assertThat(l.path("http.status").asText()).isEqualTo("400");
                    assertThat(l.path("merchant").asText()).isEqualTo("demo-shop");
                });
        assertThat(jsonLines()).anySatisfy(l -> assertThat(l.path("requestId").asText()).isEqualTo(generated));
    }

    @Test
    void theLogHoldsNoSecret() throws Exception {
        String out = gateway.output();
        assertThat(out).contains("\"logger\":\"io.paygate.access\"");
        for (String secret : SECRETS) {
            assertThat(out).as("the log holds a configured secret").doesNotContain(secret);
        }
    }

    /** Every line of the run that is a JSON object; any other line (the JVM's, say) is left out. */
    private static List<JsonNode> jsonLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : gateway.output().split("\n")) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        assertThat(lines).hasSizeGreaterThan(20);
        return lines;
    }

    /** The secret values of the configuration: tokens, keys, passwords, callback secrets. */
    private static Set<String> secrets(String props, String merchants) {
        Set<String> s = new LinkedHashSet<>();
        Matcher p = Pattern.compile("(?m)^gateway\\.[a-z.-]*(password|tokens)=(.+)$").matcher(props);
        while (p.find()) {
            for (String v : p.group(2).split(",")) {
                if (!v.isBlank()) {
                    s.add(v.trim());
                }
            }
        }
        Matcher m = Pattern.compile("(?m)^\\s*(apiToken|callbackSecret|apiKey|key|password|privateKey):\\s*(\\S+)").matcher(merchants);
        while (m.find()) {
            if (!m.group(2).startsWith("${") && !m.group(2).contains("/")) {
                s.add(m.group(2));
            }
        }
        return s;
    }
}
