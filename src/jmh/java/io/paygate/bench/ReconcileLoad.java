package io.paygate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.GatewayBeans;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantsFile;
import io.paygate.provider.wechat.WechatSigner;
import io.paygate.reconcile.Reconciler;
import io.paygate.sandbox.wechat.WechatSimulator;
import io.paygate.store.Database;
import io.paygate.xml.HardenedXml;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Load harness for one reconciliation sweep (docs/benchmarks.md): N unpaid WeChat orders, a third
 * of them paid in the simulator without a notification; one sweep (claim, query, record, release)
 * over all of them against the in-process WeChat simulator, through {@code direct:reconcile-sweep}
 * (routes/reconcile.yaml: {@code gateway.reconcile.concurrency} orders at once). Baseline in the
 * same run, just before each sweep: the same number of orderquery calls for the same orders, each
 * signed, sent straight to the simulator by a plain HTTP client, its answer parsed and its
 * signature verified, from as many threads as the sweep's concurrency. Rounds alternate baseline
 * and sweep, each round over N new orders.
 *
 * <p>{@code scripts/bench-reconcile.sh [orders] [concurrency] [rounds]} (defaults 1000, the
 * shipped default of gateway.reconcile.concurrency, 3). Against a tree whose routes have no
 * {@code direct:reconcile-sweep} (before the concurrency), the sweep is run as that tree's route
 * ran it: {@code Reconciler.dueOrders}, then each task through {@code direct:reconcile-task} in turn.
 */
public final class ReconcileLoad {
    private static final String KEY = "benchkey00000000000000000000000a";

