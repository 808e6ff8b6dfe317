package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * routes/ changed while the gateway runs (the shipped sandbox on free ports, with a copy of routes/
 * and config/), under a steady load over HTTP (PAY then QUERY) and over JMS (PAY request-reply, each
 * reply matched by its correlation id): {@code wechat-orderquery}'s path in routes/wechat.yaml is
 * flipped ten times between {@code /pay/orderquery} and the simulator's {@code /sandboxnew} alias
 * (the simulator's stats tell which path QUERY calls), then a malformed wechat.yaml is written in
 * place (refused: the old routes serve on, the metric, GET /admin/config and the history say so).
 * No request of the load fails or goes unanswered, and no configured secret appears in the log or in
 * an admin answer. Measures the time from a file write to the change in force and the load's p99
 * with and without reloads (docs/benchmarks.md).
 */
class LiveRoutesIT {
    static final String TOKEN = "sandbox-demo-token-0001";
    static final String ADMIN = "sandbox-admin-token-0001";
    static final String BROKER_USER = "gateway";
    static final String BROKER_PASSWORD = "sandbox-broker-password";
    static final String PLAIN = "/pay/orderquery";
    static final String ALIAS = "/sandboxnew/pay/orderquery";
    static final int CHANGES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SECRET_VALUE = Pattern.compile(
            "(?m)^\\s*(?:apiToken|callbackSecret|apiKey|key|password|privateKey|gateway\\.broker\\.password|"
                    + "gateway\\.admin\\.tokens)\\s*[:=]\\s*(\\S+)\\s*$");

    private static Path dir;
    private static Path routes;
    private static Path wechatRoutes;
    private static String original;
    private static FreeSandbox sandbox;
    private static GatewayProcess gateway;
    private static String base;
    private static final List<String> adminAnswers = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("live-routes-it");
        routes = Files.createDirectories(dir.resolve("routes"));
        try (Stream<Path> files = Files.list(GatewayProcess.PROJECT.resolve("routes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        wechatRoutes = routes.resolve("wechat.yaml");
        original = Files.readString(wechatRoutes, StandardCharsets.UTF_8);
        assertThat(original).containsOnlyOnce("{ name: path, value: " + PLAIN + " }");
        sandbox = FreeSandbox.config(GatewayProcess.PROJECT.resolve("config"), dir.resolve("config"));
        base = sandbox.base();
        Map<String, String> env = new java.util.HashMap<>(sandbox.env());
        env.put("GATEWAY_CONFIG_DIR", dir.resolve("config").toString());
        env.put("GATEWAY_ROUTES_DIR", routes.toString());
        env.put("GATEWAY_DATA_DIR", dir.resolve("data").toString());
        // The QUERY counts are the load's and the test's alone.
        env.put("GATEWAY_RECONCILE_ENABLED", "false");
        gateway = GatewayProcess.gateway(dir, env);
        gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String wechatRoutes(String orderQueryPath) {
        return original.replace("{ name: path, value: " + PLAIN + " }", "{ name: path, value: " + orderQueryPath + " }");
    }

    private static long simCalls(String path) throws Exception {
        return JSON.readTree(Http.get(sandbox.simulator() + "/sandbox/wechat/stats", null).body()).path("calls").path(path).asLong();
    }

    private static JsonNode admin(String path) throws Exception {
        HttpResponse<String> r = Http.get(base + path, ADMIN);
        adminAnswers.add(r.body());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static String pay(String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"demo-shop\",\"operation\":\"PAY\",\"orderId\":\"" + orderId
                + "\",\"amount\":500,\"method\":\"SCAN\",\"subject\":\"Rice\"}";
    }

    static String query(String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"demo-shop\",\"operation\":\"QUERY\",\"orderId\":\"" + orderId + "\"}";
    }

    /** A QUERY of {@code orderId} over HTTP, with a new request id; the answer must be the order's NOTPAY. */
    private static void queryOnce(String orderId, String requestId) throws Exception {
        HttpResponse<String> q = Http.post(base + "/api/v1/payments", TOKEN, query(requestId, orderId));
        assertThat(q.statusCode()).as(q.body()).isEqualTo(200);
        assertThat(q.body()).contains("\"NOTPAY\"");
    }

    /** What one load thread saw: failures, and per request {start nanos, latency nanos}. */
    private abstract static class Load implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<long[]> samples = new CopyOnWriteArrayList<>();
        final AtomicInteger n = new AtomicInteger();

        List<Long> latencies(long from, long to) {
            List<Long> l = new ArrayList<>();
            for (long[] s : samples) {
                if (s[0] >= from && s[0] < to) {
                    l.add(s[1]);
                }
            }
            return l;
        }
    }

    /** PAY then QUERY of a new order over HTTP, a few a second. */
    private static final class HttpLoad extends Load {
        @Override
        public void run() {
            while (!stop.get()) {
                String orderId = "LRH-" + n.incrementAndGet();
                try {
                    long t0 = System.nanoTime();
                    HttpResponse<String> p = Http.post(base + "/api/v1/payments", TOKEN, pay(orderId + "-pay", orderId));
                    long t1 = System.nanoTime();
                    samples.add(new long[] {t0, t1 - t0});
                    if (p.statusCode() != 200 || !p.body().contains("\"NOTPAY\"")) {
                        failures.add("PAY " + orderId + ": " + p.statusCode() + " " + p.body());
                    }
                    HttpResponse<String> q = Http.post(base + "/api/v1/payments", TOKEN, query(orderId + "-q", orderId));
                    samples.add(new long[] {t1, System.nanoTime() - t1});
                    if (q.statusCode() != 200 || !q.body().contains("\"NOTPAY\"")) {
                        failures.add("QUERY " + orderId + ": " + q.statusCode() + " " + q.body());
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures.add(orderId + ": " + e);
                }
            }
        }
    }

    /**
     * Writes wechat.yaml in place with {@code path} for wechat-orderquery, then sends a QUERY every
     * ~20 ms until the simulator counts one on that path; returns the nanoseconds from the write.
     */
    private static long flipTo(String path, String probeOrder, int change) throws Exception {
        long before = simCalls(path);
        long written = System.nanoTime();
        Files.writeString(wechatRoutes, wechatRoutes(path), StandardCharsets.UTF_8);
        long deadline = written + Duration.ofSeconds(15).toNanos();
        int probe = 0;
        while (System.nanoTime() < deadline) {
            queryOnce(probeOrder, "probe-" + change + "-" + probe++);
            if (simCalls(path) > before) {
                return System.nanoTime() - written;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("QUERY not on " + path + " within 15 s of change " + change);
    }

    @Test
    void routeChangesUnderHttpAndJmsLoadWithoutAFailedRequest() throws Exception {
        JsonNode first = admin("/admin/config");
        assertThat(first.at("/routes/enabled").asBoolean()).isTrue();
        long routesVersion = first.at("/routes/version").asLong();
        // The probe's order, at the simulator before anything changes.
        assertThat(Http.post(base + "/api/v1/payments", TOKEN, pay("LR-PROBE-pay", "LR-PROBE")).body()).contains("\"NOTPAY\"");
        queryOnce("LR-PROBE", "probe-start");
        assertThat(simCalls(PLAIN)).isGreaterThan(0);
        assertThat(simCalls(ALIAS)).isZero();

        HttpLoad http = new HttpLoad();
        JmsPayLoad jms = new JmsPayLoad(sandbox.broker, BROKER_USER, BROKER_PASSWORD, TOKEN, "LRJ-",
                orderId -> pay(orderId + "-pay", orderId));
        Thread httpThread = new Thread(http, "http-load");
        Thread jmsThread = new Thread(jms, "jms-load");
        httpThread.start();
        jmsThread.start();
        List<Long> effective = new ArrayList<>();
        long quietFrom;
        long quietTo;
        long busyFrom;
        long busyTo;
        try {
            Thread.sleep(3_000);   // warm-up, not measured
            quietFrom = System.nanoTime();
            Thread.sleep(15_000);
            quietTo = System.nanoTime();

            // (d) wechat-orderquery's path flipped between the plain path and the alias, each change awaited.
            busyFrom = System.nanoTime();
            for (int i = 0; i < CHANGES; i++) {
                String to = i % 2 == 0 ? ALIAS : PLAIN;
                String from = i % 2 == 0 ? PLAIN : ALIAS;
                long took = flipTo(to, "LR-PROBE", i);
                assertThat(Duration.ofNanos(took)).as("change " + i + " to " + to + " in force").isLessThan(Duration.ofSeconds(5));
                effective.add(took);
                // In force means every QUERY from now on: the old path is called no more.
                Thread.sleep(300);
                long old = simCalls(from);
                long now = simCalls(to);
                for (int k = 0; k < 3; k++) {
                    queryOnce("LR-PROBE", "check-" + i + "-" + k);
                }
                assertThat(simCalls(from)).as("QUERY no more on " + from + " after change " + i).isEqualTo(old);
                assertThat(simCalls(to)).isGreaterThanOrEqualTo(now + 3);
            }
            busyTo = System.nanoTime();
            JsonNode afterFlips = admin("/admin/config");
            assertThat(afterFlips.at("/routes/version").asLong()).isEqualTo(routesVersion + CHANGES);
            assertThat(afterFlips.at("/routes/last/outcome").asText()).isEqualTo("applied");
            assertThat(afterFlips.at("/routes/last/routes").toString()).contains("wechat-orderquery");

            // (c) for routes: a malformed wechat.yaml, written in place, is refused; the old routes serve on.
            String hashInForce = afterFlips.at("/routes/contentHash").asText();
            int cut = original.indexOf("routeId: wechat-orderquery");
            Files.writeString(wechatRoutes, original.substring(0, cut) + "routeId: [wechat-orderquery\n  parameters: {name: \n",
                    StandardCharsets.UTF_8);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            JsonNode status = admin("/admin/config");
            while (!status.at("/routes/last/outcome").asText().equals("refused") && System.nanoTime() < deadline) {
                Thread.sleep(50);
                status = admin("/admin/config");
            }
            assertThat(status.at("/routes/last/outcome").asText()).as(status.toString()).isEqualTo("refused");
            assertThat(status.at("/routes/last/files").toString()).contains("wechat.yaml");
            assertThat(status.at("/routes/last/error").asText()).contains("wechat.yaml");
            assertThat(status.at("/routes/contentHash").asText()).isEqualTo(hashInForce);
            assertThat(status.at("/routes/version").asLong()).isEqualTo(routesVersion + CHANGES);
            long plain = simCalls(PLAIN);
            long alias = simCalls(ALIAS);
            for (int k = 0; k < 3; k++) {
                queryOnce("LR-PROBE", "refused-" + k);
                assertThat(Http.post(base + "/api/v1/payments", TOKEN, pay("LR-REF-" + k + "-pay", "LR-REF-" + k)).body())
                        .contains("\"NOTPAY\"");
            }
            assertThat(simCalls(PLAIN)).as("the routes in force still query " + PLAIN).isGreaterThanOrEqualTo(plain + 3);
            assertThat(simCalls(ALIAS)).isEqualTo(alias);
            assertThat(refusedRouteReloads()).isGreaterThanOrEqualTo(1.0);
            JsonNode history = admin("/admin/config/history?limit=20");
            JsonNode refusedEntry = null;
            for (JsonNode e : history) {
                if (e.path("kind").asText().equals("routes") && e.path("outcome").asText().equals("refused")) {
                    refusedEntry = e;
                    break;
                }
            }
            assertThat(refusedEntry).as("a refused routes entry in " + history).isNotNull();
            assertThat(refusedEntry.path("error").asText()).contains("wechat.yaml");

            // The good file back: applied again (the content in force, so nothing else changes).
            Files.writeString(wechatRoutes, original, StandardCharsets.UTF_8);
            Thread.sleep(3_000);
        } finally {
            http.stop.set(true);
            jms.stop.set(true);
            httpThread.join(60_000);
            jmsThread.join(60_000);
        }
        queryOnce("LR-PROBE", "probe-end");
        admin("/admin/config/history");

        assertThat(http.failures).as("failed HTTP requests of the load").isEmpty();
        assertThat(jms.failures).as("failed or lost JMS requests of the load").isEmpty();
        assertThat(jms.leftOver.get()).isZero();
        assertThat(jms.replies.get()).isEqualTo(jms.sent.get());
        List<Long> httpQuiet = http.latencies(quietFrom, quietTo);
        List<Long> httpBusy = http.latencies(busyFrom, busyTo);
        List<Long> jmsQuiet = jms.latencies(quietFrom, quietTo);
        List<Long> jmsBusy = jms.latencies(busyFrom, busyTo);
        assertThat(httpQuiet.size()).isGreaterThan(10);
        assertThat(httpBusy.size()).isGreaterThan(10);
        assertThat(jmsQuiet.size()).isGreaterThan(5);
        assertThat(jmsBusy.size()).isGreaterThan(5);

        String figures = String.format(Locale.ROOT,
                "route file write to in force over %d changes: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n"
                        + "HTTP load p99: %.1f ms without reloads (%d requests), %.1f ms during the reloads (%d requests)%n"
                        + "JMS request-reply p99: %.1f ms without reloads (%d requests), %.1f ms during the reloads (%d requests)%n"
                        + "load totals: %d HTTP PAY+QUERY pairs, %d JMS PAY request-replies, 0 failed, 0 lost%n",
                effective.size(), LiveConfigIT.percentile(effective, 0.5) / 1e6, LiveConfigIT.percentile(effective, 0.99) / 1e6,
                Collections.max(effective) / 1e6,
                LiveConfigIT.percentile(httpQuiet, 0.99) / 1e6, httpQuiet.size(), LiveConfigIT.percentile(httpBusy, 0.99) / 1e6, httpBusy.size(),
                LiveConfigIT.percentile(jmsQuiet, 0.99) / 1e6, jmsQuiet.size(), LiveConfigIT.percentile(jmsBusy, 0.99) / 1e6, jmsBusy.size(),
                http.n.get(), jms.sent.get());
        System.out.println("LiveRoutesIT: " + figures);
        Files.writeString(Path.of("target", "live-routes-it.txt"), figures);

        // No configured secret in the log or in any admin answer.
        Set<String> secrets = configuredSecrets();
        assertThat(secrets).contains(TOKEN, ADMIN, BROKER_PASSWORD, "192006250b4c09247ec02edce69f6a2d");
        String log = gateway.output();
        for (String secret : secrets) {
            assertThat(log).as("the log").doesNotContain(secret);
            for (String answer : adminAnswers) {
                assertThat(answer).as("an admin answer").doesNotContain(secret);
            }
        }
        assertThat(log).contains("wechat.yaml");
    }

    /** gateway_route_reloads_total{outcome="refused"} from /observe/metrics. */
    private static double refusedRouteReloads() throws Exception {
        String metrics = Http.get(base + "/observe/metrics", null).body();
        Matcher m = Pattern.compile("(?m)^gateway_route_reloads_total\\{[^}]*outcome=\"refused\"[^}]*} ([0-9.Ee+-]+)$")
                .matcher(metrics);
        assertThat(m.find()).as("gateway_route_reloads_total{outcome=\"refused\"} in the metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Every secret value in the test's config/ (tokens, keys, passwords), environment references left out. */
    private static Set<String> configuredSecrets() throws Exception {
        Set<String> secrets = new LinkedHashSet<>();
        for (String file : List.of("merchants.yaml", "application.properties")) {
            Matcher m = SECRET_VALUE.matcher(Files.readString(dir.resolve("config").resolve(file), StandardCharsets.UTF_8));
            while (m.find()) {
                String value = m.group(1);
                if (!value.startsWith("${") && value.length() >= 8) {
                    for (String one : value.split(",")) {
                        secrets.add(one.trim());
                    }
                }
            }
        }
        return secrets;
    }
}
