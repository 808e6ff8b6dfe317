package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.store.TestStore;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real PostgreSQL server stops under load for 10 s and starts again (issue 14). The test starts a
 * PostgreSQL 15 cluster of its own ({@code initdb} in a temporary folder, {@code pg_ctl start} on a
 * free port, 127.0.0.1 only, trust authentication), never the machine's shared server, and gives it
 * to a sandbox gateway as {@code gateway.store.url} ({@code gateway.store.connect-timeout=2}). While
 * an HTTP client and a JMS request-reply client each send a steady stream of SCAN PAYs, the server
 * is stopped with {@code pg_ctl stop -m immediate} (no shutdown checkpoint, every session cut: the
 * harshest stop pg_ctl has, as after a crash; {@code -m fast} ends sessions politely and checkpoints)
 * and started again 10 s later. Just before the stop, the WeChat simulator holds one PAY for 2.5 s,
 * so that one request is cut mid-way: its idempotency key and its order (UNKNOWN) are recorded, its
 * provider call made, its answer not. Asserted, with the bounds named in the constants below:
 *
 * <ul>
 *   <li>{@code /observe/health} answers 503 with {@code checks.store = DOWN} within {@link #DOWN_BOUND}
 *       of the stop, and 200 again within {@link #UP_BOUND} of the server's start;</li>
 *   <li>no request hangs: each is answered within {@link #ANSWER_BOUND} (twice the connect timeout
 *       and a margin); over HTTP with 200 or 503 and the error object
 *       ({@code retryable: true}), over JMS with a reply that is a result or an error with
 *       {@code retryable: true} (docs/messaging.md, "The store down"); at least one of each entry's
 *       requests met the outage;</li>
 *   <li>requests sent once health is UP again succeed;</li>
 *   <li>every request that failed, sent again with the same requestId (on its own entry), gets a final
 *       answer (a result, never 409 or 503), and the simulated WeChat received at most one
 *       {@code unifiedorder} per order, two for an order whose cut-off SCAN PAY was sent again
 *       (the same order at WeChat, paid once): nothing is charged twice;</li>
 *   <li>nothing half-written: no idempotency record is left {@code IN_PROGRESS}; every completed PAY
 *       has its order row and every order row its PAY's completed record; every order's status is the
 *       one its stored answer reports (unless that answer said UNKNOWN).</li>
 *   <li>while the store is down the gauges read from it show NaN in {@code /observe/metrics}
 *       (the {@code GatewayStoreDown} alert of docs/operations.md), and numbers again afterwards.</li>
 * </ul>
 *
 * <p>Only in the PostgreSQL pass ({@code -Ppostgres}): it is a PostgreSQL test. It needs the
 * PostgreSQL 15 server binaries ({@code /usr/lib/postgresql/15/bin}, or
 * {@code -Dpaygate.test.pg.bin=<dir>}); without them it fails saying so, it does not skip.
 * {@code initdb} and {@code pg_ctl} refuse to run as root: when the tests run as root (uid 0, as in
 * CI containers), they run as the {@code postgres} user the Debian packages create
 * ({@code runuser -u postgres --}), in a temporary folder under {@code java.io.tmpdir} given to that
 * user; the folder is removed afterwards.
 */
class PgOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PG_BIN = Path.of(System.getProperty("paygate.test.pg.bin", "/usr/lib/postgresql/15/bin"));
    private static final String TOKEN = "sandbox-demo-token-0001";
    private static final int CONNECT_TIMEOUT_SECONDS = 2;
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    /**
     * Every request's answer: twice the connect timeout (a request cut after its provider call waits
     * for a connection to record the answer, then to record the error answer), the 2.5 s the held
     * PAY spends at WeChat, and a margin for a loaded machine.
     */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(2 * CONNECT_TIMEOUT_SECONDS + 8);
    /** Health DOWN after the stop: the health check's own wait for a connection, and a margin. */
    private static final Duration DOWN_BOUND = Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS + 6);
    /** Health UP after the server accepts connections again. */
    private static final Duration UP_BOUND = Duration.ofSeconds(15);

    /** One request and what became of it; {@code status} is the HTTP status, 0 for a JMS reply, -1 for none. */
    record Attempt(String entry, String requestId, String orderId, long sentMs, long tookMs, int status, String body) {
        JsonNode json() {
            try {
                return body == null ? JSON.missingNode() : JSON.readTree(body);
            } catch (IOException e) {
                return JSON.missingNode();
            }
        }

        boolean succeeded() {
            return (entry.equals("http") ? status == 200 : status == 0) && json().path("error").isMissingNode()
                    && json().path("status").isTextual();
        }
    }

    @Test
    void postgresStoppedForTenSecondsIsDownThenUpAndNoRequestHangsOrIsHalfWritten(@TempDir Path dir) throws Exception {
        assumeTrue(TestStore.external(), "a PostgreSQL test: runs in the PostgreSQL pass (-Ppostgres)");
        FreeSandbox sandbox = FreeSandbox.config(GatewayProcess.PROJECT.resolve("config"), dir.resolve("config"));
        try (PrivatePostgres pg = PrivatePostgres.create()) {
            Map<String, String> env = new LinkedHashMap<>(sandbox.env());
            env.put("GATEWAY_CONFIG_DIR", dir.resolve("config").toString());
            env.put("GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString());
            env.put("GATEWAY_DATA_DIR", dir.resolve("data").toString());
            env.put("GATEWAY_STORE_URL", pg.jdbcUrl());
            env.put("GATEWAY_STORE_USER", "postgres");
            env.put("GATEWAY_STORE_PASSWORD", "");
            env.put("GATEWAY_STORE_CONNECT_TIMEOUT", Integer.toString(CONNECT_TIMEOUT_SECONDS));
            String base = sandbox.base();
            long begun = System.nanoTime();
            try (GatewayProcess gateway = GatewayProcess.gateway(dir, env)) {
                gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(180));
                long t0 = System.nanoTime();
                System.out.printf("PgOutageIT: PostgreSQL and the gateway up in %d ms%n", ms(begun, t0));
                List<Attempt> attempts = new CopyOnWriteArrayList<>();
                AtomicBoolean running = new AtomicBoolean(true);
                Thread http = new Thread(() -> httpLoad(base, t0, running, attempts), "http-load");
                Thread jms = new Thread(() -> jmsLoad(sandbox.broker, t0, running, attempts), "jms-load");
                http.start();
                jms.start();
                long upMs;
                long down;
                long up;
                long stoppedMs;
                long startingMs;
                long startedMs;
                try {
                    // Both entries answer before the outage (a loaded machine's first requests are slow).
                    long warm = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (System.nanoTime() < warm && Stream.of("http", "jms").anyMatch(e -> attempts.stream()
                            .filter(a -> a.entry().equals(e) && a.succeeded()).count() < 3)) {
                        Thread.sleep(100);
                    }
                    for (String entry : List.of("http", "jms")) {
                        assertThat(attempts).as("%s requests before the outage\n%s", entry, gateway.output())
                                .anyMatch(a -> a.entry().equals(entry) && a.succeeded());
                    }

                    // One PAY is at WeChat when the server stops: its answer comes back to a gateway without
                    // its store (its idempotency key recorded, its order UNKNOWN, the answer not recorded).
                    assertThat(Http.postEmpty(sandbox.simulator() + "/sandbox/wechat/faults?delay_ms=2500&count=1")
                            .statusCode()).isEqualTo(200);
                    long planned = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (delaysLeft(sandbox) > 0 && System.nanoTime() < planned) {
                        Thread.sleep(20);
                    }
                    assertThat(delaysLeft(sandbox)).as("a PAY held at WeChat").isZero();
                    pg.stopImmediate();
                    stoppedMs = ms(t0);
                    down = awaitHealth(base, 503, DOWN_BOUND);
                    assertThat(down).as("health DOWN within %s of the stop\n%s", DOWN_BOUND, gateway.output()).isGreaterThanOrEqualTo(0);
                    HttpResponse<String> health = Http.get(base + "/observe/health", null);
                    assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
                    assertThat(JSON.readTree(health.body()).at("/checks/store").asText()).isEqualTo("DOWN");
                    // The gauges read from the store show NaN (docs/operations.md, alert GatewayStoreDown).
                    assertThat(Http.get(base + "/observe/metrics", null).body()).as("metrics while the store is down")
                            .containsPattern("(?m)^gateway_reconcile_backlog(\\{[^}]*\\})? NaN$");

                    Thread.sleep(Math.max(0, stoppedMs + OUTAGE.toMillis() - ms(t0)));
                    startingMs = ms(t0);
                    pg.start();
                    startedMs = ms(t0);
                    up = awaitHealth(base, 200, UP_BOUND);
                    assertThat(up).as("health UP within %s of the server's start\n%s", UP_BOUND, gateway.output())
                            .isGreaterThanOrEqualTo(0);
                    upMs = ms(t0);
                    Thread.sleep(4000);
                } finally {
                    running.set(false);
                    http.join(TimeUnit.SECONDS.toMillis(90));
                    jms.join(TimeUnit.SECONDS.toMillis(90));
                }
                String report = report(attempts, stoppedMs, startingMs, startedMs, upMs);
                System.out.printf("PgOutageIT: health DOWN %d ms after the stop, UP %d ms after the start; %d requests%n%s",
                        down, up, attempts.size(), report);
                assertThat(Http.get(base + "/observe/metrics", null).body()).as("metrics once the store is back")
                        .doesNotContainPattern("(?m)^gateway_reconcile_backlog(\\{[^}]*\\})? NaN$");

                // No request hangs, and each answer is a result or the retryable error.
                for (Attempt a : attempts) {
                    assertThat(a.tookMs()).as("answered within %s: %s\n%s", ANSWER_BOUND, a, report)
                            .isLessThanOrEqualTo(ANSWER_BOUND.toMillis());
                    if (!a.succeeded()) {
                        assertThat(a.status()).as("%s\n%s", a, report).isIn(a.entry().equals("http") ? 503 : 0);
                        JsonNode error = a.json().path("error");
                        assertThat(error.path("retryable").asBoolean()).as("%s\n%s", a, report).isTrue();
                        assertThat(error.path("code").asText()).as("%s", a).isEqualTo("PROVIDER_UNAVAILABLE");
                        assertThat(a.body()).doesNotContain("postgres").doesNotContain("jdbc").doesNotContain("Exception");
                    }
                }
                for (String entry : List.of("http", "jms")) {
                    assertThat(attempts).as("some %s request met the outage\n%s", entry, report)
                            .anyMatch(a -> a.entry().equals(entry) && !a.succeeded());
                    assertThat(attempts).as("%s requests sent once health was UP again succeed\n%s", entry, report)
                            .filteredOn(a -> a.entry().equals(entry) && a.sentMs() > upMs)
                            .isNotEmpty().allMatch(Attempt::succeeded);
                }

                // Every failed request, sent again with the same requestId, gets a final answer.
                List<Attempt[]> resent = new ArrayList<>();
                try (JmsSender sender = new JmsSender(sandbox.broker)) {
                    for (Attempt a : attempts) {
                        if (!a.succeeded()) {
                            resent.add(new Attempt[] {a, a.entry().equals("http") ? httpPay(base, t0, a.requestId(), a.orderId())
                                    : sender.pay(t0, a.requestId(), a.orderId())});
                        }
                    }
                }

                // Nothing charged twice: one unifiedorder at most per order.
                JsonNode calls = JSON.readTree(Http.get(sandbox.simulator() + "/sandbox/wechat/calls", null).body());
                assertThat(calls.path("dropped").asLong()).isZero();
                Map<String, Integer> unifiedOrders = new HashMap<>();
                for (JsonNode c : calls.path("calls")) {
                    if (c.path("path").asText().endsWith("/pay/unifiedorder")) {
                        unifiedOrders.merge(c.path("out_trade_no").asText(), 1, Integer::sum);
                    }
                }
                // A cut-off WeChat SCAN PAY is sent again (the same out_trade_no and terms are the same
                // order at WeChat, paid once: docs/contract.md, idempotency): two unifiedorder calls for
                // such an order, never more, and only as many such orders as copies sent again.
                assertThat(unifiedOrders).as("unifiedorder calls per order").allSatisfy((order, n) -> assertThat(n).as(order).isBetween(1, 2));
                long twice = unifiedOrders.values().stream().filter(n -> n == 2).count();

                for (Attempt[] pair : resent) {
                    Attempt first = pair[0];
                    Attempt again = pair[1];
                    String why = String.format("sent again: %s%nfirst: %s", again, first);
                    assertThat(again.status()).as(why).isEqualTo(first.entry().equals("http") ? 200 : 0);
                    assertThat(again.tookMs()).as(why).isLessThanOrEqualTo(ANSWER_BOUND.toMillis());
                    JsonNode r = again.json();
                    assertThat(r.path("requestId").asText()).as(why).isEqualTo(first.requestId());
                    assertThat(r.path("status").asText()).as(why).isIn("NOTPAY", "UNKNOWN");
                    if (!r.path("error").isMissingNode()) {
                        // Resolved by a QUERY (a provider where a second PAY could charge twice) and the
                        // first attempt never reached it: it has no such order, and the order stays
                        // UNKNOWN until the reconciliation closes it once it has expired.
                        assertThat(r.at("/error/code").asText()).as(why).isEqualTo("ORDER_NOT_FOUND");
                        assertThat(r.path("status").asText()).as(why).isEqualTo("UNKNOWN");
                        assertThat(unifiedOrders.getOrDefault(first.orderId(), 0)).as(why).isZero();
                    }
                }

                // Nothing half-written.
                assertConsistent(pg, attempts);
                String log = gateway.output();
                long queried = log.lines().filter(l -> l.contains("resolving it by query")).count();
                long sentAgain = log.lines().filter(l -> l.contains("resolving it by sending it again")).count();
                System.out.printf("PgOutageIT: %d requests resent; cut mid-way: %d resolved by a QUERY, %d sent again; %d s in all%n",
                        resent.size(), queried, sentAgain, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begun));
                // At least the PAY held at WeChat was cut mid-way, and its copy was taken over as such.
                assertThat(queried + sentAgain).as(log).isGreaterThanOrEqualTo(1);
                assertThat(twice).as("orders sent twice to WeChat, at most one per copy taken over").isLessThanOrEqualTo(sentAgain);
                assertThat(log).doesNotContain("sandbox-broker-password");
            }
        }
    }

    private static void assertConsistent(PrivatePostgres pg, List<Attempt> attempts) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT request_id, state FROM idempotency_record WHERE state <> 'COMPLETE'")) {
                List<String> open = new ArrayList<>();
                while (rs.next()) {
                    open.add(rs.getString(1) + ":" + rs.getString(2));
                }
                assertThat(open).as("idempotency records left unfinished").isEmpty();
            }
            try (ResultSet rs = s.executeQuery("SELECT r.request_id FROM idempotency_record r WHERE r.http_status = 200 "
                    + "AND r.response_body LIKE '%\"operation\":\"PAY\"%' AND NOT EXISTS (SELECT 1 FROM payment_order o "
                    + "WHERE o.merchant = r.merchant AND o.order_id = r.response_body::json->>'orderId')")) {
                List<String> orphans = new ArrayList<>();
                while (rs.next()) {
                    orphans.add(rs.getString(1));
                }
                assertThat(orphans).as("completed PAYs without their order").isEmpty();
            }
            Map<String, String> orders = new HashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT order_id, status FROM payment_order WHERE merchant = 'demo-shop'")) {
                while (rs.next()) {
                    orders.put(rs.getString(1), rs.getString(2));
                }
            }
            Map<String, String> answered = new HashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT response_body::json->>'orderId', response_body::json->>'status' "
                    + "FROM idempotency_record WHERE merchant = 'demo-shop' AND state = 'COMPLETE'")) {
                while (rs.next()) {
                    answered.put(rs.getString(1), rs.getString(2));
                }
            }
            assertThat(orders.keySet()).as("every order row has its PAY's completed record").isSubsetOf(answered.keySet());
            for (Attempt a : attempts) {
                if (a.succeeded()) {
                    assertThat(orders).as("the order of a successful PAY").containsKey(a.orderId());
                }
            }
            orders.forEach((order, status) -> {
                String told = answered.get(order);
                if (told != null && !"UNKNOWN".equals(told)) {
                    assertThat(status).as("order %s: the ledger and its stored answer", order).isEqualTo(told);
                }
            });
        }
    }

    private static long delaysLeft(FreeSandbox sandbox) throws Exception {
        return JSON.readTree(Http.get(sandbox.simulator() + "/sandbox/wechat/faults", null).body()).path("delays_left").asLong();
    }

    private static String report(List<Attempt> attempts, long stoppedMs, long startingMs, long startedMs, long upMs) {
        StringBuilder b = new StringBuilder("stopped at " + stoppedMs + " ms, started at " + startingMs + " ms (accepting at "
                + startedMs + " ms), UP at " + upMs + " ms; failed or slow requests:\n");
        attempts.stream().filter(a -> !a.succeeded() || a.tookMs() > 1000).sorted(Comparator.comparingLong(Attempt::sentMs))
                .forEach(a -> b.append("  ").append(a).append('\n'));
        return b.toString();
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Polls health until it answers {@code status}: how long that took (ms), or -1 past the bound. */
    private static long awaitHealth(String base, int status, Duration bound) throws Exception {
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/observe/health"))
                        .timeout(Duration.ofMillis(Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == status) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
            } catch (java.net.http.HttpTimeoutException e) {
                // past the bound
            }
            Thread.sleep(200);
        }
        return -1;
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static void httpLoad(String base, long t0, AtomicBoolean running, List<Attempt> attempts) {
        for (int n = 1; running.get(); n++) {
            attempts.add(httpPay(base, t0, String.format("pgh-%04d", n), String.format("PGH-%04d", n)));
            pause(150);
        }
    }

    private static Attempt httpPay(String base, long t0, String requestId, String orderId) {
        long sent = ms(t0);
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/payments"))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(pay(requestId, orderId)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return new Attempt("http", requestId, orderId, sent, ms(start, System.nanoTime()), r.statusCode(), r.body());
        } catch (Exception e) {
            return new Attempt("http", requestId, orderId, sent, ms(start, System.nanoTime()), -1, e.toString());
        }
    }

    private static void jmsLoad(int brokerPort, long t0, AtomicBoolean running, List<Attempt> attempts) {
        try (JmsSender sender = new JmsSender(brokerPort)) {
            for (int n = 1; running.get(); n++) {
                attempts.add(sender.pay(t0, String.format("pgj-%04d", n), String.format("PGJ-%04d", n)));
                pause(150);
            }
        } catch (Exception e) {
            attempts.add(new Attempt("jms", "(client)", "", ms(t0), Long.MAX_VALUE, -1, e.toString()));
        }
    }

    /** A merchant system on the bus (the ESB login): PAY, then the reply on its temporary queue. */
    private static final class JmsSender implements AutoCloseable {
        private final JmsClient client;
        private final MessageProducer producer;
        private final TemporaryQueue replies;
        private final MessageConsumer consumer;

        JmsSender(int brokerPort) throws Exception {
            client = new JmsClient(brokerPort, "gateway", "sandbox-broker-password");
            producer = client.session.createProducer(client.session.createQueue("payments.requests"));
            replies = client.session.createTemporaryQueue();
            consumer = client.session.createConsumer(replies);
        }

        Attempt pay(long t0, String requestId, String orderId) {
            long sent = ms(t0);
            long start = System.nanoTime();
            try {
                TextMessage m = client.session.createTextMessage(PgOutageIT.pay(requestId, orderId));
                m.setStringProperty("Authorization", "Bearer " + TOKEN);
                m.setJMSCorrelationID(requestId);
                m.setJMSReplyTo(replies);
                producer.send(m);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline) {
                    jakarta.jms.Message reply = consumer.receive(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    if (reply != null && requestId.equals(reply.getJMSCorrelationID())) {
                        return new Attempt("jms", requestId, orderId, sent, ms(start, System.nanoTime()), 0,
                                ((TextMessage) reply).getText());
                    }
                    // a late reply to an earlier request: that request was already counted as unanswered
                }
                return new Attempt("jms", requestId, orderId, sent, ms(start, System.nanoTime()), -1, "no reply");
            } catch (Exception e) {
                return new Attempt("jms", requestId, orderId, sent, ms(start, System.nanoTime()), -1, e.toString());
            }
        }

        @Override
        public void close() throws Exception {
            client.close();
        }
    }

    private static String pay(String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"demo-shop\",\"operation\":\"PAY\",\"orderId\":\"" + orderId
                + "\",\"amount\":700,\"method\":\"SCAN\",\"subject\":\"Dumplings\"}";
    }

    private static long ms(long start, long end) {
        return TimeUnit.NANOSECONDS.toMillis(end - start);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A PostgreSQL 15 cluster of the test's own: initdb in a temporary folder, the server on a free
     * port of 127.0.0.1 (its socket in the same folder), trust authentication for {@code postgres}.
     * As root, initdb and pg_ctl run as the {@code postgres} user, who owns the folder.
     */
    static final class PrivatePostgres implements AutoCloseable {
        private final Path dir;
        private final Path data;
        private final int port;
        private final List<String> asUser;

        private PrivatePostgres(Path dir, int port, List<String> asUser) {
            this.dir = dir;
            this.data = dir.resolve("data");
            this.port = port;
            this.asUser = asUser;
        }

        static PrivatePostgres create() throws Exception {
            Path initdb = PG_BIN.resolve("initdb");
            if (!Files.isExecutable(initdb) || !Files.isExecutable(PG_BIN.resolve("pg_ctl"))) {
                fail("PgOutageIT needs the PostgreSQL 15 server binaries (initdb, pg_ctl) in " + PG_BIN
                        + ": install postgresql-15, or name their folder with -Dpaygate.test.pg.bin=<dir>");
            }
            boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
            Path dir = Files.createTempDirectory("paygate-pg-");
            List<String> asUser = List.of();
            if (root) {
                // initdb refuses root: the Debian packages' postgres user runs the cluster.
                run(List.of("chown", "postgres:postgres", dir.toString()), Duration.ofSeconds(10));
                asUser = List.of("runuser", "-u", "postgres", "--");
            }
            PrivatePostgres pg = new PrivatePostgres(dir, GatewayProcess.freePort(), asUser);
            try {
                pg.pg(Duration.ofSeconds(90), initdb.toString(), "-D", pg.data.toString(), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--no-sync");
                pg.start();
            } catch (Throwable t) {
                pg.close();
                throw t;
            }
            return pg;
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        }

        void start() throws Exception {
            pg(Duration.ofSeconds(90), PG_BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                    dir.resolve("server.log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                            + " -c max_connections=50 -c shared_buffers=16MB", "-w", "-t", "60", "start");
        }

        /** Immediate shutdown: every session cut, no checkpoint (recovery at the next start), as after a crash. */
        void stopImmediate() throws Exception {
            pg(Duration.ofSeconds(60), PG_BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
        }

        private void pg(Duration timeout, String... command) throws Exception {
            List<String> cmd = new ArrayList<>(asUser);
            cmd.addAll(List.of(command));
            run(cmd, timeout);
        }

        private static void run(List<String> cmd, Duration timeout) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + ": still running after " + timeout);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                fail(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + out);
            }
        }

        @Override
        public void close() throws Exception {
            try {
                if (Files.exists(data.resolve("postmaster.pid"))) {
                    stopImmediate();
                }
            } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }
}
