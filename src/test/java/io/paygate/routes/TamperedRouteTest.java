package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.paygate.GatewayBeans;
import io.paygate.canonical.PaymentStatus;
import io.paygate.provider.wechat.WechatSigner;
import io.paygate.store.OrderRecord;
import io.paygate.xml.HardenedXml;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verification cannot be left out of a provider operation: a route file edited to drop any one
 * step never turns a forged provider answer into a result.
 *
 * <p>A local stub plays WeChat Pay and answers every call with a FORGED answer: well-formed XML that
 * names the merchant's appid and mch_id, claims {@code result_code SUCCESS}, {@code trade_state
 * SUCCESS}, a transaction id and a code_url, and is signed with a key that is not the merchant's.
 * For each edit — one step removed from the template {@code provider-operation}
 * (routes/provider-operations.yaml), one parameter removed from the WeChat instances
 * {@code wechat-orderquery} and {@code wechat-unifiedorder} (routes/wechat.yaml), one step removed
 * from {@code direct:provider-call} (routes/payment-api.yaml), the chain every instance is called
 * through — the test writes the route files with that one edit into a temporary routes folder,
 * starts the gateway's real beans and those routes, and sends a PAY (SCAN, /pay/unifiedorder) and a
 * QUERY (/pay/orderquery) through {@code direct:payment-api}. Whatever the edit, no answer carries
 * the forged status or any forged value, every answer is an error or UNKNOWN (or the exchange
 * failed), and the ledger never records the order as SUCCESS. A copy that cannot start (a required
 * template parameter removed) counts as refused: a gateway that does not run answers nothing.
 *
 * <p>It can fail: with no edit the same forged answer is SIGNATURE_INVALID (so the stub is called
 * and its answer reaches verification), and the same answer signed with the merchant's own key is
 * taken as SUCCESS (so the forgery is caught by the signature check alone, and any path around the
 * check would let it through).
 */
