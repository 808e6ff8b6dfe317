package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM with a barcode payment in flight (the sandbox payer types the password only at the
 * second order query, ~15 s after the charge): health turns DOWN at once, new work is refused and
 * reaches no provider, the payment in flight gets its final answer, and the process exits 0. A JMS
 * request still running when the drain time ends is rolled back to the broker and, after the
 * restart, answered once without a second PAY.
 */
class GracefulStopIT {
    private static final String TOKEN = "sandbox-demo-token-0001";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sigtermDrainsTheBarcodePaymentInFlightRefusesNewWorkAndExitsZero(@TempDir Path dir) throws Exception {
        FreeSandbox sandbox = FreeSandbox.config(GatewayProcess.PROJECT.resolve("config"), dir.resolve("config"));
        Map<String, String> env = new LinkedHashMap<>(sandbox.env());
        env.put("GATEWAY_CONFIG_DIR", dir.resolve("config").toString());
        env.put("GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString());
        env.put("GATEWAY_DATA_DIR", dir.resolve("data").toString());
        env.put("GATEWAY_SHUTDOWN_DRAIN_SECONDS", "45");
        String base = sandbox.base();

        try (GatewayProcess gateway = GatewayProcess.gateway(dir, env)) {
            gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(120));
            // auth_code ending 0000: USERPAYING, paid at the second /pay/orderquery (poll-delay 5 s, interval 10 s).
            CompletableFuture<HttpResponse<String>> pay = HTTP.sendAsync(payment(base, "gs-1", "GS-0001",
                    "\"method\":\"MICRO\",\"authCode\":\"134567890123450000\""), HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (calls(sandbox, "/pay/micropay") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(calls(sandbox, "/pay/micropay")).as(gateway.output()).isEqualTo(1);
            assertThat(pay).isNotDone();

            long termAt = System.nanoTime();
            gateway.sigterm();
            int health = awaitRefused(HttpRequest.newBuilder(URI.create(base + "/observe/health")).timeout(Duration.ofSeconds(5)).build(),
                    Duration.ofSeconds(10));
            assertThat(health).as("health soon after SIGTERM").isIn(503, -1);
            assertThat(pay).as("the barcode payment is still waiting for the payer").isNotDone();
            // New work is refused and reaches no provider.
            int fresh = statusOrRefused(payment(base, "gs-2", "GS-0002", "\"method\":\"SCAN\""));
            assertThat(fresh).as("a new request after SIGTERM").isIn(503, -1);
            assertThat(calls(sandbox, "/pay/unifiedorder")).isZero();
            assertThat(pay).isNotDone();

            HttpResponse<String> answer = pay.get(60, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            JsonNode result = JSON.readTree(answer.body());
            assertThat(result.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(result.get("paidAmount").asLong()).isEqualTo(500);

            assertThat(gateway.awaitExit(Duration.ofSeconds(60))).as(gateway.output()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - termAt)).isLessThan(Duration.ofSeconds(45 + 15));
            assertThat(gateway.output()).contains("SIGTERM: health answers DOWN")
                    .doesNotContain("Forcing the routes to be shutdown now");
            // Lines are written by an asynchronous appender: the ones logged during the drain and
            // at the very end of the stop are all in the output (the jar shuts the logging down,
            // which writes its queue, before it exits).
            assertThat(gateway.output()).contains("PAY answered 200: SUCCESS (MICRO, 500 fen)")
                    .containsPattern("Apache Camel \\S+ \\(payment-gateway\\) shutdown in");
        }

        // The next start finds the drained payment recorded, and nothing of the refused one.
        try (GatewayProcess again = GatewayProcess.gateway(dir, env)) {
            again.awaitHealthy(base + "/observe/health", Duration.ofSeconds(120));
            JsonNode order = JSON.readTree(Http.get(base + "/api/v1/payments/demo-shop/GS-0001", TOKEN).body());
            assertThat(order.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(Http.get(base + "/api/v1/payments/demo-shop/GS-0002", TOKEN).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aJmsRequestStillRunningWhenTheDrainEndsRollsBackAndIsAnsweredOnceAfterTheRestart(@TempDir Path dir) throws Exception {
        FreeSandbox sandbox = FreeSandbox.config(GatewayProcess.PROJECT.resolve("config"), dir.resolve("config"));
        Map<String, String> env = new LinkedHashMap<>(sandbox.env());
        env.put("GATEWAY_CONFIG_DIR", dir.resolve("config").toString());
        env.put("GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString());
        env.put("GATEWAY_DATA_DIR", dir.resolve("data").toString());
        env.put("GATEWAY_SHUTDOWN_DRAIN_SECONDS", "3");
        String base = sandbox.base();
        String corr = "drain-" + java.util.UUID.randomUUID();

        try (GatewayProcess gateway = GatewayProcess.gateway(dir, env)) {
            gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(120));
            // The provider takes 30 s to answer this PAY: longer than the drain.
            assertThat(Http.postEmpty(sandbox.simulator() + "/sandbox/wechat/faults?delay_ms=30000&count=1").statusCode())
                    .isEqualTo(200);
            try (JmsClient c = new JmsClient(sandbox.broker, "gateway", "sandbox-broker-password")) {
                jakarta.jms.TextMessage m = c.session.createTextMessage("{\"requestId\":\"drain-1\",\"merchant\":\"demo-shop\","
                        + "\"operation\":\"PAY\",\"orderId\":\"GS-JMS-0001\",\"amount\":300,\"method\":\"SCAN\",\"subject\":\"Noodles\"}");
                m.setStringProperty("Authorization", "Bearer " + TOKEN);
                m.setJMSCorrelationID(corr);
                c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (calls(sandbox, "/pay/unifiedorder") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(calls(sandbox, "/pay/unifiedorder")).as(gateway.output()).isEqualTo(1);
            long termAt = System.nanoTime();
            gateway.sigterm();
            assertThat(gateway.awaitExit(Duration.ofSeconds(60))).as(gateway.output()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - termAt)).as("stopped after the drain, not after the provider")
                    .isLessThan(Duration.ofSeconds(25));
            assertThat(gateway.output()).contains("Forcing the routes to be shutdown now");
        }

        env.put("GATEWAY_SHUTDOWN_DRAIN_SECONDS", "30");
        try (GatewayProcess again = GatewayProcess.gateway(dir, env)) {
            again.awaitHealthy(base + "/observe/health", Duration.ofSeconds(120));
            try (JmsClient c = new JmsClient(sandbox.broker, "gateway", "sandbox-broker-password")) {
                jakarta.jms.MessageConsumer results = c.session.createConsumer(c.session.createQueue("payments.results"),
                        "JMSCorrelationID = '" + corr + "'");
                jakarta.jms.Message reply = results.receive(60_000);
                assertThat(reply).as(again.output()).isNotNull();
                JsonNode r = JSON.readTree(((jakarta.jms.TextMessage) reply).getText());
                assertThat(r.get("requestId").asText()).isEqualTo("drain-1");
                assertThat(r.get("operation").asText()).isEqualTo("PAY");
                assertThat(results.receive(3000)).as("a second answer").isNull();
            }
            // The redelivered request was taken over as cut off: a WeChat SCAN PAY is sent again, once
            // (the same out_trade_no and terms are the same order at WeChat; docs/contract.md,
            // idempotency), and the one answer is that order's (this simulator's count starts at 0).
            assertThat(calls(sandbox, "/pay/unifiedorder")).isEqualTo(1);
            assertThat(again.output()).contains("resolving it by sending it again");
            JsonNode order = JSON.readTree(Http.get(base + "/api/v1/payments/demo-shop/GS-JMS-0001", TOKEN).body());
            assertThat(order.get("amount").asLong()).isEqualTo(300);
        }
    }

    private static HttpRequest payment(String base, String requestId, String orderId, String method) {
        String body = "{\"requestId\":\"" + requestId + "\",\"merchant\":\"demo-shop\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":500,\"subject\":\"Sandwich\"," + method + "}";
        return HttpRequest.newBuilder(URI.create(base + "/api/v1/payments")).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** The answer's status code, or -1 when the connection is refused. */
    private static int statusOrRefused(HttpRequest request) throws Exception {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (ConnectException e) {
            return -1;
        }
    }

    /** Asks until the answer is not 200 (or the port refuses): that status, or -1. */
    private static int awaitRefused(HttpRequest request, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int status = statusOrRefused(request);
        while (status == 200 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = statusOrRefused(request);
        }
        return status;
    }

    private static long calls(FreeSandbox sandbox, String path) throws Exception {
        JsonNode stats = JSON.readTree(Http.get(sandbox.simulator() + "/sandbox/wechat/stats", null).body());
        return stats.path("calls").path(path).asLong();
    }
}
