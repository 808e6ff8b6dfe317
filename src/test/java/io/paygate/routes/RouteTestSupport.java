package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.GatewayBeans;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantsFile;
import io.paygate.store.Database;
import io.paygate.store.TestStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;

/**
 * What the route tests share: the gateway's real beans ({@link GatewayBeans}) over a config folder
 * the test writes, the shipped routes/*.yaml it names, and {@code direct:payment-api} called as
 * every entry route calls it.
 */
abstract class RouteTestSupport extends CamelTestSupport {
    protected final ObjectMapper json = new ObjectMapper();
    protected GatewayBeans beans;

    /** A config folder (application.properties, merchants.yaml written by the test) loaded as the gateway loads it. */
    record Fixture(Path dir, GatewaySettings settings, MerchantDirectory merchants, Database db, TestStore store)
            implements AutoCloseable {
        /** Its ledger: the embedded H2 file under the data dir, or a fresh PostgreSQL schema ({@link TestStore}). */
        static Fixture load(Path dir, int poolSize) throws IOException {
            Files.createDirectories(dir.resolve("data"));
            Map<String, String> env = Map.of("GATEWAY_CONFIG_DIR", dir.toString(), "GATEWAY_DATA_DIR",
                    dir.resolve("data").toString(), "GATEWAY_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
            GatewaySettings settings = GatewaySettings.load(env, new Properties());
            MerchantDirectory merchants = MerchantsFile.load(settings.configDir(), settings.dataDir(), env);
            TestStore store = TestStore.fresh(settings.dataDir());
            try {
                return new Fixture(dir, settings, merchants, store.open(poolSize), store);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }

        /**
         * A fresh config folder for a test of the bus alone: the embedded broker on a free port with
         * the ESB login {@code brokerUser}, and one testpay merchant {@code <name>-shop} nothing calls.
         */
        static Fixture onBroker(String name, String brokerUser, String brokerPassword) throws IOException {
            Path dir = Files.createTempDirectory(name);
            Files.writeString(dir.resolve("application.properties"), String.join("\n",
                    "gateway.broker.port=0",
                    "gateway.broker.user=" + brokerUser,
                    "gateway.broker.password=" + brokerPassword, ""));
            Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                    "merchants:",
                    "  " + name + "-shop:",
                    "    provider: testpay",
                    "    apiToken: " + name + "-shop-token-4411",
                    "    testpay: {baseUrl: 'http://127.0.0.1:9', key: " + name + "-key-4411}", ""));
            return load(dir, 2);
        }

        @Override
        public void close() {
            db.close();
            store.close();
        }
    }

    /** The test's gateway configuration. */
    protected abstract Fixture fixture();

    /** The route files to load from routes/. */
    protected abstract List<String> routeFiles();

    /** Routes the test builds itself (e.g. a shipped route entered through direct:). */
    protected List<Resource> extraRoutes() throws IOException {
        return List.of();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        beans = bindGateway(context, fixture());
        return context;
    }

    /** The gateway's properties and real beans over the fixture, in the context's registry. */
    static GatewayBeans bindGateway(CamelContext context, Fixture fixture) {
        context.getPropertiesComponent().setInitialProperties(GatewayBeans.camelProperties(fixture.settings()));
        GatewayBeans gateway = new GatewayBeans(fixture.settings(), fixture.merchants(), fixture.db());
        gateway.bindAll((name, bean) -> context.getRegistry().bind(name, bean));
        return gateway;
    }

    @Override
    protected void doPostSetup() throws Exception {
        loadRoutes(context, Path.of("routes"), routeFiles(), extraRoutes());
    }

    /** Loads the route files from a routes folder (the shipped routes/, or an edited copy), and the test's reply step. */
    static void loadRoutes(CamelContext context, Path routesDir, List<String> files, List<Resource> extra) throws Exception {
        List<Resource> routes = new ArrayList<>();
        for (String f : files) {
            routes.add(ResourceHelper.resolveMandatoryResource(context, "file:" + routesDir.resolve(f)));
        }
        routes.addAll(extra);
        PluginHelper.getRoutesLoader(context).loadRoutes(routes);
        // direct:http-reply is the HTTP entry's reply step; the error configuration sends to it.
        context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("direct:http-reply").removeHeaders("*");
            }
        });
    }

    /**
     * One sweep by hand (the reconcile route's work without its Quartz trigger,
     * {@code direct:reconcile-sweep}: gateway.reconcile.concurrency tasks at once): what was due.
     */
    @SuppressWarnings("unchecked")
    protected List<io.paygate.reconcile.Reconciler.Task> sweep() {
        return template.requestBody("direct:reconcile-sweep", null, List.class);
    }

    /** One barcode sweep by hand. */
    protected List<io.paygate.reconcile.Reconciler.Task> sweepBarcodes() {
        return run(reconciler().dueBarcodes(null));
    }

    private List<io.paygate.reconcile.Reconciler.Task> run(List<io.paygate.reconcile.Reconciler.Task> tasks) {
        for (io.paygate.reconcile.Reconciler.Task t : tasks) {
            template.sendBody("direct:reconcile-task", t);
        }
        return tasks;
    }

    protected io.paygate.reconcile.Reconciler reconciler() {
        return context.getRegistry().lookupByNameAndType("reconciler", io.paygate.reconcile.Reconciler.class);
    }

    /** The outbox events of one order, oldest first. */
    protected List<JsonNode> events(String orderId) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String e : beans.ledger().unpublishedEvents(1000)) {
            JsonNode n = json.readTree(e);
            if (n.path("orderId").asText().equals(orderId)) {
                out.add(n);
            }
        }
        return out;
    }

    /** A WeChat simulator's control endpoint ({@code /sandbox/wechat/...}), its JSON answer. */
    protected JsonNode wechatSim(int port, String method, String path) throws IOException, InterruptedException {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + path));
        b = method.equals("POST") ? b.POST(java.net.http.HttpRequest.BodyPublishers.noBody()) : b.GET();
        return json.readTree(SIM_CLIENT.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
    }

    /** How many calls of one API path the WeChat simulator has had. */
    protected long wechatSimCalls(int port, String path) throws IOException, InterruptedException {
        return wechatSim(port, "GET", "/sandbox/wechat/stats").path("calls").path(path).asLong();
    }

    private static final java.net.http.HttpClient SIM_CLIENT = java.net.http.HttpClient.newHttpClient();

    /** An answer of the canonical API: the HTTP status the entry route would send, and the JSON body. */
    protected record Answer(int status, JsonNode body, String raw) {
        /** The text at a JSON pointer of the body ("" when absent). */
        String at(String pointer) {
            return body.at(pointer).asText();
        }
    }

    /** A request through {@code direct:payment-api}, with the merchant's token. */
    protected Answer call(String token, String body) throws IOException {
        Exchange ex = template.send("direct:payment-api", e -> {
            e.getMessage().setHeader("Authorization", "Bearer " + token);
            e.getMessage().setHeader("Content-Type", "application/json");
            e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        });
        assertThat(ex.getException()).isNull();
        Integer status = ex.getProperty("gatewayHttpStatus", Integer.class);
        String raw = ex.getMessage().getBody(String.class);
        return new Answer(status == null ? 200 : status, json.readTree(raw), raw);
    }
}