class TamperedRouteTest {
    private static final String TOKEN = "tampered-route-token-0001";
    private static final String MERCHANT = "shop-tamper";
    private static final String APPID = "wxapptamper";
    private static final String MCH = "5001";
    private static final String KEY = "tamperkey0000000000000000000000a";
    private static final String FORGER_KEY = "forgerskey000000000000000000000b";
    /** Every value the forged answer makes up carries this, so a leak into an answer is visible. */
    private static final String FORGED = "FORGED";
    private static final List<String> ROUTE_FILES = List.of("payment-api.yaml", "provider-operations.yaml", "wechat.yaml",
            "errors.yaml");
    private static final Pattern OUT_TRADE_NO = Pattern.compile("<out_trade_no><!\\[CDATA\\[([^\\]]*)]]>");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicReference<String> signingKey = new AtomicReference<>(FORGER_KEY);
    private static final AtomicInteger stubCalls = new AtomicInteger();
    private static final AtomicInteger orders = new AtomicInteger();
    private static Path dir;
    private static RouteTestSupport.Fixture fixture;
    private static HttpServer stub;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("tampered-route-test");
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", ex -> {
            stubCalls.incrementAndGet();
            String request = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var m = OUT_TRADE_NO.matcher(request);
            byte[] b = forgedAnswer(m.find() ? m.group(1) : "unknown", signingKey.get()).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/xml; charset=UTF-8");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        stub.start();
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=https://gw.example.com",
                "gateway.provider.read-timeout=2",
                "gateway.idempotency.wait=10", ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  " + MERCHANT + ":",
                "    provider: wechat",
                "    apiToken: " + TOKEN,
                "    wechat: {baseUrl: 'http://127.0.0.1:" + stub.getAddress().getPort() + "', appId: " + APPID
                        + ", mchId: '" + MCH + "', apiKey: " + KEY + "}", ""));
        fixture = RouteTestSupport.Fixture.load(dir, 4);
    }

    @AfterAll
    static void stop() {
        stub.stop(0);
        fixture.close();
    }

    /** WeChat's answer as a forger would write it: every field right but the signature's key. */
    private static String forgedAnswer(String orderId, String key) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("return_msg", "OK");
        f.put("appid", APPID);
        f.put("mch_id", MCH);
        f.put("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
        f.put("result_code", "SUCCESS");
        f.put("trade_state", "SUCCESS");
        f.put("trade_type", "NATIVE");
        f.put("out_trade_no", orderId);
        f.put("transaction_id", FORGED + "4200000001");
        f.put("prepay_id", FORGED + "-prepay");
        f.put("code_url", "weixin://wxpay/bizpayurl?pr=" + FORGED);
        f.put("total_fee", "100");
        f.put("cash_fee", "100");
        f.put("time_end", "20261122093000");
        f.put("sign", WechatSigner.sign(f, key, WechatSigner.MD5));
        return HardenedXml.writeFlat("xml", f);
    }

    /** One edited copy of the route files: the file, what was removed, and the edit. */
    record Edit(String file, String removed, UnaryOperator<String> change) {
        @Override
        public String toString() {
            return file + " without " + removed;
        }
    }

    static List<Edit> edits() throws Exception {
        List<Edit> edits = new ArrayList<>();
        edits.addAll(stepsOf("provider-operations.yaml", "uri: \"direct:{{name}}\""));
        edits.addAll(parametersOf("wechat.yaml", "routeId: wechat-orderquery"));
        edits.addAll(parametersOf("wechat.yaml", "routeId: wechat-unifiedorder"));
        edits.addAll(stepsOf("payment-api.yaml", "uri: direct:provider-call"));
        return edits;
    }

    /** One edit per top-level step of the route whose {@code from} has the line {@code fromLine}. */
    private static List<Edit> stepsOf(String file, String fromLine) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("routes", file));
        int steps = indexOf(lines, fromLine, 0) + 1;
        assertThat(lines.get(steps).trim()).as(file).isEqualTo("steps:");
        String dash = " ".repeat(indent(lines.get(steps)) + 2) + "- ";
        List<Integer> starts = new ArrayList<>();
        int end = steps + 1;
        for (; end < lines.size(); end++) {
            String l = lines.get(end);
            if (!l.isBlank() && !l.trim().startsWith("#") && indent(l) < dash.length() - 2) {
                break;
            }
            if (l.startsWith(dash)) {
                starts.add(end);
            }
        }
        starts.add(end);
        List<Edit> edits = new ArrayList<>();
        for (int i = 0; i + 1 < starts.size(); i++) {
            int from = starts.get(i);
            int to = starts.get(i + 1);
            String name = "step " + (i + 1) + " (" + lines.get(from).trim() + ")";
            edits.add(new Edit(file, name, text -> removeLines(text, fromLine, from, to)));
        }
        assertThat(edits).as("steps of " + file).hasSizeGreaterThan(1);
        return edits;
    }

    /** One edit per parameter line of the templated route with the line {@code routeIdLine}. */
    private static List<Edit> parametersOf(String file, String routeIdLine) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("routes", file));
        int at = indexOf(lines, routeIdLine, 0);
        List<Edit> edits = new ArrayList<>();
        for (int i = at + 1; i < lines.size() && !lines.get(i).trim().startsWith("- templatedRoute")
                && !lines.get(i).trim().startsWith("- route:"); i++) {
            if (lines.get(i).trim().startsWith("- { name:")) {
                int line = i;
                edits.add(new Edit(file, routeIdLine.substring("routeId: ".length()) + " parameter "
                        + lines.get(i).trim(), text -> removeLines(text, routeIdLine, line, line + 1)));
            }
        }
        assertThat(edits).as("parameters of " + routeIdLine).hasSizeGreaterThan(3);
        return edits;
    }

    private static String removeLines(String text, String anchor, int from, int to) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        assertThat(indexOf(lines, anchor, 0)).as("the shipped file is the one the edit was made for").isLessThan(from);
        lines.subList(from, to).clear();
        return String.join("\n", lines);
    }

    private static int indexOf(List<String> lines, String content, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).trim().equals(content)) {
                return i;
            }
        }
        throw new AssertionError("no line '" + content + "'");
    }

    private static int indent(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }

    /** The route files with the edit (none: as shipped), in a folder of their own. */
    private static Path routesWith(Optional<Edit> edit) throws Exception {
        Path routes = Files.createTempDirectory(dir, "routes");
        for (String f : ROUTE_FILES) {
            String text = Files.readString(Path.of("routes", f));
            if (edit.isPresent() && edit.get().file().equals(f)) {
                String edited = edit.get().change().apply(text);
                assertThat(edited).isNotEqualTo(text);
                text = edited;
            }
            Files.writeString(routes.resolve(f), text);
        }
        return routes;
    }

    /** A gateway over the routes folder; empty when its routes do not start. */
    private static Optional<Gateway> start(Path routes) throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            GatewayBeans beans = RouteTestSupport.bindGateway(context, fixture);
            RouteTestSupport.loadRoutes(context, routes, ROUTE_FILES, List.of());
            context.start();
            return Optional.of(new Gateway(context, beans, context.createProducerTemplate()));
        } catch (Exception e) {
            context.close();
            return Optional.empty();
        }
    }

    record Gateway(CamelContext context, GatewayBeans beans, ProducerTemplate template) implements AutoCloseable {
        /** A request through direct:payment-api: the answer's JSON, or empty when the exchange failed. */
        Optional<JsonNode> call(String body) throws Exception {
            Exchange ex = template.send("direct:payment-api", e -> {
                e.getMessage().setHeader("Authorization", "Bearer " + TOKEN);
                e.getMessage().setHeader("Content-Type", "application/json");
                e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
            });
            if (ex.getException() != null) {
                return Optional.empty();
            }
            return Optional.of(JSON.readTree(ex.getMessage().getBody(String.class)));
        }

        Optional<OrderRecord> order(String orderId) {
            return beans.ledger().find(MERCHANT, orderId);
        }

        @Override
        public void close() throws Exception {
            template.close();
            context.close();
        }
    }

    private static String pay(String orderId) {
        return "{\"requestId\":\"" + orderId + "-pay\",\"merchant\":\"" + MERCHANT + "\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":100,\"method\":\"SCAN\",\"subject\":\"Coffee\"}";
    }

    private static String query(String orderId) {
        return "{\"requestId\":\"" + orderId + "-query\",\"merchant\":\"" + MERCHANT + "\",\"operation\":\"QUERY\",\"orderId\":\""
                + orderId + "\"}";
    }

    /** A PAY, then a QUERY of the same order: the two answers. */
    private static List<Optional<JsonNode>> payThenQuery(Gateway gateway, String orderId) throws Exception {
        return List.of(gateway.call(pay(orderId)), gateway.call(query(orderId)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edits")
    void noRouteWithAStepLeftOutTakesAForgedAnswer(Edit edit) throws Exception {
        signingKey.set(FORGER_KEY);
        Optional<Gateway> started = start(routesWith(Optional.of(edit)));
        if (started.isEmpty()) {
            // Refused to start: nothing is sent, nothing is answered. Only an instance without a
            // required template parameter may do that; every other edit must really be run.
            assertThat(edit.removed()).as(edit + " did not start").doesNotContain("step")
                    .doesNotContain("name: prepare").doesNotContain("name: record");
            return;
        }
        try (Gateway gateway = started.get()) {
            String orderId = "TAMPER-" + orders.incrementAndGet();
            for (Optional<JsonNode> answer : payThenQuery(gateway, orderId)) {
                if (answer.isEmpty()) {
                    continue; // the exchange failed: an error, no result
                }
                JsonNode a = answer.get();
                assertThat(a.toString()).as(edit + ": " + a).doesNotContain(FORGED);
                assertThat(a.path("status").asText()).as(edit + ": " + a).isNotEqualTo("SUCCESS");
                assertThat(a.has("error") || a.path("status").asText().equals("UNKNOWN"))
                        .as(edit + ": an error or UNKNOWN, got " + a).isTrue();
            }
            gateway.order(orderId).ifPresent(o -> {
                assertThat(o.status()).as(edit + ": the ledger's order").isNotEqualTo(PaymentStatus.SUCCESS);
                assertThat(String.valueOf(o.providerTradeId())).as(edit.toString()).doesNotContain(FORGED);
            });
        }
    }

    @Test
    void withNoStepLeftOutTheForgedAnswerIsSignatureInvalid() throws Exception {
        signingKey.set(FORGER_KEY);
        int before = stubCalls.get();
        try (Gateway gateway = start(routesWith(Optional.empty())).orElseThrow()) {
            String orderId = "TAMPER-" + orders.incrementAndGet();
            List<Optional<JsonNode>> answers = payThenQuery(gateway, orderId);
            JsonNode paid = answers.get(0).orElseThrow();
            assertThat(paid.at("/error/code").asText()).isEqualTo("SIGNATURE_INVALID");
            assertThat(paid.path("status").asText()).isEqualTo("UNKNOWN");
            JsonNode queried = answers.get(1).orElseThrow();
            assertThat(queried.at("/error/code").asText()).isEqualTo("SIGNATURE_INVALID");
            assertThat(gateway.order(orderId).orElseThrow().status()).isEqualTo(PaymentStatus.UNKNOWN);
        }
        assertThat(stubCalls.get() - before).as("both calls reached the forger").isEqualTo(2);
    }

    @Test
    void theSameAnswerSignedWithTheMerchantsKeyIsTaken() throws Exception {
        signingKey.set(KEY);
        try (Gateway gateway = start(routesWith(Optional.empty())).orElseThrow()) {
            String orderId = "TAMPER-" + orders.incrementAndGet();
            List<Optional<JsonNode>> answers = payThenQuery(gateway, orderId);
            assertThat(answers.get(0).orElseThrow().at("/action/codeUrl").asText()).endsWith(FORGED);
            assertThat(answers.get(1).orElseThrow().path("status").asText()).isEqualTo("SUCCESS");
            assertThat(gateway.order(orderId).orElseThrow().status()).isEqualTo(PaymentStatus.SUCCESS);
        } finally {
            signingKey.set(FORGER_KEY);
        }
    }
}
