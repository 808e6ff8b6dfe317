package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway on the message bus, tested from outside with a plain Artemis JMS client over TCP:
 * request-reply, the results queue, invalid and expired requests, a wrong token, the events topic
 * and the merchant's durable event queue; every reply and event is checked against docs/schemas.
 */
class JmsIT {
    static final String TOKEN = "jms-it-merchant-token-01";
    static final String KEY = "jmsitkey000000000000000000000001";
    static final String CLIENT_PASSWORD = "jms-it-client-password";
    static final String OPS_PASSWORD = "jms-it-ops-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dir;
    private static GatewayProcess simulator;
    private static GatewayProcess gateway;
    private static int brokerPort;
    private static String base;
    private static String sim;

    /** A temp dir with config for merchant jms-shop against a standalone simulator. */
    static Map<String, String> setUp(Path dir, int simPort, int httpPort, int brokerPort, Map<String, String> extra)
            throws Exception {
        return setUp(dir, simPort, httpPort, brokerPort, extra, 0);
    }

    /** With {@code tlsPort} &gt; 0 the merchant has the simulator's client certificate (refunds, barcode payments). */
    static Map<String, String> setUp(Path dir, int simPort, int httpPort, int brokerPort, Map<String, String> extra,
                                     int tlsPort) throws Exception {
        String certificate = tlsPort <= 0 ? "" : ", secapiBaseUrl: 'https://127.0.0.1:" + tlsPort + "', certificate: {path: '"
                + dir.resolve("tls").resolve("1700.p12") + "', serverCa: '" + dir.resolve("tls").resolve("ca.pem") + "'}";
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("application.properties"), String.join("\n",
                "gateway.http.host=127.0.0.1",
                "gateway.http.port=" + httpPort,
                "gateway.broker.port=" + brokerPort,
                "gateway.broker.user=merchant-systems",
                "gateway.broker.password=" + CLIENT_PASSWORD,
                "gateway.broker.ops-user=ops",
                "gateway.broker.ops-password=" + OPS_PASSWORD,
                "gateway.events.poll-ms=100",
                "gateway.sandbox.enabled=false", ""));
        Files.writeString(config.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  jms-shop:",
                "    provider: wechat",
                "    apiToken: " + TOKEN,
                "    eventsQueue: true",
                "    wechat: {baseUrl: 'http://127.0.0.1:" + simPort + "', appId: wxjms, mchId: '1700', apiKey: " + KEY
                        + certificate + "}", ""));
        Map<String, String> env = new java.util.HashMap<>(Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                "GATEWAY_DATA_DIR", dir.resolve("data").toString()));
        env.putAll(extra);
        return env;
    }

    static GatewayProcess startSimulator(Path dir, int simPort) throws Exception {
        return GatewayProcess.wechatSimulator(dir, simPort, "1700:wxjms:" + KEY);
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("jms-it");
        simulator = GatewayProcess.wechatSimulator(dir, 0, "1700:wxjms:" + KEY, 0, dir.resolve("tls"));
        int simPort = simulator.listeningPort("wechat");
        int tlsPort = simulator.listeningPort("wechat tls");
        int httpPort = GatewayProcess.freePort();
        brokerPort = GatewayProcess.freePort();
        base = "http://127.0.0.1:" + httpPort;
        sim = "http://127.0.0.1:" + simPort;
        gateway = GatewayProcess.gateway(dir, setUp(dir, simPort, httpPort, brokerPort, Map.of(), tlsPort));
        gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            assertThat(gateway.output()).doesNotContain(KEY).doesNotContain(TOKEN).doesNotContain(CLIENT_PASSWORD);
            gateway.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    static String pay(String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"jms-shop\",\"operation\":\"PAY\",\"orderId\":\"" + orderId
                + "\",\"amount\":300,\"method\":\"SCAN\",\"subject\":\"Noodles\",\"storeId\":\"S-12\"}";
    }

    static String query(String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"jms-shop\",\"operation\":\"QUERY\",\"orderId\":\"" + orderId + "\"}";
    }

    private static TextMessage request(JmsClient c, String body, String token) throws Exception {
        TextMessage m = c.session.createTextMessage(body);
        if (token != null) {
            m.setStringProperty("Authorization", "Bearer " + token);
        }
        return m;
    }

    /** Sends the request with a new temporary queue as its JMSReplyTo and waits for the reply there (null: none in 30 s). */
    private static Message sendForReply(JmsClient c, TextMessage request) throws Exception {
        TemporaryQueue replies = c.session.createTemporaryQueue();
        request.setJMSReplyTo(replies);
        c.session.createProducer(c.session.createQueue("payments.requests")).send(request);
        Message reply = c.session.createConsumer(replies).receive(30_000);
        assertThat(reply).as("a reply on the temporary queue").isNotNull();
        return reply;
    }

    private static long simCalls() throws Exception {
        return JSON.readTree(Http.get(sim + "/sandbox/wechat/stats", null).body()).get("total").asLong();
    }

    @Test
    void requestReplyByCorrelationIdCarriesOnlyTheDocumentedProperties() throws Exception {
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            TemporaryQueue replies = c.session.createTemporaryQueue();
            TextMessage m = request(c, pay("jms-c1", "JMS-C001"), TOKEN);
            m.setJMSReplyTo(replies);
            m.setJMSCorrelationID("corr-" + UUID.randomUUID());
            m.setStringProperty("xSecretHeader", "must-not-come-back");
            c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
            Message reply = c.session.createConsumer(replies).receive(30_000);
            assertThat(reply).isNotNull();
            assertThat(reply.getJMSCorrelationID()).isEqualTo(m.getJMSCorrelationID());
            String body = ((TextMessage) reply).getText();
            JsonNode r = JSON.readTree(body);
            assertThat(r.get("status").asText()).isEqualTo("NOTPAY");
            assertThat(r.at("/action/codeUrl").asText()).startsWith("weixin://");
            assertThat(reply.getStringProperty("merchant")).isEqualTo("jms-shop");
            assertThat(reply.getStringProperty("orderId")).isEqualTo("JMS-C001");
            assertThat(reply.getStringProperty("operation")).isEqualTo("PAY");
            assertThat(reply.getStringProperty("status")).isEqualTo("NOTPAY");
            assertThat(reply.getStringProperty("storeId")).isEqualTo("S-12");
            List<String> names = JmsClient.propertyNames(reply);
            assertThat(names).filteredOn(n -> !n.startsWith("JMSX") && !n.startsWith("_AMQ"))
                    .containsExactlyInAnyOrder("merchant", "orderId", "operation", "status", "storeId");
            Schemas.assertValid("PaymentRequest", pay("jms-c1", "JMS-C001"));
            Schemas.assertValid("PaymentResult", body);

            // The same request over HTTP is the same request: idempotency is shared.
            long calls = simCalls();
            assertThat(Http.post(base + "/api/v1/payments", TOKEN, pay("jms-c1", "JMS-C001")).body()).isEqualTo(body);
            assertThat(simCalls()).isEqualTo(calls);
        }
    }

    /**
     * A till over JMS: the barcode payment's first answer is SYSTEMERROR (simulator codes ending
     * 2222), the gateway queries after gateway.micro.poll-delay and the till's reply carries the
     * final SUCCESS.
     */
    @Test
    void aBarcodePaymentOverJmsGetsItsFinalResultOnTheReply() throws Exception {
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            TemporaryQueue replies = c.session.createTemporaryQueue();
            TextMessage m = request(c, "{\"requestId\":\"jms-micro-1\",\"merchant\":\"jms-shop\",\"operation\":\"PAY\","
                    + "\"orderId\":\"JMS-MICRO-1\",\"amount\":450,\"method\":\"MICRO\",\"authCode\":\"134567890123452222\","
                    + "\"subject\":\"Rice\",\"storeId\":\"S-12\"}", TOKEN);
            m.setJMSReplyTo(replies);
            m.setJMSCorrelationID("till-7-0001");
            c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
            Message reply = c.session.createConsumer(replies).receive(60_000);
            assertThat(reply).isNotNull();
            assertThat(reply.getJMSCorrelationID()).isEqualTo("till-7-0001");
            JsonNode r = JSON.readTree(((TextMessage) reply).getText());
            assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("SUCCESS");
            assertThat(r.path("operation").asText()).isEqualTo("PAY");
            assertThat(r.has("error")).isFalse();
            assertThat(reply.getStringProperty("status")).isEqualTo("SUCCESS");
        }
        // The wait for the query (a delay) stayed on the consumer's thread, so the reply joined the
        // request's commit (a delay on a timer thread sent it on a session of its own; JmsEntry.markTransacted).
        assertThat(gateway.output().lines().filter(l -> l.contains("[jms-micro-1]") && l.contains("PAY answered")).toList())
                .singleElement().asString().contains("JmsConsumer[payments.requests]").contains("SUCCESS");
    }

    @Test
    void requestReplyByMessageId() throws Exception {
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            TextMessage m = request(c, query("jms-m1", "JMS-NONE-1"), TOKEN);
            Message reply = sendForReply(c, m);
            assertThat(reply.getJMSCorrelationID()).isEqualTo(m.getJMSMessageID());
            JsonNode r = JSON.readTree(((TextMessage) reply).getText());
            assertThat(r.at("/error/code").asText()).isEqualTo("ORDER_NOT_FOUND");
            Schemas.assertValid("PaymentResult", ((TextMessage) reply).getText());
        }
    }

    @Test
    void withoutReplyToTheResultGoesToTheResultsQueue() throws Exception {
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            String corr = "results-" + UUID.randomUUID();
            TextMessage m = request(c, pay("jms-r1", "JMS-R001"), TOKEN);
            m.setJMSCorrelationID(corr);
            c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
            MessageConsumer results = c.session.createConsumer(c.session.createQueue("payments.results"),
                    "JMSCorrelationID = '" + corr + "'");
            Message reply = results.receive(30_000);
            assertThat(reply).isNotNull();
            assertThat(reply.getStringProperty("orderId")).isEqualTo("JMS-R001");
            assertThat(JSON.readTree(((TextMessage) reply).getText()).get("status").asText()).isEqualTo("NOTPAY");
        }
    }

    @Test
    void anUnparseableRequestIsKeptUnchangedOnTheInvalidQueueAndAnswered() throws Exception {
        String garbage = "{\"requestId\": \"jms-i1\", this is not json";
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            TemporaryQueue replies = c.session.createTemporaryQueue();
            TextMessage m = request(c, garbage, TOKEN);
            m.setJMSReplyTo(replies);
            m.setStringProperty("sender", "pos-17");
            c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
            Message reply = c.session.createConsumer(replies).receive(30_000);
            assertThat(reply).isNotNull();
            assertThat(JSON.readTree(((TextMessage) reply).getText()).at("/error/code").asText()).isEqualTo("INVALID_REQUEST");

            // Merchant systems cannot read the invalid queue; operators can.
            assertThatThrownBy(() -> c.session.createConsumer(c.session.createQueue("payments.requests.invalid")).receive(1000))
                    .isInstanceOf(JMSSecurityException.class);
        }
        try (JmsClient ops = new JmsClient(brokerPort, "ops", OPS_PASSWORD)) {
            MessageConsumer invalid = ops.session.createConsumer(ops.session.createQueue("payments.requests.invalid"),
                    "sender = 'pos-17'");
            Message kept = invalid.receive(30_000);
            assertThat(kept).isNotNull();
            assertThat(((TextMessage) kept).getText()).isEqualTo(garbage);
            assertThat(kept.getStringProperty("invalidReason")).contains("not valid JSON");
            assertThat(kept.getStringProperty("Authorization")).isNull();
        }
    }

    @Test
    void aWrongTokenIsUnauthorized() throws Exception {
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            TemporaryQueue replies = c.session.createTemporaryQueue();
            TextMessage m = request(c, pay("jms-w1", "JMS-W001"), "not-the-merchants-token");
            m.setJMSReplyTo(replies);
            long calls = simCalls();
            c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
            Message reply = c.session.createConsumer(replies).receive(30_000);
            assertThat(JSON.readTree(((TextMessage) reply).getText()).at("/error/code").asText()).isEqualTo("UNAUTHORIZED");
            assertThat(simCalls()).isEqualTo(calls);
        }
    }

    @Test
    void aWrongBrokerPasswordCannotConnect() {
        assertThatThrownBy(() -> new JmsClient(brokerPort, "merchant-systems", "wrong").close())
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void merchantSystemsCannotSendWhereOnlyTheGatewaySends() throws Exception {
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            MessageProducer p = c.session.createProducer(c.session.createTopic("payments.events"));
            assertThatThrownBy(() -> p.send(c.session.createTextMessage("{\"forged\":true}")))
                    .isInstanceOf(JMSSecurityException.class);
        }
    }

    @Test
    void anExpiredMicroRequestIsAnsweredWithAnErrorAndNeverCharged() throws Exception {
        String micro = "{\"requestId\":\"jms-e1\",\"merchant\":\"jms-shop\",\"operation\":\"PAY\",\"orderId\":\"JMS-E001\","
                + "\"amount\":1,\"method\":\"MICRO\",\"authCode\":\"134567890123456789\",\"subject\":\"Bun\"}";
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            TemporaryQueue replies = c.session.createTemporaryQueue();
            TextMessage m = request(c, micro, TOKEN);
            m.setJMSReplyTo(replies);
            long calls = simCalls();
            MessageProducer p = c.session.createProducer(c.session.createQueue("payments.requests"));
            p.send(m, DeliveryMode.PERSISTENT, 4, 1);
            Message reply = c.session.createConsumer(replies).receive(30_000);
            assertThat(reply).isNotNull();
            JsonNode r = JSON.readTree(((TextMessage) reply).getText());
            assertThat(r.at("/error/code").asText()).isEqualTo("TIMEOUT");
            assertThat(r.at("/error/message").asText()).contains("expired");
            assertThat(reply.getJMSCorrelationID()).isEqualTo(m.getJMSMessageID());
            assertThat(simCalls()).isEqualTo(calls);
            assertThat(Http.get(base + "/api/v1/payments/jms-shop/JMS-E001", TOKEN).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aPaymentMakesOneEventOnTheTopicAndOnTheMerchantsDurableQueue() throws Exception {
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            MessageConsumer topic = c.session.createConsumer(c.session.createTopic("payments.events"),
                    "merchant = 'jms-shop' AND orderId = 'JMS-V001'");
            assertThat(Http.post(base + "/api/v1/payments", TOKEN, pay("jms-v1", "JMS-V001")).statusCode()).isEqualTo(200);
            assertThat(Http.postEmpty(sim + "/sandbox/wechat/pay?out_trade_no=JMS-V001").statusCode()).isEqualTo(200);
            assertThat(Http.post(base + "/api/v1/payments", TOKEN, query("jms-v2", "JMS-V001")).body()).contains("\"SUCCESS\"");
            // A second query of a paid order makes no second event.
            assertThat(Http.post(base + "/api/v1/payments", TOKEN, query("jms-v3", "JMS-V001")).body()).contains("\"SUCCESS\"");

            Message event = topic.receive(30_000);
            assertThat(event).isNotNull();
            String body = ((TextMessage) event).getText();
            JsonNode e = JSON.readTree(body);
            assertThat(e.get("type").asText()).isEqualTo("PAYMENT_SUCCEEDED");
            assertThat(e.get("orderId").asText()).isEqualTo("JMS-V001");
            assertThat(e.get("storeId").asText()).isEqualTo("S-12");
            assertThat(e.get("source").asText()).isEqualTo("QUERY");
            assertThat(event.getStringProperty("type")).isEqualTo("PAYMENT_SUCCEEDED");
            assertThat(event.getStringProperty("status")).isEqualTo("SUCCESS");
            assertThat(event.getStringProperty("merchant")).isEqualTo("jms-shop");
            assertThat(event.getStringProperty("storeId")).isEqualTo("S-12");
            Schemas.assertValid("PaymentEvent", body);
            assertThat(topic.receive(2000)).isNull();

            Queue durable = c.session.createQueue("payments.events::payments.events.jms-shop");
            MessageConsumer mine = c.session.createConsumer(durable, "orderId = 'JMS-V001'");
            Message kept = mine.receive(30_000);
            assertThat(kept).isNotNull();
            assertThat(JSON.readTree(((TextMessage) kept).getText()).get("eventId").asText()).isEqualTo(e.get("eventId").asText());
            assertThat(mine.receive(1000)).isNull();

            JsonNode order = JSON.readTree(Http.get(base + "/api/v1/payments/jms-shop/JMS-V001", TOKEN).body());
            Schemas.assertValid("PaymentResult", order.toString());
        }
    }

    /** A reply is never sent to the gateway's own destinations: it would be published with the gateway's rights. */
    @Test
    void aReplyToTheEventsTopicIsAnsweredOnTheResultsQueueInstead() throws Exception {
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            MessageConsumer events = c.session.createConsumer(c.session.createTopic("payments.events"), "orderId = 'JMS-X001'");
            String corr = "hijack-" + UUID.randomUUID();
            TextMessage m = request(c, query("jms-x1", "JMS-X001"), TOKEN);
            m.setJMSReplyTo(c.session.createTopic("payments.events"));
            m.setJMSCorrelationID(corr);
            c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
            Message reply = c.session.createConsumer(c.session.createQueue("payments.results"),
                    "JMSCorrelationID = '" + corr + "'").receive(30_000);
            assertThat(reply).isNotNull();
            assertThat(events.receive(2000)).isNull();
        }
    }

    /**
     * Nor to one of them dressed as a temporary queue: payments.deliveries is a queue a reply could
     * be routed to, and the gateway's deliveries route would take it for an event.
     */
    @Test
    void aReplyToAGatewayQueueNamedAsATemporaryOneIsAnsweredOnTheResultsQueueInstead() throws Exception {
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            String corr = "hijack-temp-" + UUID.randomUUID();
            TextMessage m = request(c, query("jms-x2", "JMS-X002"), TOKEN);
            m.setJMSReplyTo(org.apache.activemq.artemis.jms.client.ActiveMQDestination.createTemporaryQueue("payments.deliveries"));
            m.setJMSCorrelationID(corr);
            c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
            Message reply = c.session.createConsumer(c.session.createQueue("payments.results"),
                    "JMSCorrelationID = '" + corr + "'").receive(30_000);
            assertThat(reply).isNotNull();
            assertThat(((TextMessage) reply).getText()).contains("JMS-X002");
        }
    }

    /**
     * A temporary reply queue that is gone (its client disconnected before the answer) gets no
     * reply: sending one would make the queue again, on the gateway's own connection, holding the
     * reply for nobody for as long as the gateway runs. The payment stands, the request is taken,
     * and the same request sent again is answered from the ledger.
     */
    @Test
    void aRequestWhoseTemporaryReplyQueueIsGoneIsTakenAndNotAnswered() throws Exception {
        String gone;
        try (JmsClient other = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            gone = other.session.createTemporaryQueue().getQueueName();
        }
        try (JmsClient c = new JmsClient(brokerPort, "merchant-systems", CLIENT_PASSWORD)) {
            String corr = "gone-" + UUID.randomUUID();
            TextMessage m = request(c, pay("jms-g1", "JMS-G001"), TOKEN);
            m.setJMSReplyTo(org.apache.activemq.artemis.jms.client.ActiveMQDestination.createTemporaryQueue(gone));
            m.setJMSCorrelationID(corr);
            long calls = simCalls();
            c.session.createProducer(c.session.createQueue("payments.requests")).send(m);
            gateway.awaitOutput("the reply to correlation id " + corr + " is not sent", Duration.ofSeconds(30));
            assertThat(simCalls()).isEqualTo(calls + 1);
            org.apache.activemq.artemis.api.core.client.ClientSession core =
                    ((org.apache.activemq.artemis.jms.client.ActiveMQSession) c.session).getCoreSession();
            assertThat(core.queueQuery(org.apache.activemq.artemis.api.core.SimpleString.of(gone)).isExists()).isFalse();

            Message reply = sendForReply(c, request(c, pay("jms-g1", "JMS-G001"), TOKEN));
            assertThat(JSON.readTree(((TextMessage) reply).getText()).get("status").asText()).isEqualTo("NOTPAY");
            assertThat(simCalls()).isEqualTo(calls + 1);
            // Taken once: not delivered again after the reply that was not sent.
            assertThat(gateway.output().lines().filter(l -> l.contains("is not sent: its temporary queue is gone")).count())
                    .isEqualTo(1);
        }
    }
}