    private ReconcileLoad() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String concurrencyArg = args.length > 1 ? args[1] : null;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Files.createTempDirectory("reconcile-load");
        WechatSimulator sim = new WechatSimulator(0, List.of(new WechatSimulator.Merchant("3001", "wxbench", KEY)), null);
        sim.start();
        // backoff 3600: an order swept in one round is not due again in a later one.
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.reconcile.enabled=false", "gateway.reconcile.min-age=0", "gateway.reconcile.batch=" + n,
                "gateway.reconcile.per-merchant=" + n, "gateway.order.min-close-age=3600",
                "gateway.reconcile.backoff=3600",
                concurrencyArg == null ? "" : "gateway.reconcile.concurrency=" + concurrencyArg, ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n", "merchants:", "  bench:", "    provider: wechat",
                "    apiToken: bench-token-0000000001", "    wechat: {baseUrl: 'http://127.0.0.1:" + sim.port()
                        + "', appId: wxbench, mchId: '3001', apiKey: " + KEY + "}", ""));
        Files.createDirectories(dir.resolve("data"));
        Map<String, String> env = Map.of("GATEWAY_CONFIG_DIR", dir.toString(), "GATEWAY_DATA_DIR",
                dir.resolve("data").toString(), "GATEWAY_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        GatewaySettings settings = GatewaySettings.load(env, new Properties());
        MerchantDirectory merchants = MerchantsFile.load(settings.configDir(), env);
        int concurrency = concurrencyArg != null ? Integer.parseInt(concurrencyArg)
                : settings.has("gateway.reconcile.concurrency") ? Integer.parseInt(settings.get("gateway.reconcile.concurrency")) : 1;
        ObjectMapper json = new ObjectMapper();
        HttpClient http = HttpClient.newHttpClient();
        try (Database db = new Database(Database.embeddedUrl(settings.dataDir()), "sa", "", 8);
             CamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setInitialProperties(GatewayBeans.camelProperties(settings));
            GatewayBeans beans = new GatewayBeans(settings, merchants, db);
            beans.bindAll((name, bean) -> camel.getRegistry().bind(name, bean));
            List<Resource> routes = new ArrayList<>();
            for (String f : List.of("payment-api.yaml", "provider-operations.yaml", "wechat.yaml", "errors.yaml",
                    "reconcile.yaml")) {
                routes.add(ResourceHelper.resolveMandatoryResource(camel, "file:routes/" + f));
            }
            camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:http-reply").removeHeaders("*");
                }
            });
            PluginHelper.getRoutesLoader(camel).loadRoutes(routes);
            camel.start();
            boolean sweepRoute = camel.getRoute("reconcile-sweep-run") != null;
            ProducerTemplate template = camel.createProducerTemplate();
            Reconciler reconciler = camel.getRegistry().lookupByNameAndType("reconciler", Reconciler.class);
            System.out.printf("orders %d per round, %d rounds, concurrency %d (%s)%n", n, rounds, concurrency,
                    sweepRoute ? "direct:reconcile-sweep" : "no sweep route in this tree: one task after the other");
            double sumSweep = 0;
            double sumBare = 0;
            for (int round = 1; round <= rounds; round++) {
                String prefix = "B" + round + "-";
                for (int i = 0; i < n; i++) {
                    String body = "{\"requestId\":\"" + prefix + i + "\",\"merchant\":\"bench\",\"operation\":\"PAY\","
                            + "\"orderId\":\"" + prefix + i + "\",\"amount\":100,\"method\":\"SCAN\",\"subject\":\"Tea\"}";
                    template.send("direct:payment-api", e -> {
                        e.getMessage().setHeader("Authorization", "Bearer bench-token-0000000001");
                        e.getMessage().setHeader("Content-Type", "application/json");
                        e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
                    });
                    if (i % 3 == 0) {
                        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
                                + "/sandbox/wechat/pay?out_trade_no=" + prefix + i)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                                HttpResponse.BodyHandlers.discarding());
                    }
                }

                double baseSeconds = bare(sim.port(), prefix, n, concurrency);

                long callsBefore = stats(http, json, sim.port());
                long paidBefore = paid(beans, n * rounds);
                long start = System.nanoTime();
                int claimed;
                if (sweepRoute) {
                    claimed = template.requestBody("direct:reconcile-sweep", null, List.class).size();
                } else {
                    List<Reconciler.Task> tasks = reconciler.dueOrders(null);
                    for (Reconciler.Task t : tasks) {
                        template.sendBody("direct:reconcile-task", t);
                    }
                    claimed = tasks.size();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                long calls = stats(http, json, sim.port()) - callsBefore;
                long paid = paid(beans, n * rounds) - paidBefore;
                double ratio = (claimed / seconds) / (n / baseSeconds);
                sumSweep += claimed / seconds;
                sumBare += n / baseSeconds;
                System.out.printf("round %d: baseline %.2f s, %.0f calls/s; sweep %.2f s, %.0f orders/s, %d orders, "
                        + "%.2f provider calls per order, found paid %d; ratio sweep/baseline %.2f%n", round, baseSeconds,
                        n / baseSeconds, seconds, claimed / seconds, claimed, (double) calls / claimed, paid, ratio);
            }
            System.out.printf("mean over %d rounds: sweep %.0f orders/s, baseline %.0f calls/s, ratio %.2f%n", rounds,
                    sumSweep / rounds, sumBare / rounds, sumSweep / sumBare);
        } finally {
            sim.close();
        }
    }

    /**
     * The bare provider work for one round: an orderquery for each of the round's orders, signed
     * (MD5, as the gateway's merchant here), its answer parsed and its signature and return_code
     * checked, from {@code threads} threads sharing one HTTP client. Seconds taken.
     */
    private static double bare(int port, String prefix, int n, int threads) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + port + "/pay/orderquery");
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger bad = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    Map<String, String> f = new LinkedHashMap<>();
                    f.put("appid", "wxbench");
                    f.put("mch_id", "3001");
                    f.put("nonce_str", java.util.UUID.randomUUID().toString().replace("-", ""));
                    f.put("out_trade_no", prefix + i);
                    f.put("sign", WechatSigner.sign(f, KEY, WechatSigner.MD5));
                    byte[] answer = client.send(HttpRequest.newBuilder(uri)
                            .POST(HttpRequest.BodyPublishers.ofString(HardenedXml.writeFlat("xml", f))).build(),
                            HttpResponse.BodyHandlers.ofByteArray()).body();
                    Map<String, String> a = HardenedXml.parseFlat(answer, "xml");
                    if (!"SUCCESS".equals(a.get("return_code")) || !WechatSigner.verify(a, KEY, WechatSigner.MD5)) {
                        bad.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        if (bad.get() > 0) {
            throw new IllegalStateException(bad.get() + " baseline answers failed their checks");
        }
        return seconds;
    }

    private static long paid(GatewayBeans beans, int max) {
        return beans.ledger().list("bench", java.time.Instant.EPOCH, java.time.Instant.now().plusSeconds(60),
                io.paygate.canonical.PaymentStatus.SUCCESS, null, null, max + 1).size();
    }

    private static long stats(HttpClient http, ObjectMapper json, int port) throws Exception {
        JsonNode s = json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/sandbox/wechat/stats")).build(), HttpResponse.BodyHandlers.ofString()).body());
        return s.path("total").asLong();
    }
}
