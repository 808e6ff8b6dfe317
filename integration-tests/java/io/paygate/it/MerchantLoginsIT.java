package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A broker login per merchant (docs/messaging.md, "Who may do what"), with real connections on
 * every protocol of the one port: merchant A's login reads its own replies and events and nothing
 * else, cannot act for merchant B, and the ESB and ops logins keep their rights. One gateway for
 * every case; the reload of the logins runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MerchantLoginsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN_A = "logins-it-shop-a-token-01";
    static final String TOKEN_B = "logins-it-shop-b-token-02";
    static final String PASSWORD_A = "till-a-password-0001";
    static final String PASSWORD_B = "till-b-password-0002";
    static final String PASSWORD_B2 = "till-b-password-0003-new";
    static final String PASSWORD_C = "till-c-password-0004";
    private static final String ESB = "merchant-systems";
    /** Destinations A's login may neither read nor browse, by their CORE/AMQP names. */
    private static final List<String> NOT_A_S = List.of("payments.events::payments.events.shop-b", "payments.results.shop-b",
            "payments.results", "payments.requests.invalid", "payments.DLQ", "DLQ", "payments.expired", "ExpiryQueue",
            "payments.requests", "payments.deliveries");

    private static Path dir;
    private static GatewayProcess simulator;
    private static GatewayProcess gateway;
    private static int brokerPort;
    private static String base;
    private static String sim;
    private static Path merchantsFile;
    private static int simPort;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("logins-it");
        simulator = JmsIT.startSimulator(dir, 0);
        simPort = simulator.listeningPort("wechat");
        int httpPort = GatewayProcess.freePort();
        brokerPort = GatewayProcess.freePort();
        base = "http://127.0.0.1:" + httpPort;
        sim = "http://127.0.0.1:" + simPort;
        Map<String, String> env = new java.util.HashMap<>(JmsIT.setUp(dir, simPort, httpPort, brokerPort, Map.of()));
        env.put("TILL_A_PASSWORD", PASSWORD_A);
        merchantsFile = dir.resolve("config").resolve("merchants.yaml");
        Files.writeString(merchantsFile, merchants(PASSWORD_B, false));
        gateway = GatewayProcess.gateway(dir, env);
        gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(60));
    }

    private static String merchants(String passwordB, boolean withC) {
        String wechat = "    wechat: {baseUrl: 'http://127.0.0.1:" + simPort + "', appId: wxjms, mchId: '1700', apiKey: " + JmsIT.KEY + "}";
        List<String> lines = new java.util.ArrayList<>(List.of("merchants:",
                "  shop-a:", "    provider: wechat", "    apiToken: " + TOKEN_A,
                "    broker: {user: till-a, password: '${env:TILL_A_PASSWORD}'}", wechat,
                "  shop-b:", "    provider: wechat", "    apiToken: " + TOKEN_B,
                "    broker: {user: till-b, password: " + passwordB + "}", wechat));
        if (withC) {
            lines.addAll(List.of("  shop-c:", "    provider: wechat", "    apiToken: logins-it-shop-c-token-03",
                    "    broker: {user: till-c, password: " + PASSWORD_C + "}", wechat));
        }
        return String.join("\n", lines) + "\n";
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            assertThat(gateway.output()).doesNotContain(PASSWORD_A).doesNotContain(PASSWORD_B).doesNotContain(PASSWORD_B2)
                    .doesNotContain(PASSWORD_C).doesNotContain(TOKEN_A).doesNotContain(TOKEN_B)
                    .doesNotContain(JmsIT.CLIENT_PASSWORD);
            gateway.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    static String pay(String merchant, String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\",\"orderId\":\"" + orderId
                + "\",\"amount\":300,\"method\":\"SCAN\",\"subject\":\"Noodles\",\"storeId\":\"S-12\"}";
    }

    private static long simCalls() throws Exception {
        return JSON.readTree(Http.get(sim + "/sandbox/wechat/stats", null).body()).get("total").asLong();
    }

    private static Connection core(String user, String password) throws Exception {
        Connection c = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(
                "tcp://127.0.0.1:" + brokerPort + "?reconnectAttempts=0", user, password).createConnection();
        c.start();
        return c;
    }

    private static Connection amqp(String user, String password) throws Exception {
        Connection c = new org.apache.qpid.jms.JmsConnectionFactory(user, password, "amqp://127.0.0.1:" + brokerPort)
                .createConnection();
        c.start();
        return c;
    }

    private static JsonNode text(Message m) throws Exception {
        assertThat(m).as("a reply").isNotNull();
        String body = ((TextMessage) m).getText();
        assertNoSecret(body);
        for (String name : JmsClient.propertyNames(m)) {
            assertNoSecret(String.valueOf(m.getObjectProperty(name)));
        }
        return JSON.readTree(body);
    }

    private static void assertNoSecret(String s) {
        assertThat(s).doesNotContain(TOKEN_A).doesNotContain(TOKEN_B).doesNotContain(PASSWORD_A).doesNotContain(PASSWORD_B)
                .doesNotContain("till-a-password");
    }

    // ---- the merchant's own requests and replies, on each protocol ----

    /** A's PAY over CORE or AMQP: answered on its temporary queue, else on payments.results.shop-a. */
    private void ownRequestReply(Connection c, String protocol) throws Exception {
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TemporaryQueue replies = s.createTemporaryQueue();
        MessageConsumer answers = s.createConsumer(replies);
        MessageProducer requests = s.createProducer(s.createQueue("payments.requests"));
        TextMessage m = s.createTextMessage(pay("shop-a", protocol + "-own-1", protocol.toUpperCase() + "-OWN-1"));
        m.setStringProperty("Authorization", "Bearer " + TOKEN_A);
        m.setJMSReplyTo(replies);
        m.setJMSCorrelationID(protocol + "-own-1");
        requests.send(m);
        Message reply = answers.receive(30_000);
        JsonNode r = text(reply);
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("NOTPAY");
        assertThat(reply.getJMSCorrelationID()).isEqualTo(protocol + "-own-1");
        assertThat(reply.getStringProperty("merchant")).isEqualTo("shop-a");
        assertThat(reply.getStringProperty("_paygate_login")).isNull();

        // No JMSReplyTo, or one naming the ESB's payments.results: the reply waits on A's own queue.
        for (String kind : List.of("none", "esb")) {
            MessageConsumer own = s.createConsumer(s.createQueue("payments.results.shop-a"),
                    "JMSCorrelationID = '" + protocol + "-own-" + kind + "'");
            TextMessage q = s.createTextMessage(pay("shop-a", protocol + "-own-" + kind, protocol.toUpperCase() + "-OWN-" + kind));
            q.setStringProperty("Authorization", "Bearer " + TOKEN_A);
            q.setJMSCorrelationID(protocol + "-own-" + kind);
            if (kind.equals("esb")) {
                q.setJMSReplyTo(s.createQueue("payments.results"));
            }
            requests.send(q);
            Message answer = own.receive(30_000);
            assertThat(text(answer).get("orderId").asText()).isEqualTo(protocol.toUpperCase() + "-OWN-" + kind);
            assertThat(answer.getJMSCorrelationID()).isEqualTo(protocol + "-own-" + kind);
            own.close();
        }
        // Its own events queue is readable.
        s.createConsumer(s.createQueue("payments.events::payments.events.shop-a")).close();
        s.close();
    }

    /**
     * A request for merchant B on A's login: with B's token (held by A somehow), and with a forged
     * sender property: FORBIDDEN on A's own queue, no provider call, no order for B.
     */
    private void cannotActForB(Connection c, String protocol) throws Exception {
        long calls = simCalls();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer requests = s.createProducer(s.createQueue("payments.requests"));
        MessageConsumer own = s.createConsumer(s.createQueue("payments.results.shop-a"),
                "JMSCorrelationID LIKE '" + protocol + "-for-b%'");
        String order = protocol.toUpperCase() + "-FOR-B";
        TextMessage m = s.createTextMessage(pay("shop-b", protocol + "-for-b", order));
        m.setStringProperty("Authorization", "Bearer " + TOKEN_B);
        m.setStringProperty("_paygate_login", "till-b");
        m.setStringProperty("JMSXUserID", "till-b");
        m.setStringProperty("_AMQ_VALIDATED_USER", "till-b");
        m.setJMSReplyTo(s.createQueue("payments.results.shop-b"));
        m.setJMSCorrelationID(protocol + "-for-b");
        requests.send(m);
        Message reply = own.receive(30_000);
        JsonNode r = text(reply);
        assertThat(r.at("/error/code").asText()).as(r.toString()).isEqualTo("FORBIDDEN");
        assertThat(reply.getJMSCorrelationID()).isEqualTo(protocol + "-for-b");

        // The body names B, the token is A's: refused as well.
        TextMessage other = s.createTextMessage(pay("shop-b", protocol + "-for-b2", order + "2"));
        other.setStringProperty("Authorization", "Bearer " + TOKEN_A);
        other.setJMSCorrelationID(protocol + "-for-b2");
        requests.send(other);
        assertThat(text(own.receive(30_000)).at("/error/code").asText()).isEqualTo("FORBIDDEN");
        assertThat(simCalls()).isEqualTo(calls);
        assertThat(Http.get(base + "/api/v1/payments/shop-b/" + order, TOKEN_B).statusCode()).isEqualTo(404);
        s.close();
    }

    /** Every destination A's login may not read: refused to consume and to browse. */
    private void cannotRead(Connection c) throws Exception {
        for (String name : NOT_A_S) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> s.createConsumer(s.createQueue(name)).receive(500)).as("consume " + name)
                    .isInstanceOf(JMSException.class);
            s.close();
            Session b = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> b.createBrowser(b.createQueue(name)).getEnumeration().hasMoreElements())
                    .as("browse " + name).isInstanceOf(JMSException.class);
            b.close();
        }
        Session t = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThatThrownBy(() -> t.createConsumer(t.createTopic("payments.events")).receive(500)).as("subscribe payments.events")
                .isInstanceOf(JMSException.class);
    }

    @Test
    @Order(1)
    void coreMerchantLoginIsKeptToItsOwnMerchant() throws Exception {
        try (Connection c = core("till-a", PASSWORD_A)) {
            ownRequestReply(c, "core");
            cannotActForB(c, "core");
        }
        try (Connection c = core("till-a", PASSWORD_A)) {
            cannotRead(c);
        }
    }

    @Test
    @Order(2)
    void amqpMerchantLoginIsKeptToItsOwnMerchant() throws Exception {
        try (Connection c = amqp("till-a", PASSWORD_A)) {
            ownRequestReply(c, "amqp");
            cannotActForB(c, "amqp");
        }
        try (Connection c = amqp("till-a", PASSWORD_A)) {
            cannotRead(c);
        }
    }

    @Test
    @Order(3)
    void stompMerchantLoginIsKeptToItsOwnMerchant() throws Exception {
        long calls;
        try (StompClient c = new StompClient(brokerPort, "till-a", PASSWORD_A)) {
            assertThat(c.subscribe("own", "/queue/payments.results.shop-a", "JMSCorrelationID LIKE 'stomp-%'").command())
                    .isEqualTo("RECEIPT");
            c.send("/queue/payments.requests", Map.of("Authorization", "Bearer " + TOKEN_A, "correlation-id", "stomp-own-1"),
                    pay("shop-a", "stomp-own-1", "STOMP-OWN-1"), false);
            StompClient.Frame reply = c.receive(30_000);
            assertThat(reply).isNotNull();
            assertNoSecret(reply.body());
            assertNoSecret(String.valueOf(reply.headers()));
            assertThat(reply.header("correlation-id")).isEqualTo("stomp-own-1");
            assertThat(JSON.readTree(reply.body()).get("status").asText()).as(reply.body()).isEqualTo("NOTPAY");

            calls = simCalls();
            c.send("/queue/payments.requests", Map.of("Authorization", "Bearer " + TOKEN_B, "correlation-id", "stomp-for-b",
                    "_paygate_login", "till-b", "reply-to", "/queue/payments.results.shop-b"),
                    pay("shop-b", "stomp-for-b", "STOMP-FOR-B"), false);
            StompClient.Frame refused = c.receive(30_000);
            assertThat(refused).isNotNull();
            assertThat(refused.header("correlation-id")).isEqualTo("stomp-for-b");
            assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).as(refused.body()).isEqualTo("FORBIDDEN");
            assertThat(simCalls()).isEqualTo(calls);
            assertThat(c.subscribe("events", "payments.events::payments.events.shop-a", null).command()).isEqualTo("RECEIPT");
        }
        List<String> stompNames = new java.util.ArrayList<>(NOT_A_S.stream().map(n -> n.contains("::") ? n : "/queue/" + n).toList());
        stompNames.add("/topic/payments.events");
        for (String name : stompNames) {
            try (StompClient c = new StompClient(brokerPort, "till-a", PASSWORD_A)) {
                StompClient.Frame answer = c.subscribe("x", name, null);
                assertThat(answer == null ? "none" : answer.command()).as("subscribe " + name).isEqualTo("ERROR");
            }
        }
        try (StompClient c = new StompClient(brokerPort, "till-a", PASSWORD_A)) {
            StompClient.Frame answer = c.subscribe("x", "/queue/payments.results", null, Map.of("browser", "true"));
            assertThat(answer == null ? "none" : answer.command()).as("browse payments.results").isEqualTo("ERROR");
        }
    }

    @Test
    @Order(4)
    void theEsbAndOpsLoginsKeepTheirRights() throws Exception {
        long calls = simCalls();
        try (Connection c = core(ESB, JmsIT.CLIENT_PASSWORD)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            // The ESB sends for any merchant (with that merchant's token) and reads payments.results.
            MessageConsumer results = s.createConsumer(s.createQueue("payments.results"), "JMSCorrelationID = 'esb-for-b'");
            TextMessage m = s.createTextMessage(pay("shop-b", "esb-for-b", "ESB-FOR-B"));
            m.setStringProperty("Authorization", "Bearer " + TOKEN_B);
            m.setJMSCorrelationID("esb-for-b");
            s.createProducer(s.createQueue("payments.requests")).send(m);
            assertThat(text(results.receive(30_000)).get("status").asText()).isEqualTo("NOTPAY");
            s.createConsumer(s.createQueue("payments.events::payments.events.shop-b")).close();
            s.createConsumer(s.createTopic("payments.events")).close();
            // but not a merchant's own replies.
            assertThatThrownBy(() -> s.createConsumer(s.createQueue("payments.results.shop-b")).receive(200))
                    .isInstanceOf(JMSException.class);
        }
        assertThat(simCalls()).isGreaterThan(calls);
        try (Connection c = amqp("ops", JmsIT.OPS_PASSWORD)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            for (String q : List.of("payments.requests.invalid", "payments.DLQ", "payments.expired")) {
                s.createConsumer(s.createQueue(q)).close();
            }
        }
    }

    @Test
    @Order(5)
    void aReloadPutsAddedChangedAndRemovedLoginsInForce() throws Exception {
        try (Connection old = core("till-b", PASSWORD_B)) {
            Files.writeString(merchantsFile, merchants(PASSWORD_B2, true));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Connection c = null;
            while (c == null && System.nanoTime() < deadline) {
                try {
                    c = core("till-c", PASSWORD_C);
                } catch (JMSException notYet) {
                    Thread.sleep(500);
                }
            }
            assertThat(c).as("till-c logs in after the reload").isNotNull();
            try (Connection added = c) {
                Session s = added.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageConsumer own = s.createConsumer(s.createQueue("payments.results.shop-c"));
                TextMessage m = s.createTextMessage(pay("shop-c", "c-1", "C-1"));
                m.setStringProperty("Authorization", "Bearer logins-it-shop-c-token-03");
                s.createProducer(s.createQueue("payments.requests")).send(m);
                assertThat(text(own.receive(30_000)).get("status").asText()).isEqualTo("NOTPAY");
            }
            // B's password changed: the old one is refused, the new one works.
            assertThatThrownBy(() -> core("till-b", PASSWORD_B).close()).isInstanceOf(JMSException.class);
            core("till-b", PASSWORD_B2).close();
        }
    }

    @SuppressWarnings("unused")
    private static String unique() {
        return UUID.randomUUID().toString();
    }
}
