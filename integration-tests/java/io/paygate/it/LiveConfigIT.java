package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * merchants.yaml changed under a steady HTTP load (PAY and QUERY of one merchant, a few a second) and
 * a steady JMS load (PAY request-reply of the same merchant, each reply matched by its correlation id):
 * a merchant added (its token works within 5 s), a WeChat key rotated with a previous-key window (a
 * notification signed with the old key accepted inside it, refused after), an invalid file (the old
 * configuration stays, GET /admin/config shows the error, the history keeps it), a merchant removed
 * (its token refused). No request of either load fails or goes unanswered, and no configured secret
 * appears in the log or in an admin answer. Also measures the time from a file write to the change in force over 20
 * changes, and the load's p99 with and without reloads (docs/benchmarks.md).
 */
class LiveConfigIT {
    static final String STEADY_TOKEN = "live-it-steady-token-0001";
    static final String ROT_TOKEN = "live-it-rotate-token-0001";
    static final String KEY = "liveitkey000000000000000000000001";
    static final String NEW_KEY = "liveitkey-rotated-0000000000000002";
    static final String SECRET = "live-it-callback-secret-01";
    static final String ADMIN = "live-it-admin-token-000001";
    static final String BROKER_PASSWORD = "live-it-broker-password-01";
    static final String SUCCESS = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dir;
    private static Path config;
    private static int simPort;
    private static GatewayProcess simulator;
    private static GatewayProcess gateway;
    private static String base;
    private static int brokerPort;
    /** Every admin answer the test read, for the secrets check. */
    private static final List<String> adminAnswers = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("live-config-it");
        simulator = GatewayProcess.wechatSimulator(dir, 0, "1800:wxlive:" + KEY);
        simPort = simulator.listeningPort("wechat");
        int httpPort = GatewayProcess.freePort();
        base = "http://127.0.0.1:" + httpPort;
        config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("application.properties"), String.join("\n",
                "gateway.http.host=127.0.0.1",
                "gateway.http.port=" + httpPort,
                "gateway.broker.port=" + (brokerPort = GatewayProcess.freePort()),
                "gateway.broker.user=merchant-systems",
                "gateway.broker.password=" + BROKER_PASSWORD,
                "gateway.admin.tokens=" + ADMIN,
                "gateway.reconcile.enabled=false",
                "gateway.sandbox.enabled=false", ""));
        writeMerchants(merchants(List.of()), false);
        gateway = GatewayProcess.gateway(dir, Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                "GATEWAY_DATA_DIR", dir.resolve("data").toString(),
                "LIVE_IT_NEW_KEY", NEW_KEY));
        gateway.awaitHealthy(base + "/observe/health", Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    /** A WeChat merchant on the one simulator account (every merchant here shares it). */
    private static String merchant(String id, String token, String wechatExtra) {
        return "  " + id + ":\n"
                + "    provider: wechat\n"
                + "    apiToken: " + token + "\n"
                + "    callbackSecret: " + SECRET + "\n"
                + "    wechat:\n"
                + "      baseUrl: http://127.0.0.1:" + simPort + "\n"
                + "      appId: wxlive\n"
                + "      mchId: \"1800\"\n"
                + "      signType: HMAC-SHA256\n"
                + wechatExtra;
    }

    /** steady (the load's), rot-shop (the key rotation's), and {@code extra}. */
    private static String merchants(List<String> extra) {
        return merchants(extra, "      apiKey: " + KEY + "\n");
    }

    private static String merchants(List<String> extra, String rotShopKeys) {
        StringBuilder s = new StringBuilder("merchants:\n");
        s.append(merchant("steady", STEADY_TOKEN, "      apiKey: " + KEY + "\n"));
        s.append(merchant("rot-shop", ROT_TOKEN, rotShopKeys));
        extra.forEach(s::append);
        return s.toString();
    }

    /** Written beside and renamed over (as docs/operations.md advises), or in place. */
    private static void writeMerchants(String yaml, boolean inPlace) throws Exception {
        Path target = config.resolve("merchants.yaml");
        if (inPlace) {
            Files.writeString(target, yaml, StandardCharsets.UTF_8);
            return;
        }
        Path tmp = config.resolve("merchants.yaml.new");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static JsonNode admin(String path) throws Exception {
        HttpResponse<String> r = Http.get(base + path, ADMIN);
        adminAnswers.add(r.body());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String pay(String merchant, String orderId) {
        return "{\"requestId\":\"" + orderId + "-pay\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":500,\"method\":\"SCAN\",\"subject\":\"Rice\"}";
    }

    /** The steady load: PAY then QUERY of a new order of merchant steady, a few a second. */
    private static final class Load implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<long[]> samples = new CopyOnWriteArrayList<>();   // {start nanos, latency nanos}
        final AtomicInteger n = new AtomicInteger();

        @Override
        public void run() {
            while (!stop.get()) {
                String orderId = "LD-" + n.incrementAndGet();
                try {
                    long t0 = System.nanoTime();
                    HttpResponse<String> p = Http.post(base + "/api/v1/payments", STEADY_TOKEN, pay("steady", orderId));
                    long t1 = System.nanoTime();
                    samples.add(new long[] {t0, t1 - t0});
                    if (p.statusCode() != 200 || !p.body().contains("\"NOTPAY\"")) {
                        failures.add("PAY " + orderId + ": " + p.statusCode() + " " + p.body());
                    }
                    HttpResponse<String> q = Http.get(base + "/api/v1/payments/steady/" + orderId, STEADY_TOKEN);
                    samples.add(new long[] {t1, System.nanoTime() - t1});
                    if (q.statusCode() != 200) {
                        failures.add("QUERY " + orderId + ": " + q.statusCode() + " " + q.body());
                    }
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures.add(orderId + ": " + e);
                }
            }
        }

        /** p99 in ms of the requests that started in [from, to). */
        double p99(long from, long to) {
            List<Long> l = new ArrayList<>();
            for (long[] s : samples) {
                if (s[0] >= from && s[0] < to) {
                    l.add(s[1]);
                }
            }
            return percentile(l, 0.99) / 1e6;
        }

        int count(long from, long to) {
            return (int) samples.stream().filter(s -> s[0] >= from && s[0] < to).count();
        }
    }

    static double percentile(List<Long> values, double p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    /** Waits (polling every 20 ms) until the token answers other than 401; returns the nanoseconds it took from {@code since}. */
    private static long awaitToken(String merchant, String token, long since) throws Exception {
        long deadline = since + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = Http.get(base + "/api/v1/payments/" + merchant + "/NO-SUCH-ORDER", token);
            if (r.statusCode() != 401) {
                assertThat(r.statusCode()).isEqualTo(404);
                return System.nanoTime() - since;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("token of " + merchant + " not accepted within 15 s");
    }

    private static HttpResponse<String> notify(String merchant, String orderId, String key) throws Exception {
        String xml = WechatNotifications.signedXml(WechatNotifications.paid("wxlive", "1800", orderId, 500,
                "4200000000202612060" + Math.abs(orderId.hashCode() % 1000000)), key);
        return Http.postXml(base + "/notify/wechat/" + merchant, xml);
    }

    @Test
    void merchantsChangeUnderLoadWithoutAFailedRequest() throws Exception {
        // The rotation's order exists before anything changes.
        assertThat(Http.post(base + "/api/v1/payments", ROT_TOKEN, pay("rot-shop", "ROT-1")).body()).contains("\"NOTPAY\"");
        assertThat(Http.post(base + "/api/v1/payments", ROT_TOKEN, pay("rot-shop", "ROT-2")).body()).contains("\"NOTPAY\"");
        JsonNode first = admin("/admin/config");
        assertThat(first.get("version").asInt()).isEqualTo(1);
        assertThat(first.get("lastError").isNull()).isTrue();

        Load load = new Load();
        Thread loader = new Thread(load, "steady-load");
        loader.start();
        JmsPayLoad jms = new JmsPayLoad(brokerPort, "merchant-systems", BROKER_PASSWORD, STEADY_TOKEN, "LJ-",
                orderId -> pay("steady", orderId));
        Thread jmsLoader = new Thread(jms, "steady-jms-load");
        jmsLoader.start();
        try {
            // Without reloads.
            long quietFrom = System.nanoTime();
            Thread.sleep(12_000);
            long quietTo = System.nanoTime();

            // (a) and the measurement: 20 merchants added one after the other, each token awaited.
            List<String> extra = new ArrayList<>();
            List<Long> effective = new ArrayList<>();
            long busyFrom = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                String token = "live-it-added-token-" + (1000 + i);
                extra.add(merchant("added-" + i, token, "      apiKey: " + KEY + "\n"));
                long written = System.nanoTime();
                writeMerchants(merchants(extra), false);
                long took = awaitToken("added-" + i, token, written);
                assertThat(Duration.ofNanos(took)).as("added-" + i + " in force").isLessThan(Duration.ofSeconds(5));
                effective.add(took);
            }
            long busyTo = System.nanoTime();
            // The new merchant pays through its provider, too.
            HttpResponse<String> added = Http.post(base + "/api/v1/payments", "live-it-added-token-1000", pay("added-0", "AD-1"));
            assertThat(added.body()).contains("\"NOTPAY\"");
            JsonNode afterAdds = admin("/admin/config");
            assertThat(afterAdds.get("version").asInt()).isEqualTo(21);
            assertThat(afterAdds.get("merchants").toString()).contains("\"added-19\"", "\"steady\"");

            // (b) rotation: the new key signs, the old one verifies notifications for a few seconds more.
            String until = OffsetDateTime.now(ZoneId.of("Asia/Shanghai")).plusSeconds(8).truncatedTo(ChronoUnit.SECONDS).toString();
            writeMerchants(merchants(extra, "      apiKey: ${env:LIVE_IT_NEW_KEY}\n      previousApiKey: " + KEY
                    + "\n      previousApiKeyUntil: " + until + "\n"), false);
            awaitVersion(22);
            HttpResponse<String> old = notify("rot-shop", "ROT-1", KEY);
            assertThat(old.body()).as("old key inside the window").isEqualTo(SUCCESS);
            assertThat(Http.get(base + "/api/v1/payments/rot-shop/ROT-1", ROT_TOKEN).body()).contains("\"SUCCESS\"");
            long untilNanos = System.nanoTime() + Duration.between(OffsetDateTime.now(), OffsetDateTime.parse(until)).toNanos();
            Thread.sleep(Math.max(0, (untilNanos - System.nanoTime()) / 1_000_000) + 1500);
            HttpResponse<String> late = notify("rot-shop", "ROT-2", KEY);
            assertThat(late.body()).as("old key after the window").contains("FAIL");
            assertThat(Http.get(base + "/api/v1/payments/rot-shop/ROT-2", ROT_TOKEN).body()).contains("\"NOTPAY\"");
            assertThat(notify("rot-shop", "ROT-2", NEW_KEY).body()).as("new key").isEqualTo(SUCCESS);
            JsonNode rotated = JSON.readTree(admin("/admin/config/history?limit=1").get(0).toString());
            assertThat(rotated.get("changes").get("changed").get("rot-shop").toString())
                    .contains("wechat.apiKey", "wechat.previousApiKey", "wechat.previousApiKeyUntil");

            // (c) an invalid file, written in place: refused, the old configuration serves on.
            String good = merchants(extra, "      apiKey: ${env:LIVE_IT_NEW_KEY}\n");
            writeMerchants(good, false);
            awaitVersion(23);
            writeMerchants(good.replace("    provider: wechat\n    apiToken: " + STEADY_TOKEN,
                    "    provider: wechat\n    colour: blue\n    apiToken: " + STEADY_TOKEN), true);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            JsonNode status = admin("/admin/config");
            while (status.get("lastError").isNull() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                status = admin("/admin/config");
            }
            assertThat(status.get("lastError").asText()).contains("merchants.yaml: merchants.steady.colour: unknown key");
            assertThat(status.get("version").asInt()).isEqualTo(23);
            JsonNode refused = admin("/admin/config/history?limit=1").get(0);
            assertThat(refused.get("outcome").asText()).isEqualTo("refused");
            assertThat(refused.get("trigger").asText()).isEqualTo("watch");
            assertThat(Http.get(base + "/api/v1/payments/added-3/NO-SUCH-ORDER", "live-it-added-token-1003").statusCode())
                    .isEqualTo(404);
            assertThat(Http.get(base + "/observe/metrics", null).body())
                    .contains("gateway_config_reloads_total{outcome=\"refused\"} 1.0", "gateway_config_version 23.0");

            // A merchant removed: its token refused at once (by the admin reload), its order still readable by nobody else.
            extra.remove(0);
            writeMerchants(merchants(extra, "      apiKey: ${env:LIVE_IT_NEW_KEY}\n"), false);
            HttpResponse<String> reload = Http.post(base + "/admin/config/reload", ADMIN, "");
            adminAnswers.add(reload.body());
            assertThat(reload.statusCode()).as(reload.body()).isIn(200);
            assertThat(Http.get(base + "/api/v1/payments/added-0/AD-1", "live-it-added-token-1000").statusCode()).isEqualTo(401);
            JsonNode afterRemove = admin("/admin/config");
            assertThat(afterRemove.get("retiredMerchants").toString()).contains("added-0");
            assertThat(afterRemove.get("lastError").isNull()).isTrue();
            admin("/admin/config/history");

            Thread.sleep(2000);
            load.stop.set(true);
            jms.stop.set(true);
            loader.join(30_000);
            jmsLoader.join(60_000);
            assertThat(load.failures).as("failed requests of the steady load").isEmpty();
            assertThat(jms.failures).as("failed or lost JMS requests of the steady load").isEmpty();
            assertThat(jms.replies.get()).isEqualTo(jms.sent.get());
            assertThat(load.count(quietFrom, quietTo)).isGreaterThan(10);
            assertThat(load.count(busyFrom, busyTo)).isGreaterThan(10);
            List<Long> jmsQuiet = jms.latencies(quietFrom, quietTo);
            List<Long> jmsBusy = jms.latencies(busyFrom, busyTo);
            assertThat(jmsQuiet.size()).isGreaterThan(5);
            assertThat(jmsBusy.size()).isGreaterThan(5);

            String figures = String.format(java.util.Locale.ROOT,
                    "write to in force over %d changes: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n"
                            + "steady load p99: %.1f ms without reloads (%d requests), %.1f ms during the 20 reloads (%d requests)%n"
                            + "JMS request-reply p99: %.1f ms without reloads (%d requests), %.1f ms during the 20 reloads (%d requests)%n"
                            + "JMS PAY request-replies in the run: %d, all answered once%n",
                    effective.size(), percentile(effective, 0.5) / 1e6, percentile(effective, 0.99) / 1e6,
                    Collections.max(effective) / 1e6, load.p99(quietFrom, quietTo), load.count(quietFrom, quietTo),
                    load.p99(busyFrom, busyTo), load.count(busyFrom, busyTo),
                    percentile(jmsQuiet, 0.99) / 1e6, jmsQuiet.size(), percentile(jmsBusy, 0.99) / 1e6, jmsBusy.size(),
                    jms.sent.get());
            System.out.println("LiveConfigIT: " + figures);
            Files.writeString(Path.of("target", "live-config-it.txt"), figures);
        } finally {
            load.stop.set(true);
            jms.stop.set(true);
            loader.join(30_000);
            jmsLoader.join(60_000);
        }

        // No configured secret in the log or in any admin answer.
        String log = gateway.output();
        for (String secret : List.of(STEADY_TOKEN, ROT_TOKEN, KEY, NEW_KEY, SECRET, ADMIN, BROKER_PASSWORD,
                "live-it-added-token-10")) {
            assertThat(log).as("the log").doesNotContain(secret);
            for (String answer : adminAnswers) {
                assertThat(answer).as("an admin answer").doesNotContain(secret);
            }
        }
        assertThat(log).contains("configuration reloaded (watch): version 2", "configuration reload refused (watch)");
    }

    private static void awaitVersion(int version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (admin("/admin/config").get("version").asInt() < version) {
            assertThat(System.nanoTime()).as("version " + version + " within 5 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
