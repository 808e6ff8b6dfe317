package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway on an external Artemis primary/backup pair with replication, both brokers from the
 * distribution with docs/broker.xml and its HA-PAIR block, the gateway and the merchant systems
 * on the failover URL {@code (tcp://primary,tcp://backup)?ha=true&reconnectAttempts=-1}. Under load
 * (JMS PAY request-reply from several clients; HTTP PAYs paid and notified, whose final events go to
 * the merchant's callback) the primary is killed with kill -9 and the backup takes over. A client
 * whose request has no reply after a while, or whose send fails, sends it again with the same
 * requestId (a new correlation id). Afterwards: every JMS request has its reply, no attempt has two,
 * the replies of one request are the same answer (the idempotency replay), the simulator saw exactly
 * one unifiedorder per order, every final event reached the callback with one eventId per order and
 * type (a copy after the failover carries the same one), and the gateway is UP with the broker UP.
 * Prints the time from the kill to the first reply through the backup ("ArtemisHaIT:" line).
 */
class ArtemisHaIT {
    private static final String TOKEN = "ha-it-merchant-token-01";
    private static final String KEY = "haitkey000000000000000000000001x";
    private static final String SECRET = "ha-it-callback-secret";
    private static final String BROKER_PW = "ha-gateway-broker-pw";
    private static final String CLUSTER_PW = "ha-it-cluster-pw";
    private static final String MCH = "1970";
    private static final String APP = "wxha";
    private static final String MERCHANT = "ha-shop";
    private static final String NOTIFY_OK = "<return_code><![CDATA[SUCCESS]]></return_code>";
    /** -Dpaygate.test.ha.clients=N runs more clients, for more transactions open at the kill. */
    private static final int JMS_CLIENTS = Integer.getInteger("paygate.test.ha.clients", 3);
    private static final long KILL_AFTER_MS = 4_000;
    private static final long LOAD_AFTER_KILL_MS = 10_000;
    /** A client sends a request again (same requestId) when its reply has not come within this. */
    private static final long ATTEMPT_TIMEOUT_MS = 8_000;
    private final ObjectMapper json = new ObjectMapper();

    /** One JMS PAY of a client: its attempts' correlation ids, in order. */
    private record Request(String requestId, String orderId, List<String> attempts) {
    }

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Correlation id → the bodies of every reply that came for it. */
    private final Map<String, List<String>> replies = new ConcurrentHashMap<>();
    /** Correlation id → when each attempt was sent and each reply came (ms from the kill) and its JMSMessageID, for a failure's message. */
    private final Map<String, List<String>> trace = new ConcurrentHashMap<>();
    private final AtomicInteger resent = new AtomicInteger();
    private final AtomicInteger sendFailures = new AtomicInteger();
    private final AtomicLong killedAt = new AtomicLong();
    private final AtomicLong firstReplyAfterKill = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();

    @Test
    void thePrimaryBrokerKilledUnderLoadTheBackupTakesOverAndNothingIsLostOrDoneTwice(@TempDir Path dir) throws Exception {
        // Five JVMs (two brokers, simulator, gateway, this one) for a minute or more: in the PostgreSQL pass of
        // CI only, which is shorter than the default one (docs/deployment.md).
        assumeTrue(io.paygate.store.TestStore.external(), "runs with the tests on PostgreSQL (-Ppostgres)");
        long began = System.nanoTime();
        int primaryPort = GatewayProcess.freePort();
        int backupPort = GatewayProcess.freePort();
        int httpPort = GatewayProcess.freePort();
        String failoverUrl = "(tcp://127.0.0.1:" + primaryPort + ",tcp://127.0.0.1:" + backupPort + ")?ha=true&reconnectAttempts=-1";
        // the two instances made side by side (each "artemis create" is a JVM of its own)
        java.util.concurrent.CompletableFuture<Path> creating = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return ExternalBrokerIT.createBroker(dir, "backup", backupPort, MERCHANT, BROKER_PW,
                        xml -> pair(xml, primaryPort, backupPort, false));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Path primaryHome = ExternalBrokerIT.createBroker(dir, "primary", primaryPort, MERCHANT, BROKER_PW,
                xml -> pair(xml, primaryPort, backupPort, true));
        Path backupHome = creating.get(120, TimeUnit.SECONDS);
        assertThat(Files.readString(backupHome.resolve("etc/broker.xml"))).contains("        <backup/>\n")
                .doesNotContain("        <primary>\n").doesNotContain("<!-- HA-PAIR");
        String base = "http://127.0.0.1:" + httpPort;
        try (CallbackServer callbacks = new CallbackServer(SECRET);
             GatewayProcess primary = ExternalBrokerIT.runBroker(dir, primaryHome);
             GatewayProcess backup = ExternalBrokerIT.runBroker(dir, backupHome)) {
            primary.awaitOutput("AMQ221007", Duration.ofSeconds(90));
            // AMQ221024: the backup is synchronized with the primary; AMQ221031: it announced itself.
            backup.awaitOutput("AMQ221031", Duration.ofSeconds(90));
            assertThat(backup.output()).contains("AMQ221024");
            long brokersUp = System.nanoTime();
            try (GatewayProcess simulator = GatewayProcess.wechatSimulator(dir, 0, MCH + ":" + APP + ":" + KEY)) {
                int simPort = simulator.listeningPort("wechat");
                String sim = "http://127.0.0.1:" + simPort;
                Map<String, String> env = config(dir, httpPort, simPort, callbacks.port());
                env.put("GATEWAY_BROKER_URL", failoverUrl);
                try (GatewayProcess gateway = GatewayProcess.gateway(dir, env)) {
                    gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(90));
                    long gatewayUp = System.nanoTime();
                    try {
                        run(failoverUrl, base, sim, primary, backup, gateway, callbacks);
                    } finally {
                        stop.set(true);
                        String out = gateway.output();
                        // -Dpaygate.test.ha.keep-logs=true keeps the three logs under target/ for a look after the run
                        if (Boolean.getBoolean("paygate.test.ha.keep-logs")) {
                            Files.writeString(Path.of("target/artemisha-gateway.log"), out);
                            Files.writeString(Path.of("target/artemisha-primary.log"), primary.output());
                            Files.writeString(Path.of("target/artemisha-backup.log"), backup.output());
                        }
                        assertThat(out).doesNotContain(KEY).doesNotContain(SECRET).doesNotContain(BROKER_PW).doesNotContain(TOKEN);
                    }
                    System.out.printf("ArtemisHaIT: brokers up and in sync after %d ms, gateway healthy after %d ms more, "
                                    + "whole test %d ms%n", TimeUnit.NANOSECONDS.toMillis(brokersUp - began),
                            TimeUnit.NANOSECONDS.toMillis(gatewayUp - brokersUp), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
                }
            }
        }
    }

    /**
     * docs/broker.xml with its HA-PAIR block in force, as docs/deployment.md tells: the marker lines
     * gone, the two connectors on the pair's ports, the pair's cluster password, and on the backup the
     * two connector URLs swapped and {@code <backup/>} for the {@code <primary>} element.
     */
    static String pair(String xml, int primaryPort, int backupPort, boolean primary) {
        assertThat(xml).contains("<!-- HA-PAIR\n").contains("\n    HA-PAIR -->\n");
        String thisBroker = "tcp://127.0.0.1:" + (primary ? primaryPort : backupPort);
        String otherBroker = "tcp://127.0.0.1:" + (primary ? backupPort : primaryPort);
        String out = xml.replace("    <!-- HA-PAIR\n", "").replace("\n    HA-PAIR -->\n", "\n")
                .replace("<connector name=\"this-broker\">tcp://primary.example:61616</connector>",
                        "<connector name=\"this-broker\">" + thisBroker + "</connector>")
                .replace("<connector name=\"other-broker\">tcp://backup.example:61616</connector>",
                        "<connector name=\"other-broker\">" + otherBroker + "</connector>")
                .replace("<cluster-password>CHANGE-ME</cluster-password>", "<cluster-password>" + CLUSTER_PW + "</cluster-password>");
        if (!primary) {
            int from = out.indexOf("        <primary>\n");
            int to = out.indexOf("        </primary>\n");
            assertThat(from).isPositive();
            out = out.substring(0, from) + "        <backup/>\n" + out.substring(to + "        </primary>\n".length());
        }
        assertThat(out).contains(thisBroker).contains(otherBroker).contains(CLUSTER_PW);
        return out;
    }

    private Map<String, String> config(Path dir, int httpPort, int simPort, int callbackPort) throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("application.properties"), String.join("\n",
                "gateway.http.host=127.0.0.1",
                "gateway.http.port=" + httpPort,
                "gateway.public-base-url=http://127.0.0.1:" + httpPort,
                "gateway.broker.user=gateway",
                "gateway.broker.password=" + BROKER_PW,
                "gateway.events.poll-ms=100",
                "gateway.sandbox.enabled=false", ""));
        Files.writeString(config.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  " + MERCHANT + ":",
                "    provider: wechat",
                "    apiToken: " + TOKEN,
                "    callbackSecret: " + SECRET,
                "    notifyUrl: http://127.0.0.1:" + callbackPort + "/events",
                "    callbackHosts: [127.0.0.1]",
                "    retrySchedule: [1, 1, 2, 5]",
                "    wechat: {baseUrl: 'http://127.0.0.1:" + simPort + "', appId: " + APP + ", mchId: '" + MCH + "', apiKey: "
                        + KEY + ", signType: HMAC-SHA256}", ""));
        return new HashMap<>(Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                "GATEWAY_DATA_DIR", dir.resolve("data").toString()));
    }

    private void run(String failoverUrl, String base, String sim, GatewayProcess primary, GatewayProcess backup,
                     GatewayProcess gateway, CallbackServer callbacks) throws Exception {
        List<String> httpOrders = new CopyOnWriteArrayList<>();
        Set<String> notified = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(JMS_CLIENTS + 2);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int k = 0; k < JMS_CLIENTS; k++) {
                int client = k;
                work.add(pool.submit(() -> {
                    jmsClient(failoverUrl, client);
                    return null;
                }));
            }
            // HTTP PAYs, each paid at the simulator and notified: a PAYMENT_SUCCEEDED event per order for the callback.
            work.add(pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String orderId = "HA-H-" + i;
                    httpOrders.add(orderId);
                    HttpResponse<String> r = httpPay(base, "ha-h-" + i, orderId);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    JsonNode order = json.readTree(Http.postEmpty(sim + "/sandbox/wechat/pay?out_trade_no=" + orderId).body());
                    String xml = WechatNotifications.signedXml(WechatNotifications.paid(APP, MCH, orderId, 300,
                            order.path("transaction_id").asText()), KEY);
                    HttpResponse<String> n = Http.postXml(base + "/notify/wechat/" + MERCHANT, xml);
                    assertThat(n.body()).as(n.body()).contains(NOTIFY_OK);
                    notified.add(orderId);
                    Thread.sleep(150);
                }
                return null;
            }));

            // The load runs: every client has its replies and the callbacks come, then a while more.
            long loadFrom = System.nanoTime();
            long ready = loadFrom + TimeUnit.SECONDS.toNanos(60);
            while (replies.size() < 2 * JMS_CLIENTS || callbacks.calls.isEmpty()) {
                assertThat(System.nanoTime()).as("JMS replies and callbacks before the kill: %d, %d", replies.size(),
                        callbacks.calls.size()).isLessThan(ready);
                for (Future<?> f : work) {
                    if (f.isDone()) {
                        f.get();
                    }
                }
                Thread.sleep(100);
            }
            System.out.printf("ArtemisHaIT: the load ran %d ms before its first replies and callbacks%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadFrom));
            Thread.sleep(KILL_AFTER_MS);
            int answeredBeforeKill = replies.size();
            // The health the gateway reports through the failover (printed: DOWN while it is between brokers).
            List<String> healthSeen = new CopyOnWriteArrayList<>();
            killedAt.set(System.nanoTime());
            work.add(pool.submit(() -> {
                String last = "";
                while (!stop.get()) {
                    String now;
                    try {
                        HttpResponse<String> h = Http.get(base + "/observe/health", null);
                        now = h.statusCode() + " broker " + json.readTree(h.body()).at("/checks/broker").asText();
                    } catch (Exception e) {
                        now = e.toString();
                    }
                    if (!now.equals(last)) {
                        healthSeen.add("+" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt.get()) + " ms " + now);
                        last = now;
                    }
                    Thread.sleep(200);
                }
                return null;
            }));
            primary.kill9();
            backup.awaitOutput("AMQ221007", Duration.ofSeconds(60));
            long backupActive = System.nanoTime();
            Thread.sleep(LOAD_AFTER_KILL_MS);
            stop.set(true);
            for (Future<?> f : work) {
                f.get(150, TimeUnit.SECONDS);
            }
            long loadEnded = System.nanoTime();

            // Every JMS request has its reply; no attempt has two; one request's replies are one answer.
            List<String> twice = new ArrayList<>();
            List<String> differing = new ArrayList<>();
            for (Request r : requests) {
                List<String> bodies = new ArrayList<>();
                for (String corr : r.attempts()) {
                    List<String> got = replies.getOrDefault(corr, List.of());
                    if (got.size() > 1) {
                        twice.add(corr + " " + got.size() + " " + trace.get(corr) + " " + got);
                    }
                    bodies.addAll(got);
                }
                assertThat(bodies).as("replies to " + r.requestId()).isNotEmpty();
                JsonNode first = json.readTree(bodies.get(0));
                assertThat(first.path("status").asText()).as(bodies.get(0)).isEqualTo("NOTPAY");
                assertThat(first.path("requestId").asText()).isEqualTo(r.requestId());
                if (bodies.stream().distinct().count() > 1) {
                    differing.add(r.requestId() + " " + bodies);
                }
            }
            // The request's acknowledgement and its reply are one commit of one session (TransactedSessionTest):
            // a failover can roll both back (the request comes again, answered by the idempotency replay),
            // never deliver the request again after its reply went out. (Before, they were two commits and
            // one run saw an attempt answered twice.)
            for (String t : twice) {
                String requestId = t.substring(0, t.indexOf('#'));
                System.out.printf("ArtemisHaIT: answered twice: %s; the gateway's log of %s:%n%s%n", t, requestId,
                        gateway.output().lines().filter(l -> l.contains("[" + requestId + "]")).collect(java.util.stream.Collectors.joining("\n")));
            }
            assertThat(twice).as("attempts answered twice").isEmpty();
            assertThat(differing).as("requests whose replies differ").isEmpty();
            Set<String> attempts = ConcurrentHashMap.newKeySet();
            requests.forEach(r -> attempts.addAll(r.attempts()));
            assertThat(attempts).as("every reply answers an attempt a client made").containsAll(replies.keySet());

            // The provider: exactly one unifiedorder per order, JMS and HTTP alike.
            JsonNode calls = json.readTree(Http.get(sim + "/sandbox/wechat/calls", null).body());
            assertThat(calls.path("dropped").asLong()).isZero();
            Map<String, Long> unified = new TreeMap<>();
            for (JsonNode c : calls.path("calls")) {
                if (c.path("path").asText().equals("/pay/unifiedorder")) {
                    unified.merge(c.path("out_trade_no").asText(), 1L, Long::sum);
                }
            }
            assertThat(unified.entrySet().stream().filter(e -> e.getValue() != 1).toList()).as("orders charged twice").isEmpty();
            List<String> orders = new ArrayList<>(httpOrders);
            requests.forEach(r -> orders.add(r.orderId()));
            assertThat(unified.keySet()).as("orders at the provider").containsExactlyInAnyOrderElementsOf(orders);

            // Callbacks: every final event at least once, one eventId per order and type, copies with the same eventId.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Map<String, Set<String>> eventIds = eventIds(callbacks);
            while (!notified.stream().allMatch(o -> eventIds.containsKey(o + " PAYMENT_SUCCEEDED"))) {
                assertThat(System.nanoTime()).as("the callback of every final event; missing: %s", notified.stream()
                        .filter(o -> !eventIds.containsKey(o + " PAYMENT_SUCCEEDED")).toList()).isLessThan(deadline);
                Thread.sleep(250);
                eventIds.clear();
                eventIds.putAll(eventIds(callbacks));
            }
            long callbacksDone = System.nanoTime();
            assertThat(callbacks.calls).allSatisfy(c -> assertThat(c.signatureValid()).isTrue());
            assertThat(eventIds.entrySet().stream().filter(e -> e.getValue().size() != 1).map(Map.Entry::getKey).toList())
                    .as("orders and event types with more than one eventId").isEmpty();
            Map<String, Long> perEventId = new TreeMap<>();
            callbacks.calls.forEach(c -> perEventId.merge(c.eventId(), 1L, Long::sum));
            long duplicates = perEventId.values().stream().filter(n -> n > 1).count();

            // The gateway stayed up and reports the broker (now the backup) UP.
            assertThat(gateway.isAlive()).isTrue();
            HttpResponse<String> health = Http.get(base + "/observe/health", null);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(json.readTree(health.body()).at("/checks/broker").asText()).isEqualTo("UP");

            long kill = killedAt.get();
            System.out.printf("ArtemisHaIT: primary killed after %d JMS replies; backup active %d ms after the kill; "
                            + "first JMS reply through the backup %d ms after the kill%n", answeredBeforeKill,
                    TimeUnit.NANOSECONDS.toMillis(backupActive - kill), TimeUnit.NANOSECONDS.toMillis(firstReplyAfterKill.get() - kill));
            System.out.printf("ArtemisHaIT: %d JMS requests from %d clients (%d sent again, %d failed sends), %d HTTP PAYs notified; "
                            + "load ended %d ms after the kill; every callback in %d ms more; %d events delivered more than once "
                            + "(same eventId); JMS attempts answered twice (same answer): %s%n", requests.size(), JMS_CLIENTS,
                    resent.get(), sendFailures.get(), notified.size(),
                    TimeUnit.NANOSECONDS.toMillis(loadEnded - kill), TimeUnit.NANOSECONDS.toMillis(callbacksDone - loadEnded), duplicates, twice);
            System.out.printf("ArtemisHaIT: the gateway's health after the kill: %s%n", healthSeen);
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    private Map<String, Set<String>> eventIds(CallbackServer callbacks) throws Exception {
        Map<String, Set<String>> ids = new HashMap<>();
        for (CallbackServer.Call c : callbacks.calls) {
            String type = json.readTree(c.body()).path("type").asText();
            ids.computeIfAbsent(c.orderId() + " " + type, k -> ConcurrentHashMap.newKeySet()).add(c.eventId());
        }
        return ids;
    }

    /**
     * A merchant system on the failover URL: PAY request-reply, one request at a time on its own
     * temporary queue. A request without a reply after {@link #ATTEMPT_TIMEOUT_MS}, or whose send
     * fails, is sent again with the same requestId and a new correlation id.
     */
    private void jmsClient(String failoverUrl, int client) throws Exception {
        try (JmsClient c = new JmsClient(failoverUrl, "merchant-systems", JmsIT.CLIENT_PASSWORD)) {
            TemporaryQueue replyQueue = c.session.createTemporaryQueue();
            MessageConsumer consumer = c.session.createConsumer(replyQueue);
            MessageProducer producer = c.session.createProducer(c.session.createQueue("payments.requests"));
            for (int i = 0; !stop.get(); i++) {
                Request r = new Request("ha-j" + client + "-" + i, "HA-J" + client + "-" + i, new CopyOnWriteArrayList<>());
                requests.add(r);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                boolean answered = false;
                for (int attempt = 0; !answered; attempt++) {
                    assertThat(System.nanoTime()).as("a reply to " + r.requestId()).isLessThan(deadline);
                    if (attempt > 0) {
                        resent.incrementAndGet();
                    }
                    String corr = r.requestId() + "#" + attempt;
                    r.attempts().add(corr);
                    try {
                        TextMessage m = c.session.createTextMessage(payJson(r.requestId(), r.orderId()));
                        m.setStringProperty("Authorization", "Bearer " + TOKEN);
                        m.setJMSReplyTo(replyQueue);
                        m.setJMSCorrelationID(corr);
                        producer.send(m);
                        trace(corr, "sent " + m.getJMSMessageID());
                        answered = awaitReply(consumer, r, ATTEMPT_TIMEOUT_MS);
                    } catch (JMSException e) {
                        sendFailures.incrementAndGet();
                        Thread.sleep(250);
                    }
                }
                Thread.sleep(100);
            }
            // late replies (to attempts given up on) are counted too
            while (receive(consumer, 3_000) != null) {
                // recorded
            }
        }
    }

    /** Receives until a reply to one of the request's attempts comes (true) or the time is up. */
    private boolean awaitReply(MessageConsumer consumer, Request r, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        long left;
        while ((left = deadline - System.currentTimeMillis()) > 0) {
            Message m = receive(consumer, left);
            if (m != null && r.attempts().contains(m.getJMSCorrelationID())) {
                return true;
            }
        }
        return false;
    }

    private Message receive(MessageConsumer consumer, long timeoutMs) throws Exception {
        Message m = consumer.receive(timeoutMs);
        if (m != null) {
            long now = System.nanoTime();
            if (killedAt.get() != 0 && now > killedAt.get()) {
                firstReplyAfterKill.compareAndSet(0, now);
            }
            replies.computeIfAbsent(m.getJMSCorrelationID(), k -> new CopyOnWriteArrayList<>()).add(((TextMessage) m).getText());
            trace(m.getJMSCorrelationID(), "reply " + m.getJMSMessageID());
        }
        return m;
    }

    private void trace(String corr, String what) {
        long kill = killedAt.get();
        String when = kill == 0 ? "before the kill" : (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - kill) + " ms from the kill");
        trace.computeIfAbsent(corr, k -> new CopyOnWriteArrayList<>()).add(what + " at " + when);
    }

    /** An HTTP PAY; a retryable answer (503, or 409 "still being processed") is sent again with the same requestId. */
    private HttpResponse<String> httpPay(String base, String requestId, String orderId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            HttpResponse<String> r = Http.post(base + "/api/v1/payments", TOKEN, payJson(requestId, orderId));
            if (r.statusCode() != 503 && !(r.statusCode() == 409 && r.body().contains("\"retryable\":true"))) {
                return r;
            }
            assertThat(System.nanoTime()).as("an answer to " + requestId + ": " + r.body()).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static String payJson(String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + MERCHANT + "\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":300,\"method\":\"SCAN\",\"subject\":\"Noodles\"}";
    }
}
