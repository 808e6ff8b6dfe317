package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.RouteReloader;
import io.paygate.route.RouteReloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live routes: the shipped payment API, template and error routes and the test provider's route
 * file are loaded from a folder the test owns, watched by the gateway's {@link RouteReloader}. A
 * route's provider endpoint (the path of a template instance) changed in place under load serves
 * within 5 s with no request failing, however often it changes; a file that does not load keeps the previous routes serving
 * and is reported; a request in flight when its route is replaced finishes on the old one.
 */
class LiveRoutesRouteTest extends RouteTestSupport {
    private static final String KEY = "testpay-key-live-0001";
    private static final String TOKEN = "live-routes-token-00001";
    private static Path dir;
    private static Path routes;
    private static Fixture fixture;
    private static io.paygate.testpay.TestPayProvider provider;
    private static String original;
    private RouteReloader reloader;
    private RouteReloads reloads;
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("live-routes");
        routes = Files.createDirectories(dir.resolve("routes"));
        for (String f : List.of("payment-api.yaml", "provider-operations.yaml", "errors.yaml")) {
            Files.copy(Path.of("routes", f), routes.resolve(f));
        }
        original = Files.readString(Path.of("src/test/resources/testpay/testpay.yaml"));
        provider = new io.paygate.testpay.TestPayProvider(KEY);
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=https://gw.example.com",
                "gateway.provider.read-timeout=10",
                "gateway.routes.reload-debounce-ms=200", ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  live-shop:",
                "    provider: testpay",
                "    apiToken: " + TOKEN,
                "    testpay: {baseUrl: '" + provider.baseUrl() + "', key: " + KEY + "}", ""));
        fixture = Fixture.load(dir, 8);
    }

    @AfterAll
    static void stop() {
        provider.close();
        fixture.close();
    }

    @Override
    protected Fixture fixture() {
        return fixture;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("payment-api.yaml", "provider-operations.yaml", "errors.yaml", "testpay.yaml");
    }

    @Override
    protected void doPostSetup() throws Exception {
        Files.writeString(routes.resolve("testpay.yaml"), original);
        loadRoutes(context, routes, routeFiles(), List.of());
        reloads = beans.routeReloads();
        reloader = new RouteReloader(context, routes, fixture.settings(), reloads,
                Duration.ofMillis(fixture.settings().intValue("gateway.routes.reload-debounce-ms", 50, 60_000)),
                Clock.systemUTC());
        reloader.start();
    }

    @Override
    protected void doPostTearDown() {
        if (reloader != null) {
            reloader.close();
        }
    }

    /** Rewrites testpay.yaml in place, as an operator's editor does. */
    private void editTestpay(UnaryOperator<String> edit) throws Exception {
        String edited = edit.apply(original);
        assertThat(edited).isNotEqualTo(original);
        Files.writeString(routes.resolve("testpay.yaml"), edited);
    }

    /** Waits (at most 5 s from the write) for the next reload attempt after {@code before}; returns it and the time it took. */
    private RouteReloads.Entry awaitAttempt(int before, long writtenAt) throws InterruptedException {
        while (System.nanoTime() - writtenAt < TimeUnit.SECONDS.toNanos(5)) {
            if (reloads.history().size() > before) {
                return reloads.history().get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no reload within 5 s of the change; history " + reloads.history());
    }

    private String pay(String orderId) {
        return "{\"requestId\":\"live-" + ids.incrementAndGet() + "-" + System.nanoTime() + "\",\"merchant\":\"live-shop\","
                + "\"operation\":\"PAY\",\"orderId\":\"" + orderId + "\",\"amount\":700,\"method\":\"SCAN\",\"subject\":\"Tea\"}";
    }

    private String query(String orderId) {
        return "{\"requestId\":\"live-" + ids.incrementAndGet() + "-" + System.nanoTime() + "\",\"merchant\":\"live-shop\","
                + "\"operation\":\"QUERY\",\"orderId\":\"" + orderId + "\"}";
    }

    @Test
    void aChangedProviderEndpointServesWithinFiveSecondsUnderLoadWithNoFailedRequest() throws Exception {
        assertThat(call(TOKEN, pay("LV-1")).at("/status")).isEqualTo("NOTPAY");
        assertThat(reloads.status().version()).isEqualTo(1);
        String hashBefore = reloads.status().hash();
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger answered = new AtomicInteger();
        List<CompletableFuture<Void>> load = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            load.add(CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    try {
                        Answer a = call(TOKEN, query("LV-1"));
                        if (a.status() != 200 || a.body().has("error")) {
                            failures.add(a.raw());
                        }
                        answered.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e.toString());
                    }
                }
            }, callers));
        }
        List<Long> served = new java.util.ArrayList<>();
        try {
            Thread.sleep(300);
            // Five changes of the query's path under four steady callers: each reload replaces the
            // route the callers are entering (the race of a caller holding the old route's consumer).
            for (int change = 1; change <= 5; change++) {
                String path = "/query-v" + change;
                int before = reloads.history().size();
                long written = System.nanoTime();
                editTestpay(s -> s.replace("value: /query }", "value: " + path + " }"));
                RouteReloads.Entry applied = awaitAttempt(before, written);
                assertThat(applied.outcome()).as(applied.toString()).isEqualTo(RouteReloads.Outcome.APPLIED);
                assertThat(applied.files()).containsExactly("testpay.yaml");
                assertThat(applied.routes()).containsExactlyInAnyOrder("testpay-pay", "testpay-query");
                long seen = 0;
                while (System.nanoTime() - written < TimeUnit.SECONDS.toNanos(5) && seen == 0) {
                    seen = provider.paths.stream().filter(path::equals).count();
                    Thread.sleep(10);
                }
                assertThat(seen).as("a query on " + path + " within 5 s").isPositive();
                served.add((System.nanoTime() - written) / 1_000_000);
                Thread.sleep(150);
                provider.paths.clear();
                Thread.sleep(150);
                assertThat(provider.paths).as("after the switch, only the new path").isNotEmpty().allMatch(path::equals);
            }
        } finally {
            running.set(false);
            CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            callers.shutdown();
        }
        // Nothing sent to a route being replaced may fail: every query answered, none with an error.
        assertThat(failures).as("failed requests during the reloads").isEmpty();
        assertThat(answered.get()).isGreaterThan(20);
        assertThat(reloads.status().version()).isEqualTo(6);
        assertThat(reloads.status().hash()).isNotEqualTo(hashBefore).startsWith("sha256:");
        System.out.println("live routes: 5 changes served " + served + " ms after the write, " + answered.get()
                + " queries answered during the test, " + failures.size() + " failed");
    }

    @Test
    void aFileThatDoesNotLoadKeepsThePreviousRoutesServingAndIsReported() throws Exception {
        assertThat(call(TOKEN, pay("LV-2")).at("/status")).isEqualTo("NOTPAY");
        String hash = reloads.status().hash();

        int before = reloads.history().size();
        long written = System.nanoTime();
        editTestpay(s -> s.replace("- templatedRoute:\n    routeTemplateRef: provider-operation\n    routeId: testpay-query",
                "- templatedRoute:\n    routeTemplateRef: provider-operation\n   routeId: testpay-query"));
        RouteReloads.Entry refused = awaitAttempt(before, written);
        assertThat(refused.outcome()).isEqualTo(RouteReloads.Outcome.REFUSED);
        assertThat(refused.errors()).isNotEmpty();
        assertThat(refused.errors().get(0)).startsWith(routes.resolve("testpay.yaml").toString()).contains("malformed YAML");
        assertThat(reloads.status().hash()).isEqualTo(hash);
        assertThat(reloads.status().version()).isEqualTo(1);
        provider.paths.clear();
        Answer still = call(TOKEN, query("LV-2"));
        assertThat(still.status()).isEqualTo(200);
        assertThat(still.at("/status")).isEqualTo("NOTPAY");
        assertThat(provider.paths).containsExactly("/query");

        // Good YAML whose instance names no known template: Camel would fail only once the old
        // routes were gone; the check refuses it before.
        before = reloads.history().size();
        written = System.nanoTime();
        editTestpay(s -> s.replace("value: /query }", "value: /query2 }").replace(
                "routeTemplateRef: provider-operation\n    routeId: testpay-query",
                "routeTemplateRef: provider-operations\n    routeId: testpay-query"));
        RouteReloads.Entry refusedAgain = awaitAttempt(before, written);
        assertThat(refusedAgain.outcome()).as(refusedAgain.toString()).isEqualTo(RouteReloads.Outcome.REFUSED);
        assertThat(refusedAgain.errors().get(0)).startsWith(routes.resolve("testpay.yaml").toString()).contains("does not load");
        assertThat(call(TOKEN, query("LV-2")).at("/status")).isEqualTo("NOTPAY");
        assertThat(provider.paths).containsExactly("/query", "/query");
        assertThat(beans.metrics().registry().get("gateway.route.reloads").tag("outcome", "refused").counter().count())
                .isEqualTo(2.0);

        // The admin answers: the routes in force, the attempts in the history, a reload by hand.
        io.paygate.api.ConfigAdmin admin = new io.paygate.api.ConfigAdmin(beans.liveConfig(),
                new io.paygate.store.ConfigHistory(fixture.db()), reloads, beans.json(), ex -> true);
        com.fasterxml.jackson.databind.JsonNode status = adminCall(admin::status).get("routes");
        assertThat(status.get("enabled").asBoolean()).isTrue();
        assertThat(status.get("contentHash").asText()).isEqualTo(hash);
        assertThat(status.get("version").asInt()).isEqualTo(1);
        assertThat(status.get("last").get("outcome").asText()).isEqualTo("refused");
        assertThat(status.get("last").get("error").asText()).contains("testpay.yaml", "does not load");
        com.fasterxml.jackson.databind.JsonNode history = adminCall(admin::history);
        List<com.fasterxml.jackson.databind.JsonNode> routeEntries = new java.util.ArrayList<>();
        history.forEach(n -> {
            if (n.get("kind").asText().equals("routes")) {
                routeEntries.add(n);
            }
        });
        assertThat(routeEntries).hasSize(2).allSatisfy(n -> {
            assertThat(n.get("outcome").asText()).isEqualTo("refused");
            assertThat(n.get("files").toString()).isEqualTo("[\"testpay.yaml\"]");
        });
        // POST /admin/config/reload with a good file: the routes' attempt is applied and answered.
        Files.writeString(routes.resolve("testpay.yaml"), original.replace("value: /query }", "value: /query-admin }"));
        org.apache.camel.Exchange reload = new org.apache.camel.support.DefaultExchange(context);
        admin.reload(reload);
        com.fasterxml.jackson.databind.JsonNode answer = beans.json().readTree(reload.getMessage().getBody(String.class));
        assertThat(answer.get("routes").get("outcome").asText()).as(answer.toString()).isIn("applied");
        assertThat(io.paygate.api.ApiAnswer.status(reload)).isEqualTo(200);
        assertThat(answer.get("routes").get("status").get("version").asInt()).isEqualTo(2);
        assertThat(call(TOKEN, query("LV-2")).at("/status")).isEqualTo("NOTPAY");
        assertThat(provider.paths).contains("/query-admin");
    }

    private interface AdminCall {
        void run(org.apache.camel.Exchange ex) throws Exception;
    }

    private com.fasterxml.jackson.databind.JsonNode adminCall(AdminCall call) throws Exception {
        org.apache.camel.Exchange ex = new org.apache.camel.support.DefaultExchange(context);
        call.run(ex);
        assertThat(io.paygate.api.ApiAnswer.status(ex)).isEqualTo(200);
        return beans.json().readTree(ex.getMessage().getBody(String.class));
    }

    @Test
    void aRequestInFlightWhenItsRouteIsReplacedFinishesOnTheOldOne() throws Exception {
        // The stub answers /slow... after 2.5 s.
        int before = reloads.history().size();
        editTestpay(s -> s.replace("value: /pay }", "value: /slow-pay }"));
        assertThat(awaitAttempt(before, System.nanoTime()).outcome()).isEqualTo(RouteReloads.Outcome.APPLIED);

        CompletableFuture<Answer> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return call(TOKEN, pay("LV-3"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!provider.paths.contains("/slow-pay") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(provider.paths).contains("/slow-pay");
        before = reloads.history().size();
        long written = System.nanoTime();
        Files.writeString(routes.resolve("testpay.yaml"), original.replace("value: /pay }", "value: /pay-v3 }"));
        Answer finished = inFlight.get(20, TimeUnit.SECONDS);
        assertThat(finished.status()).as(finished.raw()).isEqualTo(200);
        assertThat(finished.at("/status")).isEqualTo("NOTPAY");
        assertThat(finished.body().has("error")).isFalse();
        assertThat(awaitAttempt(before, written).outcome()).isEqualTo(RouteReloads.Outcome.APPLIED);
        assertThat(call(TOKEN, pay("LV-4")).at("/status")).isEqualTo("NOTPAY");
        assertThat(provider.paths).contains("/pay-v3");
    }
}
