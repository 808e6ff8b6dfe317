package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The canonical request and reply over AMQP 1.0 (the Qpid JMS client) and STOMP 1.2 (frames on a
 * raw socket) on the embedded broker's one port, beside CORE (JmsIT): the same logins, the same
 * answers, the same handling of bad input as on CORE (docs/messaging.md, "Protocols").
 */
class BusProtocolsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = JmsIT.TOKEN;
    private static final String ESB = "merchant-systems";

    private static Path dir;
    private static GatewayProcess simulator;
    private static GatewayProcess gateway;
    private static int brokerPort;
    private static String base;
    private static String sim;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("bus-it");
        simulator = JmsIT.startSimulator(dir, 0);
        int simPort = simulator.listeningPort("wechat");
        int httpPort = GatewayProcess.freePort();
        brokerPort = GatewayProcess.freePort();
        base = "http://127.0.0.1:" + httpPort;
        sim = "http://127.0.0.1:" + simPort;
        // No gateway.broker.protocols in the file: the default serves CORE, AMQP and STOMP.
        gateway = GatewayProcess.gateway(dir, JmsIT.setUp(dir, simPort, httpPort, brokerPort, Map.of()));
        gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            assertThat(gateway.output()).doesNotContain(TOKEN).doesNotContain(JmsIT.CLIENT_PASSWORD)
                    .doesNotContain(JmsIT.OPS_PASSWORD);
            gateway.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    static Connection amqp(String user, String password) throws Exception {
        Connection c = new JmsConnectionFactory(user, password, "amqp://127.0.0.1:" + brokerPort).createConnection();
        c.start();
        return c;
    }

    private static long simCalls() throws Exception {
        return JSON.readTree(Http.get(sim + "/sandbox/wechat/stats", null).body()).get("total").asLong();
    }

    // ---- AMQP 1.0 ----

    @Test
    void amqpRequestReplyOnATemporaryQueueWithTextAndWithBytes() throws Exception {
        try (Connection c = amqp(ESB, JmsIT.CLIENT_PASSWORD)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue replies = s.createTemporaryQueue();
            MessageConsumer answers = s.createConsumer(replies);
            MessageProducer requests = s.createProducer(s.createQueue("payments.requests"));

            TextMessage text = s.createTextMessage(JmsIT.pay("amqp-t1", "AMQP-T001"));
            text.setStringProperty("Authorization", "Bearer " + TOKEN);
            text.setJMSReplyTo(replies);
            text.setJMSCorrelationID("till-amqp-1");
            requests.send(text);
            Message reply = answers.receive(30_000);
            assertThat(reply).isNotNull();
            assertThat(reply.getJMSCorrelationID()).isEqualTo("till-amqp-1");
            String body = ((TextMessage) reply).getText();
            assertThat(JSON.readTree(body).get("status").asText()).as(body).isEqualTo("NOTPAY");
            Schemas.assertValid("PaymentResult", body);
            assertThat(reply.getStringProperty("merchant")).isEqualTo("jms-shop");
            assertThat(reply.getStringProperty("orderId")).isEqualTo("AMQP-T001");
            assertThat(reply.getStringProperty("status")).isEqualTo("NOTPAY");
            assertThat(reply.getStringProperty("Authorization")).isNull();

            // The JSON as UTF-8 bytes (an AMQP data section) is the same request.
            BytesMessage bytes = s.createBytesMessage();
            bytes.writeBytes(JmsIT.pay("amqp-b1", "AMQP-B001").getBytes(StandardCharsets.UTF_8));
            bytes.setStringProperty("Authorization", "Bearer " + TOKEN);
            bytes.setJMSReplyTo(replies);
            bytes.setJMSCorrelationID("till-amqp-2");
            requests.send(bytes);
            Message second = answers.receive(30_000);
            assertThat(second).isNotNull();
            assertThat(second.getJMSCorrelationID()).isEqualTo("till-amqp-2");
            assertThat(JSON.readTree(((TextMessage) second).getText()).get("orderId").asText()).isEqualTo("AMQP-B001");
        }
    }

    @Test
    void amqpBadInputGetsTheSameAnswersAsCoreAndTheConnectionStaysUsable() throws Exception {
        try (Connection c = amqp(ESB, JmsIT.CLIENT_PASSWORD)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue replies = s.createTemporaryQueue();
            MessageConsumer answers = s.createConsumer(replies);
            MessageProducer requests = s.createProducer(s.createQueue("payments.requests"));
            long calls = simCalls();

            TextMessage garbage = s.createTextMessage("<pay>not json</pay>");
            garbage.setStringProperty("Authorization", "Bearer " + TOKEN);
            garbage.setStringProperty("sender", "amqp-till-9");
            garbage.setJMSReplyTo(replies);
            requests.send(garbage);
            assertThat(errorCode(answers.receive(30_000))).isEqualTo("INVALID_REQUEST");
            assertInvalidCopy("amqp-till-9", "<pay>not json</pay>");

            TextMessage noToken = s.createTextMessage(JmsIT.pay("amqp-n1", "AMQP-N001"));
            noToken.setJMSReplyTo(replies);
            requests.send(noToken);
            assertThat(errorCode(answers.receive(30_000))).isEqualTo("UNAUTHORIZED");

            // Time to live 1 ms: expired on the queue, answered TIMEOUT, never sent to the provider.
            TextMessage late = s.createTextMessage(JmsIT.pay("amqp-e1", "AMQP-E001"));
            late.setStringProperty("Authorization", "Bearer " + TOKEN);
            late.setJMSReplyTo(replies);
            late.setJMSCorrelationID("till-amqp-late");
            requests.send(late, DeliveryMode.PERSISTENT, 4, 1);
            Message timeout = answers.receive(30_000);
            assertThat(errorCode(timeout)).isEqualTo("TIMEOUT");
            assertThat(timeout.getJMSCorrelationID()).isEqualTo("till-amqp-late");
            assertThat(simCalls()).isEqualTo(calls);
            assertThat(Http.get(base + "/api/v1/payments/jms-shop/AMQP-E001", TOKEN).statusCode()).isEqualTo(404);

            // Still the same connection: a good request is answered.
            TextMessage good = s.createTextMessage(JmsIT.pay("amqp-g1", "AMQP-G001"));
            good.setStringProperty("Authorization", "Bearer " + TOKEN);
            good.setJMSReplyTo(replies);
            requests.send(good);
            Message ok = answers.receive(30_000);
            assertThat(ok).isNotNull();
            assertThat(JSON.readTree(((TextMessage) ok).getText()).get("status").asText()).isEqualTo("NOTPAY");
        }
    }

    // ---- STOMP 1.2 ----

    @Test
    void stompRequestReplyOnTheResultsQueueWithTextAndWithBytes() throws Exception {
        try (StompClient c = new StompClient(brokerPort, ESB, JmsIT.CLIENT_PASSWORD)) {
            String corr = "till-stomp-" + UUID.randomUUID();
            assertThat(c.subscribe("results", "/queue/payments.results", "JMSCorrelationID = '" + corr + "'").command())
                    .isEqualTo("RECEIPT");
            // Without content-length: a text message.
            StompClient.Frame sent = c.send("/queue/payments.requests",
                    Map.of("Authorization", "Bearer " + TOKEN, "correlation-id", corr),
                    JmsIT.pay("stomp-t1", "STOMP-T001"), false);
            assertThat(sent.command()).as(String.valueOf(sent.headers())).isEqualTo("RECEIPT");
            StompClient.Frame reply = c.receive(30_000);
            assertThat(reply).isNotNull();
            assertThat(reply.command()).isEqualTo("MESSAGE");
            assertThat(reply.header("correlation-id")).isEqualTo(corr);
            assertThat(reply.header("merchant")).isEqualTo("jms-shop");
            assertThat(reply.header("orderId")).isEqualTo("STOMP-T001");
            assertThat(reply.header("Authorization")).isNull();
            assertThat(JSON.readTree(reply.body()).get("status").asText()).as(reply.body()).isEqualTo("NOTPAY");
            Schemas.assertValid("PaymentResult", reply.body());
        }
        try (StompClient c = new StompClient(brokerPort, ESB, JmsIT.CLIENT_PASSWORD)) {
            // With content-length: a bytes message, the same request.
            assertThat(c.subscribe("mine", "/queue/payments.results", "JMSCorrelationID = 'till-7-0002'").command()).isEqualTo("RECEIPT");
            c.send("/queue/payments.requests", Map.of("Authorization", "Bearer " + TOKEN,
                    "correlation-id", "till-7-0002"), JmsIT.pay("stomp-b1", "STOMP-B001"), true);
            StompClient.Frame reply = c.receive(30_000);
            assertThat(reply).isNotNull();
            assertThat(reply.header("correlation-id")).isEqualTo("till-7-0002");
            assertThat(JSON.readTree(reply.body()).get("orderId").asText()).isEqualTo("STOMP-B001");
        }
    }

    @Test
    void stompBadInputGetsTheSameAnswersAsCoreAndTheConnectionStaysUsable() throws Exception {
        long calls = simCalls();
        try (StompClient c = new StompClient(brokerPort, ESB, JmsIT.CLIENT_PASSWORD)) {
            // STOMP has no temporary queues: this login's answers come on payments.results, by correlation id.
            assertThat(c.subscribe("mine", "/queue/payments.results", "JMSCorrelationID LIKE 'till-8-%'").command())
                    .isEqualTo("RECEIPT");
            Map<String, String> replyTo = Map.of("correlation-id", "till-8-" + UUID.randomUUID());

            c.send("/queue/payments.requests", with(replyTo, "Authorization", "Bearer " + TOKEN, "sender", "stomp-till-8"),
                    "definitely { not json", true);
            assertThat(errorCode(c.receive(30_000))).isEqualTo("INVALID_REQUEST");
            assertInvalidCopy("stomp-till-8", "definitely { not json");

            c.send("/queue/payments.requests", replyTo, JmsIT.pay("stomp-n1", "STOMP-N001"), false);
            assertThat(errorCode(c.receive(30_000))).isEqualTo("UNAUTHORIZED");

            // `expires` (epoch milliseconds) already past: TIMEOUT, never processed.
            c.send("/queue/payments.requests", with(replyTo, "Authorization", "Bearer " + TOKEN,
                    "expires", String.valueOf(System.currentTimeMillis() - 1000), "correlation-id", "till-8-late"),
                    JmsIT.pay("stomp-e1", "STOMP-E001"), false);
            StompClient.Frame timeout = c.receive(30_000);
            assertThat(errorCode(timeout)).isEqualTo("TIMEOUT");
            assertThat(timeout.header("correlation-id")).isEqualTo("till-8-late");
            assertThat(simCalls()).isEqualTo(calls);
            assertThat(Http.get(base + "/api/v1/payments/jms-shop/STOMP-E001", TOKEN).statusCode()).isEqualTo(404);

            c.send("/queue/payments.requests", with(replyTo, "Authorization", "Bearer " + TOKEN),
                    JmsIT.pay("stomp-g1", "STOMP-G001"), false);
            StompClient.Frame ok = c.receive(30_000);
            assertThat(ok).isNotNull();
            assertThat(JSON.readTree(ok.body()).get("status").asText()).isEqualTo("NOTPAY");
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String errorCode(Object reply) throws Exception {
        assertThat(reply).as("a reply").isNotNull();
        String body = reply instanceof StompClient.Frame f ? f.body() : ((TextMessage) reply).getText();
        return JSON.readTree(body).at("/error/code").asText();
    }

    /** Operators find the request unchanged on the invalid queue, with a reason and without the token. */
    private static void assertInvalidCopy(String sender, String body) throws Exception {
        try (JmsClient ops = new JmsClient(brokerPort, "ops", JmsIT.OPS_PASSWORD)) {
            Message kept = ops.session.createConsumer(ops.session.createQueue("payments.requests.invalid"),
                    "sender = '" + sender + "'").receive(30_000);
            assertThat(kept).isNotNull();
            String text = kept instanceof TextMessage t ? t.getText() : new String(bytes((BytesMessage) kept), StandardCharsets.UTF_8);
            assertThat(text).isEqualTo(body);
            assertThat(kept.getStringProperty("invalidReason")).isNotBlank();
            assertThat(kept.getStringProperty("Authorization")).isNull();
            for (String name : JmsClient.propertyNames(kept)) {
                Object v = kept.getObjectProperty(name);
                assertThat(String.valueOf(v)).as(name).doesNotContain(TOKEN);
            }
        }
    }

    private static byte[] bytes(BytesMessage m) throws Exception {
        byte[] b = new byte[(int) m.getBodyLength()];
        m.readBytes(b);
        return b;
    }
}
