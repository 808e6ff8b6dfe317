package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentStatus;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.pooul.PooulClassicFormat;
import io.paygate.provider.pooul.PooulConnector;
import io.paygate.provider.pooul.PooulJwt;
import io.paygate.provider.pooul.PooulMapping;
import io.paygate.provider.pooul.PooulSigner;
import io.paygate.provider.pooul.PooulV2Format;
import io.paygate.store.OrderRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Verification cannot be left out of a Pooul operation: the gateway runs with edited copies of the
 * shipped routes/pooul.yaml and routes/provider-operations.yaml in which
 * <ul>
 *   <li>every classic instance names a data format that only parses JSON, no MD5 check, and</li>
 *   <li>every v2 instance is made from a copy of the template without its {@code unmarshal}
 *       (answer) step,</li>
 * </ul>
 * and a stand-in Pooul forges every answer: the order paid (trade_state 0), signed with the wrong
 * MD5 key (classic) or a JWT by a key that is not the platform's (v2). Since the result mapper takes
 * only a {@code PooulVerified}, which only the verifying data formats make, no such answer becomes a
 * SUCCESS result or a paid order in the ledger.
 */
class PooulUnverifiedRoutesTest extends RouteTestSupport {
    private static final String TOKEN_CLASSIC = "pooul-unverified-classic-1";
    private static final String TOKEN_V2 = "pooul-unverified-v2-000001";
    private static final String CLASSIC_ID = "59457accffea0e051b86e685";
    private static final String V2_ID = "5399355381712172";
    private static final String CLASSIC_KEY = "classic-md5-key-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dir;
    private static Fixture fixture;
    private static KeyPair platform;
    private static KeyPair stranger;
    private static HttpServer forger;
    private static final AtomicInteger forged = new AtomicInteger();

