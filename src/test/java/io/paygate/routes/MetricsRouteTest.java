package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.broker.Destinations;
import io.paygate.broker.Messaging;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /observe/metrics} through the gateway's real beans and routes (payment-api,
 * provider-operations, notify, the metrics route of http-api) with the test-only provider
 * {@code testpay} and the embedded broker: the scrape is Prometheus text with the request counter
 * by merchant, provider, operation and outcome, the provider call's histogram, the provider's
 * errors, the notifications by provider and outcome, the reconciliation gauges and the broker's
 * queue depths, and no configured token or secret anywhere in it.
 */
class MetricsRouteTest extends RouteTestSupport {
    private static final String KEY = "testpay-secret-key-7301";
    private static final String TOKEN = "metrics-shop-token-7301";
    private static final String TOKEN_FORGED = "metrics-forged-token-7302";
    private static final String ADMIN = "metrics-admin-token-7303";
    private static final String BROKER_PASSWORD = "metrics-broker-pass-7304";
    private static Path dir;
    private static Fixture fixture;
    private static io.paygate.testpay.TestPayProvider provider;
    private static Messaging messaging;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("metrics-route");
        provider = new io.paygate.testpay.TestPayProvider(KEY);
        String base = provider.baseUrl();
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=https://gw.example.com",
                "gateway.admin.tokens=" + ADMIN,
                "gateway.broker.port=0",
                "gateway.broker.user=metrics-client",
                "gateway.broker.password=" + BROKER_PASSWORD, ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  metrics-shop:",
                "    provider: testpay",
                "    apiToken: " + TOKEN,
                "    testpay: {baseUrl: '" + base + "', key: " + KEY + "}",
                "  metrics-forged:",
                "    provider: testpay",
                "    apiToken: " + TOKEN_FORGED,
                "    testpay: {baseUrl: '" + base + "/forged', key: " + KEY + "}", ""));
        fixture = Fixture.load(dir, 4);
        messaging = Messaging.start(fixture.settings(), fixture.merchants());
    }

    @AfterAll
    static void stop() {
        provider.close();
        messaging.close();
        fixture.close();
    }

    @Override
    protected Fixture fixture() {
        return fixture;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        beans.bindMessaging((name, bean) -> context.getRegistry().bind(name, bean), messaging, fixture.settings(),
                io.paygate.events.RelayProbe.NONE);
        return context;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("payment-api.yaml", "errors.yaml", "provider-operations.yaml");
    }

    /** The test provider's routes; notify-in and the metrics route entered through direct: instead of their HTTP endpoints. */
    @Override
    protected List<Resource> extraRoutes() throws IOException {
        String notify = Files.readString(Path.of("routes/notify.yaml"))
                .replace("uri: \"platform-http:/notify/{provider}/{merchant}\"", "uri: \"direct:notify-in\"")
                .replace("      parameters:\n        httpMethodRestrict: POST\n", "");
        assertThat(notify).contains("direct:notify-in").doesNotContain("platform-http");
        Matcher m = Pattern.compile("(?s)- route:\\n    id: http-metrics\\n.*?(?=\\n- route:)")
                .matcher(Files.readString(Path.of("routes/http-api.yaml")));
        assertThat(m.find()).as("routes/http-api.yaml has the http-metrics route").isTrue();
        String metrics = m.group().replace("uri: \"management-http:/observe/metrics\"\n      parameters:\n"
                + "        httpMethodRestrict: GET\n", "uri: \"direct:observe-metrics\"\n");
        assertThat(metrics).contains("direct:observe-metrics").doesNotContain("-http:");
        return List.of(ResourceHelper.resolveMandatoryResource(context, "classpath:testpay/testpay.yaml"),
                ResourceHelper.fromString("notify.yaml", notify),
                ResourceHelper.fromString("metrics.yaml", metrics));
    }

    @Test
    void aPayAndANotificationShowInThePrometheusScrapeWithoutASecret() throws Exception {
        assertThat(call(TOKEN, pay("metrics-shop", "m-1", "MO-0001")).status()).isEqualTo(200);
        assertThat(call(TOKEN_FORGED, pay("metrics-forged", "m-2", "MO-0002")).at("/error/code"))
                .isEqualTo("SIGNATURE_INVALID");
        assertThat(call("no-such-token-000000", pay("metrics-shop", "m-3", "MO-0003")).status()).isEqualTo(401);
        Exchange notice = template.send("direct:notify-in", e -> {
            e.getMessage().setHeader("provider", "testpay");
            e.getMessage().setHeader("merchant", "metrics-shop");
            e.getMessage().setBody("forged notice".getBytes(StandardCharsets.UTF_8));
        });
        assertThat(notice.getException()).isNull();
        template.send("direct:notify-in", e -> {
            e.getMessage().setHeader("provider", "no-such-provider");
            e.getMessage().setHeader("merchant", "metrics-shop");
            e.getMessage().setBody("x".getBytes(StandardCharsets.UTF_8));
        });

        // A merchant callback answered 503 on its first attempt (the deliveries route's outcome step).
        io.paygate.delivery.CallbackDelivery callbacks = context.getRegistry()
                .lookupByNameAndType("callbackDelivery", io.paygate.delivery.CallbackDelivery.class);
        Exchange attempt = new org.apache.camel.support.DefaultExchange(context);
        io.paygate.route.RouteProperties.DELIVERY_ATTEMPT.set(attempt, 1);
        io.paygate.route.RouteProperties.EVENT_ID.set(attempt, "ev-metrics-1");
        io.paygate.route.RouteProperties.EVENT_MERCHANT.set(attempt, "metrics-shop");
        io.paygate.route.RouteProperties.EVENT_ORDER_ID.set(attempt, "MO-0001");
        io.paygate.route.RouteProperties.EVENT_JSON.set(attempt, "{}");
        attempt.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 503);
        callbacks.outcome(attempt);
        assertThat(io.paygate.route.RouteProperties.DELIVERY_NEXT.get(attempt)).isEqualTo("retry");

        // One order made two minutes ago: due for reconciliation (gateway.reconcile.min-age is 60 s).
        try (java.sql.Connection c = fixture.db().dataSource().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "UPDATE payment_order SET created_at = ? WHERE merchant = 'metrics-shop' AND order_id = 'MO-0001'")) {
            ps.setObject(1, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusSeconds(120));
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        // Gauges over the database are read at most every few seconds (the other test may have read them).
        Exchange scrape;
        long deadline = System.nanoTime() + 10_000_000_000L;
        do {
            scrape = template.send("direct:observe-metrics", e -> { });
            if (sample(scrape.getMessage().getBody(String.class), "gateway_reconcile_backlog") != 1.0) {
                Thread.sleep(200);
            } else {
                break;
            }
        } while (System.nanoTime() < deadline);
        assertThat(scrape.getMessage().getHeader("Content-Type", String.class)).startsWith("text/plain; version=0.0.4");
        assertThat(scrape.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(200);
        String text = scrape.getMessage().getBody(String.class);
        Files.writeString(dir.resolve("scrape.txt"), text);

        assertThat(sample(text, "gateway_requests_total",
                "merchant=\"metrics-shop\"", "operation=\"PAY\"", "outcome=\"2xx\"", "provider=\"testpay\"")).isEqualTo(1.0);
        assertThat(sample(text, "gateway_requests_total",
                "merchant=\"metrics-forged\"", "operation=\"PAY\"", "outcome=\"SIGNATURE_INVALID\"", "provider=\"testpay\""))
                .isEqualTo(1.0);
        // A caller without a valid token is counted, but names no merchant.
        assertThat(sample(text, "gateway_requests_total", "merchant=\"unknown\"", "outcome=\"UNAUTHORIZED\"")).isEqualTo(1.0);
        // The provider call's latency histogram: the buckets, the +Inf bucket counting both calls.
        assertThat(text).containsPattern("gateway_provider_call_seconds_bucket\\{[^}]*le=\"0\\.[0-9]+\"");
        assertThat(sample(text, "gateway_provider_call_seconds_bucket", "le=\"+Inf\"", "operation=\"PAY\"",
                "provider=\"testpay\"")).isEqualTo(2.0);
        assertThat(sample(text, "gateway_provider_errors_total", "code=\"SIGNATURE_INVALID\"", "operation=\"PAY\"",
                "provider=\"testpay\"")).isEqualTo(1.0);
        assertThat(sample(text, "gateway_notifications_total", "outcome=\"REJECTED\"", "provider=\"testpay\""))
                .isEqualTo(1.0);
        assertThat(sample(text, "gateway_notifications_total", "outcome=\"REJECTED\"", "provider=\"unknown\""))
                .isEqualTo(1.0);
        // Two PAYs left open orders; the one made two minutes ago is due, the other not yet.
        assertThat(sample(text, "gateway_reconcile_backlog")).isEqualTo(1.0);
        assertThat(sample(text, "gateway_open_order_oldest_age_seconds")).isBetween(119.0, 600.0);
        // Their values are the other test's (which fills the dead-letter queue).
        for (String q : List.of("payments.requests", "payments.DLQ", "payments.deliveries", "payments.deliveries.DLQ",
                "payments.requests.invalid")) {
            assertThat(sample(text, "gateway_broker_queue_depth", "queue=\"" + q + "\"")).isGreaterThanOrEqualTo(0.0);
        }
        assertThat(sample(text, "gateway_dead_deliveries")).isGreaterThanOrEqualTo(0.0);
        assertThat(text).contains("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "process_cpu_usage",
                "process_uptime_seconds", "system_cpu_count", "jvm_classes_loaded_classes");
        // the JIT's time (its label names the JVM's compiler): the gateway has compiled something by now
        assertThat(text.lines().filter(l -> l.startsWith("jvm_compilation_time_ms_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum()).isPositive();

        assertThat(sample(text, "gateway_callbacks_total", "attempt=\"1\"", "outcome=\"HTTP_5XX\"")).isEqualTo(1.0);

        // The embedded H2 ledger's group commit: every PAY committed its intake and its answer, each
        // waiting for a write of the file; a write carries one commit or more. Not on another store.
        boolean h2 = !io.paygate.store.TestStore.external();
        assertThat(text.contains("# TYPE gateway_store_commits_total counter")).isEqualTo(h2);
        if (h2) {
            double commits = sample(text, "gateway_store_commits_total");
            double writes = sample(text, "gateway_store_writes_total");
            assertThat(commits).isGreaterThanOrEqualTo(4.0); // two PAYs, two transactions each, at least
            assertThat(writes).isPositive().isLessThanOrEqualTo(commits);
        }

        // docs/operations.md names every gateway meter of the scrape, and no other.
        java.util.Set<String> scraped = new java.util.TreeSet<>(text.lines().filter(l -> l.startsWith("# TYPE gateway_"))
                .map(l -> l.split(" ")[2]).toList());
        String doc = Files.readString(Path.of("docs/operations.md"));
        java.util.Set<String> documented = new java.util.TreeSet<>(Pattern.compile("\\bgateway_[a-z_]+").matcher(doc)
                .results().map(r -> r.group().replaceAll("_(bucket|count|sum)$", "")).toList());
        if (!h2) {
            documented.removeAll(List.of("gateway_store_commits_total", "gateway_store_writes_total"));
        }
        assertThat(documented).isEqualTo(scraped);

        for (String secret : List.of(TOKEN, TOKEN_FORGED, KEY, ADMIN, BROKER_PASSWORD, "no-such-token-000000")) {
            assertThat(text).as("the scrape names no secret").doesNotContain(secret);
        }
    }

    @Test
    void theEmbeddedBrokersQueueDepthsAreScraped() throws Exception {
        try (jakarta.jms.Connection c = messaging.connectionFactory().createConnection();
             jakarta.jms.Session s = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE)) {
            s.createProducer(s.createQueue(Destinations.DELIVERIES_DLQ)).send(s.createTextMessage("{}"));
        }
        // Gauges over the broker are read at most every few seconds.
        long deadline = System.nanoTime() + 10_000_000_000L;
        double depth;
        String text;
        do {
            text = template.send("direct:observe-metrics", e -> { }).getMessage().getBody(String.class);
            depth = sample(text, "gateway_broker_queue_depth", "queue=\"payments.deliveries.DLQ\"");
            if (depth != 1.0) {
                Thread.sleep(200);
            }
        } while (depth != 1.0 && System.nanoTime() < deadline);
        assertThat(depth).isEqualTo(1.0);
        assertThat(sample(text, "gateway_dead_deliveries")).isEqualTo(1.0);
        assertThat(sample(text, "gateway_broker_queue_depth", "queue=\"payments.requests\"")).isEqualTo(0.0);
    }

    /** The value of the one sample of a metric whose labels include all of {@code labels}; fails when none or several. */
    static double sample(String text, String name, String... labels) {
        List<String> lines = text.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> List.of(labels).stream().allMatch(l::contains)).toList();
        assertThat(lines).as(name + " " + List.of(labels) + " in\n" + text.lines()
                .filter(l -> l.startsWith(name)).toList()).hasSize(1);
        String line = lines.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static String pay(String merchant, String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":700,\"method\":\"SCAN\",\"subject\":\"Tea\"}";
    }
}
