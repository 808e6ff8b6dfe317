package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 and restart: a replayed request gets the same body without a second provider call,
 * and the order and its history survive. The WeChat simulator runs as its own process, so its
 * call counter outlives the gateway.
 */
class RestartIT {
    private static final String TOKEN = "restart-it-token-0000001";
    private static final String KEY = "restartitkey00000000000000000001";
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aReplayAfterKill9ReturnsTheSameBodyAndTheProviderIsNotCalledAgain(@TempDir Path dir) throws Exception {
        int httpPort = GatewayProcess.freePort();
        String base = "http://127.0.0.1:" + httpPort;
        String pay = "{\"requestId\":\"restart-1\",\"merchant\":\"restart-shop\",\"operation\":\"PAY\","
                + "\"orderId\":\"RS-0001\",\"amount\":2500,\"method\":\"SCAN\",\"subject\":\"Tea\"}";

        try (GatewayProcess simulator = GatewayProcess.wechatSimulator(dir, 0, "1900:wxrestart:" + KEY)) {
            int simPort = simulator.listeningPort("wechat");
            String sim = "http://127.0.0.1:" + simPort;
            Map<String, String> env = configure(dir, simPort, httpPort);

            String first;
            long callsBefore;
            GatewayProcess gateway = GatewayProcess.gateway(dir, env);
            try {
                gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
                HttpResponse<String> r = Http.post(base + "/api/v1/payments", TOKEN, pay, "X-Trace-Me", "echo-check");
                assertThat(r.statusCode()).isEqualTo(200);
                // Answers carry only documented headers (X-Request-Id: the id of the request's log lines, the
                // payment's own requestId here): nothing of the request comes back.
                assertThat(r.headers().map().keySet()).allSatisfy(h ->
                        assertThat(h.toLowerCase()).isIn(":status", "content-type", "content-length", "transfer-encoding",
                                "x-request-id"));
                assertThat(r.headers().firstValue("X-Request-Id")).hasValue("restart-1");
                assertThat(r.headers().map().toString()).doesNotContain("echo-check").doesNotContain(TOKEN);
                HttpResponse<String> unknown = Http.get(base + "/no/such/path", null);
                assertThat(unknown.statusCode()).isEqualTo(404);
                assertThat(unknown.body()).startsWith("{\"error\":");
                HttpResponse<String> unauthorized = Http.post(base + "/api/v1/payments", "wrong-token-0000000000", pay);
                assertThat(unauthorized.statusCode()).isEqualTo(401);
                assertThat(unauthorized.body()).contains("UNAUTHORIZED").doesNotContain("wrong-token");
                first = r.body();
                assertThat(json.readTree(first).get("status").asText()).isEqualTo("NOTPAY");
                callsBefore = calls(sim);
                assertThat(callsBefore).isEqualTo(1);
            } finally {
                gateway.kill9();
            }
            assertThat(gateway.output()).doesNotContain(KEY);

            try (GatewayProcess again = GatewayProcess.gateway(dir, env)) {
                again.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
                HttpResponse<String> replay = Http.post(base + "/api/v1/payments", TOKEN, pay);
                assertThat(replay.statusCode()).isEqualTo(200);
                assertThat(replay.body()).isEqualTo(first);
                assertThat(calls(sim)).isEqualTo(callsBefore);

                JsonNode order = json.readTree(Http.get(base + "/api/v1/payments/restart-shop/RS-0001", TOKEN).body());
                assertThat(order.get("status").asText()).isEqualTo("NOTPAY");
                assertThat(order.get("amount").asLong()).isEqualTo(2500);
                assertThat(order.get("history").findValuesAsText("status")).containsExactly("UNKNOWN", "NOTPAY");
                assertThat(order.get("history").findValuesAsText("source")).containsExactly("REQUEST", "RESPONSE");

                // The gateway learns of the payment through QUERY after the restart too.
                assertThat(Http.postEmpty(sim + "/sandbox/wechat/pay?out_trade_no=RS-0001").statusCode()).isEqualTo(200);
                HttpResponse<String> q = Http.post(base + "/api/v1/payments", TOKEN, "{\"requestId\":\"restart-2\","
                        + "\"merchant\":\"restart-shop\",\"operation\":\"QUERY\",\"orderId\":\"RS-0001\"}");
                assertThat(json.readTree(q.body()).get("status").asText()).isEqualTo("SUCCESS");
                assertThat(again.output()).doesNotContain(KEY).doesNotContain(TOKEN);
            }
        }
    }

    private long calls(String sim) throws Exception {
        return json.readTree(Http.get(sim + "/sandbox/wechat/stats", null).body()).get("total").asLong();
    }

    /** The gateway's config directory in {@code dir}, and the environment that overrides it. */
    private static Map<String, String> configure(Path dir, int simPort, int httpPort) throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("application.properties"), String.join("\n",
                "gateway.http.host=127.0.0.1",
                "gateway.http.port=1",
                "gateway.broker.port=0",
                "gateway.sandbox.enabled=false", ""));
        Files.writeString(config.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  restart-shop:",
                "    provider: wechat",
                "    apiToken: " + TOKEN,
                "    wechat:",
                "      baseUrl: http://127.0.0.1:" + simPort,
                "      appId: wxrestart",
                "      mchId: '1900'",
                "      apiKey: ${env:RESTART_SHOP_WECHAT_KEY}", ""));
        // The port in the file is wrong on purpose: the environment overrides it.
        return Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                "GATEWAY_DATA_DIR", dir.resolve("data").toString(),
                "GATEWAY_HTTP_PORT", Integer.toString(httpPort),
                "RESTART_SHOP_WECHAT_KEY", KEY);
    }
}
