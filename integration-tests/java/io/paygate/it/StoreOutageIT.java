package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.store.TestStore;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL ledger becomes unreachable under a running gateway: the health check goes DOWN
 * and a request is answered 503 with the retryable error object within seconds (not held until
 * the client gives up); once the database is back, health is UP and the same request succeeds,
 * so nothing of the failed attempt was half-written. Only with the tests on PostgreSQL
 * ({@code -Ppostgres}): the test takes a database of its own and refuses connections to it
 * ({@code ALLOW_CONNECTIONS false} and its sessions terminated), never stopping the server.
 */
class StoreOutageIT {
    private static final String TOKEN = "outage-it-token-00000001";
    private static final String KEY = "outageitkey000000000000000000001";
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void anUnreachableStoreIsDownAndAnswers503ThenRecovers(@TempDir Path dir) throws Exception {
        assumeTrue(TestStore.external(), "runs with the tests on PostgreSQL (-Ppostgres)");
        int httpPort = GatewayProcess.freePort();
        int brokerPort = GatewayProcess.freePort();
        String base = "http://127.0.0.1:" + httpPort;
        try (TestStore store = TestStore.freshDatabase();
             GatewayProcess simulator = GatewayProcess.wechatSimulator(dir, 0, "1950:wxoutage:" + KEY)) {
            Path config = configure(dir, simulator.listeningPort("wechat"), httpPort, brokerPort);
            Map<String, String> env = new HashMap<>(store.gatewayEnv());
            env.putAll(Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                    "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                    "GATEWAY_DATA_DIR", dir.resolve("data").toString()));
            try (GatewayProcess gateway = GatewayProcess.gateway(dir, env)) {
                gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(90));
                assertThat(pay(base, "out-1", "OUT-0001").statusCode()).isEqualTo(200);

                cut(store);
                try {
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    HttpResponse<String> health;
                    do {
                        health = Http.get(base + "/observe/health", null);
                    } while (health.statusCode() == 200 && System.nanoTime() < deadline);
                    assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
                    assertThat(json.readTree(health.body()).path("checks").path("store").asText()).isEqualTo("DOWN");

                    long start = System.nanoTime();
                    HttpResponse<String> refused = pay(base, "out-2", "OUT-0002");
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                    JsonNode error = json.readTree(refused.body()).path("error");
                    assertThat(error.path("retryable").asBoolean()).as(refused.body()).isTrue();
                    assertThat(error.path("code").asText()).isNotEmpty();
                    // the wait for a connection is bounded by gateway.store.connect-timeout (2 s here),
                    // with a generous margin for a loaded machine
                    assertThat(took).isLessThan(Duration.ofSeconds(15));
                    assertThat(refused.body()).doesNotContain("postgres").doesNotContain(store.database());
                } finally {
                    restore(store);
                }

                gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
                // The refused request left nothing behind: sent again, it is a new PAY that succeeds.
                HttpResponse<String> again = pay(base, "out-2", "OUT-0002");
                assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
                assertThat(json.readTree(again.body()).path("status").asText()).isEqualTo("NOTPAY");
                assertThat(gateway.output()).doesNotContain(KEY);
            }
        }
    }

    private HttpResponse<String> pay(String base, String requestId, String orderId) throws Exception {
        return Http.post(base + "/api/v1/payments", TOKEN, "{\"requestId\":\"" + requestId
                + "\",\"merchant\":\"outage-shop\",\"operation\":\"PAY\",\"orderId\":\"" + orderId
                + "\",\"amount\":1200,\"method\":\"SCAN\",\"subject\":\"Tea\"}");
    }

    /** No new session may open on the test's database, and those open are ended (the server keeps running). */
    private static void cut(TestStore store) {
        TestStore.execute("ALTER DATABASE " + store.database() + " ALLOW_CONNECTIONS false");
        TestStore.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                + store.database() + "' AND pid <> pg_backend_pid()");
    }

    private static void restore(TestStore store) {
        TestStore.execute("ALTER DATABASE " + store.database() + " ALLOW_CONNECTIONS true");
    }

    /** The gateway's config directory in {@code dir}. */
    private static Path configure(Path dir, int simPort, int httpPort, int brokerPort) throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("application.properties"), String.join("\n",
                "gateway.http.host=127.0.0.1",
                "gateway.http.port=" + httpPort,
                "gateway.broker.host=127.0.0.1",
                "gateway.broker.port=" + brokerPort,
                "gateway.store.connect-timeout=2",
                "gateway.sandbox.enabled=false", ""));
        Files.writeString(config.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  outage-shop:",
                "    provider: wechat",
                "    apiToken: " + TOKEN,
                "    wechat: {baseUrl: 'http://127.0.0.1:" + simPort + "', appId: wxoutage, mchId: '1950', apiKey: "
                        + KEY + "}", ""));
        return config;
    }
}
