package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway against a standalone Artemis broker (the real distribution) configured with
 * docs/broker.xml as written: the same routes, request-reply and events over the external broker.
 */
class ExternalBrokerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ARTEMIS = Path.of(System.getProperty("artemis.home", "target/artemis/apache-artemis-2.56.0"));

    /**
     * A standalone Artemis broker from the distribution, created in {@code dir/broker} with docs/broker.xml
     * as written (its port and its example merchant replaced), the gateway's user {@code gateway}
     * with {@code gatewayPassword} and the test clients' users of JmsIT; started and ready.
     */
    static GatewayProcess startBroker(Path dir, int brokerPort, String merchant, String gatewayPassword) throws Exception {
        Path instance = createBroker(dir, "broker", brokerPort, merchant, gatewayPassword, xml -> xml);
        GatewayProcess broker = runBroker(dir, instance);
        try {
            broker.awaitOutput("AMQ221007", Duration.ofSeconds(60));
        } catch (Throwable t) {
            broker.kill9();
            throw t;
        }
        return broker;
    }

    /**
     * A broker instance from the distribution in {@code dir/name} (not started): docs/broker.xml with its
     * acceptor on {@code brokerPort} and its example merchant replaced, then changed by {@code edit}; the
     * users and roles of {@link #startBroker}.
     */
    static Path createBroker(Path dir, String name, int brokerPort, String merchant, String gatewayPassword,
                             java.util.function.UnaryOperator<String> edit) throws Exception {
        Path instance = dir.resolve(name);
        Path log = dir.resolve(name + "-create.log");
        Process create = new ProcessBuilder(ARTEMIS.resolve("bin/artemis").toString(), "create", instance.toString(),
                "--user", "gateway", "--password", gatewayPassword, "--role", "gateway", "--require-login",
                "--silent", "--no-web", "--no-autotune", "--no-amqp-acceptor", "--no-mqtt-acceptor",
                "--no-stomp-acceptor", "--no-hornetq-acceptor").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(create.waitFor()).as(Files.readString(log)).isZero();
        String brokerXml = Files.readString(GatewayProcess.PROJECT.resolve("docs/broker.xml"))
                .replace("tcp://127.0.0.1:61616", "tcp://127.0.0.1:" + brokerPort)
                .replace("payments.events.demo-shop", "payments.events." + merchant)
                .replace("merchant = 'demo-shop'", "merchant = '" + merchant + "'");
        Files.writeString(instance.resolve("etc/broker.xml"), edit.apply(brokerXml));
        Files.writeString(instance.resolve("etc/artemis-users.properties"),
                "\nmerchant-systems = " + JmsIT.CLIENT_PASSWORD + "\nops = " + JmsIT.OPS_PASSWORD + "\n", StandardOpenOption.APPEND);
        Files.writeString(instance.resolve("etc/artemis-roles.properties"),
                "\nclient = merchant-systems\nops = ops\n", StandardOpenOption.APPEND);
        return instance;
    }

    /** {@code <instance>/bin/artemis run}: the broker in the foreground of its own process (its output is its log). */
    static GatewayProcess runBroker(Path dir, Path instance) throws Exception {
        return GatewayProcess.startCommand(dir, Map.of("JAVA_ARGS", "-Xms64m -Xmx512m"),
                List.of(instance.resolve("bin/artemis").toString(), "run"));
    }

    @Test
    void theGatewayRunsOnAnExternalBrokerConfiguredWithDocsBrokerXml(@TempDir Path dir) throws Exception {
        int brokerPort = GatewayProcess.freePort();
        int httpPort = GatewayProcess.freePort();
        try (GatewayProcess simulator = JmsIT.startSimulator(dir, 0);
             GatewayProcess broker = startBroker(dir, brokerPort, "jms-shop", "external-gateway-pw")) {
            int simPort = simulator.listeningPort("wechat");
            Map<String, String> env = new java.util.HashMap<>(JmsIT.setUp(dir, simPort, httpPort, brokerPort, Map.of()));
            env.put("GATEWAY_BROKER_URL", "tcp://127.0.0.1:" + brokerPort);
            env.put("GATEWAY_BROKER_USER", "gateway");
            env.put("GATEWAY_BROKER_PASSWORD", "external-gateway-pw");
            String base = "http://127.0.0.1:" + httpPort;
            String sim = "http://127.0.0.1:" + simPort;
            try (GatewayProcess gateway = GatewayProcess.gateway(dir, env)) {
                gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
                assertThat(gateway.output()).contains("external broker");
                try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", JmsIT.CLIENT_PASSWORD)) {
                    TemporaryQueue replies = c.session.createTemporaryQueue();
                    TextMessage m = c.session.createTextMessage(JmsIT.pay("ext-1", "EXT-0001"));
                    m.setStringProperty("Authorization", "Bearer " + JmsIT.TOKEN);
                    m.setJMSReplyTo(replies);
                    m.setJMSCorrelationID("ext-corr-1");
                    c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
                    Message reply = c.session.createConsumer(replies).receive(30_000);
                    assertThat(reply).as(gateway.output()).isNotNull();
                    assertThat(reply.getJMSCorrelationID()).isEqualTo("ext-corr-1");
                    assertThat(JSON.readTree(((TextMessage) reply).getText()).get("status").asText()).isEqualTo("NOTPAY");

                    assertThat(Http.postEmpty(sim + "/sandbox/wechat/pay?out_trade_no=EXT-0001").statusCode()).isEqualTo(200);
                    assertThat(Http.post(base + "/api/v1/payments", JmsIT.TOKEN, JmsIT.query("ext-2", "EXT-0001")).body())
                            .contains("\"SUCCESS\"");
                    MessageConsumer mine = c.session.createConsumer(
                            c.session.createQueue("payments.events::payments.events.jms-shop"), "orderId = 'EXT-0001'");
                    Message event = mine.receive(30_000);
                    assertThat(event).isNotNull();
                    JsonNode e = JSON.readTree(((TextMessage) event).getText());
                    assertThat(e.get("type").asText()).isEqualTo("PAYMENT_SUCCEEDED");
                }
            }
        }
    }
}
