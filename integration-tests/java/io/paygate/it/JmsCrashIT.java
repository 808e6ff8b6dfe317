package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes on the message bus: the gateway killed with a request in flight, and halted between the
 * ledger's commit of an event and its publication (and between publication and the mark). The
 * broker is embedded, so it dies with the gateway and comes back from its journal.
 */
class JmsCrashIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRequestInFlightAtKill9IsAnsweredOnceAndThePayIsSentAtMostOnce(@TempDir Path dir) throws Exception {
        int httpPort = GatewayProcess.freePort();
        int brokerPort = GatewayProcess.freePort();
        String base = "http://127.0.0.1:" + httpPort;
        try (GatewayProcess simulator = JmsIT.startSimulator(dir, 0)) {
            int simPort = simulator.listeningPort("wechat");
            String sim = "http://127.0.0.1:" + simPort;
            Map<String, String> env = JmsIT.setUp(dir, simPort, httpPort, brokerPort, Map.of());
            GatewayProcess gateway = GatewayProcess.gateway(dir, env);
            gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
            // The provider takes 5 s to answer this PAY: the gateway dies meanwhile.
            assertThat(Http.postEmpty(sim + "/sandbox/wechat/faults?delay_ms=5000&count=1").statusCode()).isEqualTo(200);
            String corr = "crash-" + UUID.randomUUID();
            try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", JmsIT.CLIENT_PASSWORD)) {
                TextMessage m = c.session.createTextMessage(JmsIT.pay("crash-1", "CRASH-0001"));
                m.setStringProperty("Authorization", "Bearer " + JmsIT.TOKEN);
                m.setJMSCorrelationID(corr);
                c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (unifiedOrders(sim) < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(unifiedOrders(sim)).isEqualTo(1);
            } catch (jakarta.jms.JMSException ignored) {
                // the client's connection dies with the broker
            }
            gateway.kill9();

            try (GatewayProcess again = GatewayProcess.gateway(dir, env)) {
                again.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
                try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", JmsIT.CLIENT_PASSWORD)) {
                    MessageConsumer results = c.session.createConsumer(c.session.createQueue("payments.results"),
                            "JMSCorrelationID = '" + corr + "'");
                    Message reply = results.receive(60_000);
                    assertThat(reply).as(again.output()).isNotNull();
                    JsonNode r = JSON.readTree(((TextMessage) reply).getText());
                    assertThat(r.get("requestId").asText()).isEqualTo("crash-1");
                    assertThat(r.get("operation").asText()).isEqualTo("PAY");
                    // A cut-off WeChat PAY is sent again: unifiedorder answers the same out_trade_no and
                    // terms with the same order, which the buyer pays once (docs/contract.md).
                    assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("NOTPAY");
                    assertThat(r.at("/action/codeUrl").asText()).isNotEmpty();
                    assertThat(results.receive(3000)).as("a second answer").isNull();
                }
                // The first PAY reached the provider; the restarted gateway sent it once more, and no more.
                assertThat(unifiedOrders(sim)).isEqualTo(2);
                JsonNode order = JSON.readTree(Http.get(base + "/api/v1/payments/jms-shop/CRASH-0001", JmsIT.TOKEN).body());
                assertThat(order.get("amount").asLong()).isEqualTo(300);
            }
        }
    }

    @Test
    void anEventCommittedButNotSentArrivesAfterTheRestart(@TempDir Path dir) throws Exception {
        eventSurvivesAHaltInTheRelay(dir, "before-send", 99);
    }

    @Test
    void anEventSentButNotMarkedArrivesOnceAfterTheRestart(@TempDir Path dir) throws Exception {
        eventSurvivesAHaltInTheRelay(dir, "after-send", 98);
    }

    private void eventSurvivesAHaltInTheRelay(Path dir, String haltAt, int exitCode) throws Exception {
        int httpPort = GatewayProcess.freePort();
        int brokerPort = GatewayProcess.freePort();
        String base = "http://127.0.0.1:" + httpPort;
        try (GatewayProcess simulator = JmsIT.startSimulator(dir, 0)) {
            int simPort = simulator.listeningPort("wechat");
            String sim = "http://127.0.0.1:" + simPort;
            // Crash injection is a sandbox-mode setting; the in-process simulators get any free port.
            Map<String, String> faulty = JmsIT.setUp(dir, simPort, httpPort, brokerPort, Map.of("GATEWAY_FAULTS_HALT_IN_RELAY", haltAt,
                    "GATEWAY_SANDBOX_ENABLED", "true", "GATEWAY_SANDBOX_WECHAT_PORT", "0", "GATEWAY_SANDBOX_WECHAT_TLS_PORT", "0",
                    "GATEWAY_SANDBOX_POOUL_PORT", "0", "GATEWAY_SANDBOX_YSTPAY_PORT", "0"));
            Map<String, String> healthy = JmsIT.setUp(dir, simPort, httpPort, brokerPort, Map.of());
            GatewayProcess gateway = GatewayProcess.gateway(dir, faulty);
            gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
            assertThat(Http.post(base + "/api/v1/payments", JmsIT.TOKEN, JmsIT.pay("halt-1", "HALT-0001")).statusCode()).isEqualTo(200);
            assertThat(Http.postEmpty(sim + "/sandbox/wechat/pay?out_trade_no=HALT-0001").statusCode()).isEqualTo(200);
            try {
                Http.post(base + "/api/v1/payments", JmsIT.TOKEN, JmsIT.query("halt-2", "HALT-0001"));
            } catch (java.io.IOException e) {
                // the JVM may halt before the answer is written
            }
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isEqualTo(exitCode);

            try (GatewayProcess again = GatewayProcess.gateway(dir, healthy)) {
                again.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
                try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", JmsIT.CLIENT_PASSWORD)) {
                    MessageConsumer mine = c.session.createConsumer(
                            c.session.createQueue("payments.events::payments.events.jms-shop"), "orderId = 'HALT-0001'");
                    Message event = mine.receive(30_000);
                    assertThat(event).as(again.output()).isNotNull();
                    JsonNode e = JSON.readTree(((TextMessage) event).getText());
                    assertThat(e.get("type").asText()).isEqualTo("PAYMENT_SUCCEEDED");
                    assertThat(mine.receive(3000)).as("a second copy of the event").isNull();
                }
                JsonNode order = JSON.readTree(Http.get(base + "/api/v1/payments/jms-shop/HALT-0001", JmsIT.TOKEN).body());
                assertThat(order.get("status").asText()).isEqualTo("SUCCESS");
            }
        }
    }

    private static long unifiedOrders(String sim) throws Exception {
        return JSON.readTree(Http.get(sim + "/sandbox/wechat/stats", null).body()).at("/calls/~1pay~1unifiedorder").asLong();
    }
}
