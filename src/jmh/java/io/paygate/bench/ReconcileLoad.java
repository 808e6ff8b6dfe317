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
 * over all of them against the in-process WeChat simulator. Baseline in the same run: the same
 * number of signed orderquery calls sent straight to the simulator by a plain HTTP client, one
 * after the other as the sweep makes them.
 *
 * <p>{@code scripts/bench-reconcile.sh [orders]}
 */
public final class ReconcileLoad {
    private static final String KEY = "benchkey00000000000000000000000a";

    private ReconcileLoad() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path dir = Files.createTempDirectory("reconcile-load");
        WechatSimulator sim = new WechatSimulator(0, List.of(new WechatSimulator.Merchant("3001", "wxbench", KEY)), null);
        sim.start();
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.reconcile.enabled=false", "gateway.reconcile.min-age=0", "gateway.reconcile.batch=" + n,
                "gateway.reconcile.per-merchant=" + n, "gateway.order.min-close-age=3600", ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n", "merchants:", "  bench:", "    provider: wechat",
                "    apiToken: bench-token-0000000001", "    wechat: {baseUrl: 'http://127.0.0.1:" + sim.port()
                        + "', appId: wxbench, mchId: '3001', apiKey: " + KEY + "}", ""));
        Files.createDirectories(dir.resolve("data"));
        Map<String, String> env = Map.of("GATEWAY_CONFIG_DIR", dir.toString(), "GATEWAY_DATA_DIR",
                dir.resolve("data").toString(), "GATEWAY_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        GatewaySettings settings = GatewaySettings.load(env, new Properties());
        MerchantDirectory merchants = MerchantsFile.load(settings.configDir(), env);
        ObjectMapper json = new ObjectMapper();
        HttpClient http = HttpClient.newHttpClient();
        try (Database db = new Database(Database.embeddedUrl(settings.dataDir()), "sa", "", 8);
             CamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setInitialProperties(GatewayBeans.camelProperties(settings));
            GatewayBeans beans = new GatewayBeans(settings, merchants, db);
            beans.bindAll((name, bean) -> camel.getRegistry().bind(name, bean));
            List<Resource> routes = new ArrayList<>();
            for (String f : List.of("payment-api.yaml", "wechat.yaml", "errors.yaml", "reconcile.yaml")) {
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
            ProducerTemplate template = camel.createProducerTemplate();
            for (int i = 0; i < n; i++) {
                String body = "{\"requestId\":\"r" + i + "\",\"merchant\":\"bench\",\"operation\":\"PAY\",\"orderId\":\"B-" + i
                        + "\",\"amount\":100,\"method\":\"SCAN\",\"subject\":\"Tea\"}";
                template.send("direct:payment-api", e -> {
                    e.getMessage().setHeader("Authorization", "Bearer bench-token-0000000001");
                    e.getMessage().setHeader("Content-Type", "application/json");
                    e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
                });
                if (i % 3 == 0) {
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
                            + "/sandbox/wechat/pay?out_trade_no=B-" + i)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            }

            long baseStart = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Map<String, String> f = new LinkedHashMap<>();
                f.put("appid", "wxbench");
                f.put("mch_id", "3001");
                f.put("nonce_str", "n" + i);
                f.put("out_trade_no", "B-" + i);
                f.put("sign", WechatSigner.sign(f, KEY, WechatSigner.MD5));
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port() + "/pay/orderquery"))
                        .POST(HttpRequest.BodyPublishers.ofString(HardenedXml.writeFlat("xml", f))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
            }
            double baseSeconds = (System.nanoTime() - baseStart) / 1e9;

            long callsBefore = stats(http, json, sim.port());
            Reconciler reconciler = camel.getRegistry().lookupByNameAndType("reconciler", Reconciler.class);
            long start = System.nanoTime();
            List<Reconciler.Task> tasks = reconciler.dueOrders(null);
            for (Reconciler.Task t : tasks) {
                template.sendBody("direct:reconcile-task", t);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long calls = stats(http, json, sim.port()) - callsBefore;
            long paid = beans.ledger().list("bench", java.time.Instant.EPOCH, java.time.Instant.now().plusSeconds(60),
                    io.paygate.canonical.PaymentStatus.SUCCESS, null, null, n + 1).size();
            System.out.printf("orders %d, claimed in one sweep %d, found paid %d%n", n, tasks.size(), paid);
            System.out.printf("sweep: %.2f s, %.0f orders/s, %.2f provider calls per order%n", seconds,
                    tasks.size() / seconds, (double) calls / tasks.size());
            System.out.printf("baseline (signed orderquery straight to the simulator): %.2f s, %.0f calls/s%n",
                    baseSeconds, n / baseSeconds);
            System.out.printf("ratio sweep/baseline: %.2f%n", (tasks.size() / seconds) / (n / baseSeconds));
        } finally {
            sim.close();
        }
    }

    private static long stats(HttpClient http, ObjectMapper json, int port) throws Exception {
        JsonNode s = json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/sandbox/wechat/stats")).build(), HttpResponse.BodyHandlers.ofString()).body());
        return s.path("total").asLong();
    }
}