    @BeforeAll
    static void startTheForger() throws Exception {
        dir = Files.createTempDirectory("pooul-unverified-test");
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        platform = g.generateKeyPair();
        stranger = g.generateKeyPair();
        Files.writeString(dir.resolve("platform-public.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(platform.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        Path pkcs1 = Path.of("src/test/resources/pooul/merchant-pkcs1-TEST-ONLY.pem").toAbsolutePath();

        forger = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        forger.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            forged.incrementAndGet();
            boolean v2 = ex.getRequestURI().getPath().startsWith("/v2/");
            byte[] b = v2 ? v2Answer(false) : classicAnswer(false);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        forger.start();

        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=http://127.0.0.1:9",
                "gateway.provider.read-timeout=2",
                "gateway.idempotency.wait=10", ""));
        String base = "http://127.0.0.1:" + forger.getAddress().getPort();
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  shop-classic:",
                "    provider: pooul",
                "    apiToken: " + TOKEN_CLASSIC,
                "    pooul: {baseUrl: '" + base + "', merchantId: '" + CLASSIC_ID + "', api: classic, key: " + CLASSIC_KEY + "}",
                "  shop-v2:",
                "    provider: pooul",
                "    apiToken: " + TOKEN_V2,
                "    pooul: {baseUrl: '" + base + "', merchantId: '" + V2_ID + "', api: v2, privateKey: '" + pkcs1
                        + "', platformPublicKey: platform-public.pem}", ""));
        fixture = Fixture.load(dir, 4);
    }

    @AfterAll
    static void stopTheForger() {
        forger.stop(0);
        fixture.close();
    }

    /** A QUERY / PAY answer saying the order is paid; forged: signed with a key that is not the merchant's. */
    private static byte[] classicAnswer(boolean genuine) {
        ObjectNode data = paidData(CLASSIC_ID);
        ObjectNode a = JSON.createObjectNode();
        a.put("code", 0).putNull("msg");
        a.set("data", data);
        a.put("sign", PooulSigner.sign(PooulSigner.fieldsOf(data), genuine ? CLASSIC_KEY : "not-the-merchants-key"));
        return a.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The same for v2: forged, a JWT signed by a key that is not the platform's. */
    private static byte[] v2Answer(boolean genuine) {
        ObjectNode a = JSON.createObjectNode();
        a.put("code", 0).put("msg", "success");
        a.set("data", paidData(V2_ID));
        return PooulJwt.sign(a.toString().getBytes(StandardCharsets.UTF_8),
                (RSAPrivateKey) (genuine ? platform : stranger).getPrivate()).getBytes(StandardCharsets.US_ASCII);
    }

    private static ObjectNode paidData(String merchantId) {
        ObjectNode d = JSON.createObjectNode();
        d.put("merchant_id", merchantId).put("trade_state", 0).put("total_fee", 1200).put("cash_fee", 1200)
                .put("trade_id", "599d4bebffea0e2f10fc0c22").put("time_end", 1503483885);
        return d;
    }

    @Override
    protected Fixture fixture() {
        return fixture;
    }

    /** The shipped Pooul file is replaced by its edited copy (extraRoutes). */
    @Override
    protected List<String> routeFiles() {
        return List.of("payment-api.yaml", "provider-operations.yaml", "errors.yaml");
    }

    /** A data format that reads the answer as JSON and checks nothing. */
    static final class UnverifiedJson extends ServiceSupport implements DataFormat {
        @Override
        public void marshal(Exchange exchange, Object graph, OutputStream stream) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object unmarshal(Exchange exchange, InputStream stream) throws IOException {
            return JSON.readTree(stream);
        }
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        context.getRegistry().bind("unverified-json", new UnverifiedJson());
        return context;
    }

    @Override
    protected List<Resource> extraRoutes() throws IOException {
        String template = Files.readString(Path.of("routes/provider-operations.yaml"));
        String withoutAnswer = replaceOnce(template, "id: provider-operation\n", "id: provider-operation-without-answer\n");
        withoutAnswer = replaceOnce(withoutAnswer, "          - unmarshal:\n              custom:\n                ref: \"{{answer}}\"\n", "");

        String pooul = Files.readString(Path.of("routes/pooul.yaml"));
        assertThat(pooul).contains("value: pooul-classic }");
        pooul = pooul.replace("value: pooul-classic }", "value: unverified-json }");
        // Each v2 instance: the template copy without the answer step.
        Matcher m = Pattern.compile("routeTemplateRef: provider-operation\\n(    routeId: pooul-v2-)").matcher(pooul);
        StringBuilder edited = new StringBuilder();
        int v2Instances = 0;
        while (m.find()) {
            m.appendReplacement(edited, "routeTemplateRef: provider-operation-without-answer\n$1");
            v2Instances++;
        }
        m.appendTail(edited);
        assertThat(v2Instances).isEqualTo(8);

        Files.writeString(dir.resolve("provider-operations-without-answer.yaml"), withoutAnswer);
        Files.writeString(dir.resolve("pooul-unverified.yaml"), edited.toString());
        List<Resource> out = new ArrayList<>();
        out.add(ResourceHelper.resolveMandatoryResource(context, "file:" + dir.resolve("provider-operations-without-answer.yaml")));
        out.add(ResourceHelper.resolveMandatoryResource(context, "file:" + dir.resolve("pooul-unverified.yaml")));
        return out;
    }

    private static String replaceOnce(String text, String what, String with) {
        assertThat(text).contains(what);
        return text.replace(what, with);
    }

    private String rid() {
        return "req-" + System.nanoTime();
    }

    @Test
    void aForgedPaidAnswerThroughRoutesThatSkipVerificationIsNeverSuccess() throws Exception {
        for (String[] m : List.of(new String[] {TOKEN_CLASSIC, "shop-classic"}, new String[] {TOKEN_V2, "shop-v2"})) {
            String orderId = "forged." + m[1];
            int before = forged.get();
            Answer pay = call(m[0], "{\"requestId\":\"" + rid() + "\",\"merchant\":\"" + m[1] + "\",\"operation\":\"PAY\","
                    + "\"orderId\":\"" + orderId + "\",\"amount\":1200,\"subject\":\"Coffee\",\"method\":\"SCAN\",\"channel\":\"WECHAT\"}");
            Answer query = call(m[0], "{\"requestId\":\"" + rid() + "\",\"merchant\":\"" + m[1] + "\",\"operation\":\"QUERY\","
                    + "\"orderId\":\"" + orderId + "\"}");
            assertThat(forged.get()).as("the forger answered both calls").isEqualTo(before + 2);
            for (Answer a : List.of(pay, query)) {
                assertThat(a.at("/status")).as(m[1] + ": " + a.raw()).isNotEqualTo("SUCCESS");
                assertThat(a.body().has("error")).as(a.raw()).isTrue();
                assertThat(a.body().has("paidAt")).isFalse();
                assertThat(a.body().has("paidAmount")).isFalse();
            }
            OrderRecord order = beans.ledger().find(m[1], orderId).orElseThrow();
            assertThat(order.status()).as(m[1]).isNotEqualTo(PaymentStatus.SUCCESS);
        }
    }

    /** The forger's answers do claim the order paid: genuine, the shipped steps read them as SUCCESS; forged, they refuse them. */
    @Test
    void theForgersAnswersClaimThePaymentAndOnlyTheirSignaturesAreWrong() {
        PooulMapping mapping = new PooulMapping();
        ProviderCall classic = query("shop-classic");
        assertThat(mapping.query(new PooulClassicFormat().verify(classicAnswer(true), classic), classic).status())
                .isEqualTo(PaymentStatus.SUCCESS);
        assertThatThrownBy(() -> new PooulClassicFormat().verify(classicAnswer(false), classic))
                .isInstanceOfSatisfying(AnswerRejected.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID));
        ProviderCall v2 = query("shop-v2");
        assertThat(mapping.query(new PooulV2Format().verify(v2Answer(true), v2), v2).status()).isEqualTo(PaymentStatus.SUCCESS);
        assertThatThrownBy(() -> new PooulV2Format().verify(v2Answer(false), v2))
                .isInstanceOfSatisfying(AnswerRejected.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID));
    }

    private ProviderCall query(String merchant) {
        PaymentRequest r = new PaymentRequest("1", "req-1", merchant, "pooul", Operation.QUERY, "forged.control", 1200L,
                null, PayMethod.SCAN, Channel.WECHAT, "Coffee", null, null, null, null, null, null, null, null, null, null,
                null, null);
        return ProviderCalls.standalone(new PooulConnector("http://127.0.0.1:9", "127.0.0.1", Clock.systemUTC()), r,
                fixture.merchants().byId(merchant).orElseThrow(), Operation.QUERY, null);
    }
}
