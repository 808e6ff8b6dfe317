package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.canonical.PaymentStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A provider is a module: the test-only provider {@code testpay} (io.paygate.testpay, test
 * sources) plugs in through its ServiceLoader entry and its own route file, with no change to
 * main, and is served like the shipped ones: its merchants.yaml section is read strictly, its
 * calls go through the API, the template, its verifying data format and the ledger, and a
 * merchant's own read timeout applies to it.
 */
class FourthProviderTest extends RouteTestSupport {
    private static final String KEY = "testpay-key-0001";
    private static final String TOKEN = "fourth-provider-token-01";
    private static final String TOKEN_SLOW = "fourth-provider-token-slow";
    private static final String TOKEN_FORGED = "fourth-provider-token-forged";
    private static Path dir;
    private static Fixture fixture;
    private static io.paygate.testpay.TestPayProvider provider;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("fourth-provider");
        provider = new io.paygate.testpay.TestPayProvider(KEY);
        String base = provider.baseUrl();
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=https://gw.example.com",
                "gateway.provider.read-timeout=10", ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  fourth-shop:",
                "    provider: testpay",
                "    apiToken: " + TOKEN,
                "    testpay: {baseUrl: '" + base + "', key: " + KEY + "}",
                "  fourth-slow:",
                "    provider: testpay",
                "    apiToken: " + TOKEN_SLOW,
                "    testpay: {baseUrl: '" + base + "/slow', key: " + KEY + ", readTimeout: 1}",
                "  fourth-forged:",
                "    provider: testpay",
                "    apiToken: " + TOKEN_FORGED,
                "    testpay: {baseUrl: '" + base + "/forged', key: " + KEY + "}", ""));
        fixture = Fixture.load(dir, 4);
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
        return List.of("payment-api.yaml", "errors.yaml");
    }

    /**
     * The provider's route file, and the shipped template edited as a careless operator might: every
     * removeHeaders step deleted. The caller's headers must still never reach the provider.
     */
    @Override
    protected List<Resource> extraRoutes() throws java.io.IOException {
        String template = Files.readString(Path.of("routes/provider-operations.yaml"));
        String edited = template.replaceAll("(?m)^( *)- removeHeaders:\\n\\1    pattern: \"\\*\"\\n", "");
        assertThat(edited).as("the edit removed a step").isNotEqualTo(template).doesNotContain("removeHeaders");
        Path copy = dir.resolve("provider-operations-without-removeHeaders.yaml");
        Files.writeString(copy, edited);
        return List.of(ResourceHelper.resolveMandatoryResource(context, "file:" + copy),
                ResourceHelper.resolveMandatoryResource(context, "classpath:testpay/testpay.yaml"));
    }

    @Test
    void theCallersHeadersNeverReachTheProviderEvenWithoutTheRoutesRemoveHeadersSteps() throws Exception {
        provider.seen.clear();
        org.apache.camel.Exchange ex = template.send("direct:payment-api", e -> {
            e.getMessage().setHeader("Authorization", "Bearer " + TOKEN);
            e.getMessage().setHeader("Content-Type", "application/json");
            e.getMessage().setHeader("X-Caller-Secret", "caller-secret-0001");
            e.getMessage().setBody(pay("fourth-shop", "fh-1", "FH-0001").getBytes(StandardCharsets.UTF_8));
        });
        assertThat(ex.getException()).isNull();
        assertThat(provider.seen).hasSize(1);
        com.sun.net.httpserver.Headers h = provider.seen.get(0);
        assertThat(h.containsKey("Authorization")).isFalse();
        assertThat(h.containsKey("X-caller-secret")).isFalse();
        assertThat(h.values().toString()).doesNotContain(TOKEN).doesNotContain("caller-secret-0001");
    }

    private static String pay(String merchant, String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\",\"orderId\":\"" + orderId
                + "\",\"amount\":700,\"method\":\"SCAN\",\"subject\":\"Tea\"}";
    }

    private static String query(String merchant, String requestId, String orderId) {
        return "{\"requestId\":\"" + requestId + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"QUERY\",\"orderId\":\"" + orderId + "\"}";
    }

    @Test
    void aProviderFromTestSourcesPaysAndQueriesThroughTheGateway() throws Exception {
        Answer paid = call(TOKEN, pay("fourth-shop", "fp-1", "FP-0001"));
        assertThat(paid.status()).isEqualTo(200);
        assertThat(paid.at("/provider")).isEqualTo("testpay");
        assertThat(paid.at("/status")).isEqualTo("NOTPAY");

        provider.orders.put("FP-0001", "PAID");
        Answer queried = call(TOKEN, query("fourth-shop", "fp-2", "FP-0001"));
        assertThat(queried.at("/status")).isEqualTo("SUCCESS");
        assertThat(beans.ledger().find("fourth-shop", "FP-0001").orElseThrow().status()).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(beans.ledger().find("fourth-shop", "FP-0001").orElseThrow().providerTradeId()).isEqualTo("TP-FP-0001");
    }

    @Test
    void itsAnswersAreVerifiedByItsOwnDataFormat() throws Exception {
        Answer forged = call(TOKEN_FORGED, pay("fourth-forged", "ff-1", "FF-0001"));
        assertThat(forged.at("/error/code")).isEqualTo("SIGNATURE_INVALID");
        assertThat(forged.at("/status")).isEqualTo("UNKNOWN");
    }

    @Test
    void aMerchantsOwnReadTimeoutAppliesToItsCalls() throws Exception {
        long start = System.nanoTime();
        Answer slow = call(TOKEN_SLOW, pay("fourth-slow", "fs-1", "FS-0001"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(slow.status()).isEqualTo(504);
        assertThat(slow.at("/error/code")).isEqualTo("TIMEOUT");
        // The merchant's readTimeout (1 s), not the gateway's (10 s), nor the stub's 2.5 s answer.
        assertThat(millis).isLessThan(2400);
    }

    @Test
    void anUnknownKeyInItsSectionIsRefusedAsStrictlyAsTheShippedProviders() throws Exception {
        Path other = Files.createTempDirectory("fourth-provider-bad");
        Files.writeString(other.resolve("application.properties"), "gateway.public-base-url=https://gw.example.com\n");
        Files.writeString(other.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  fourth-shop:",
                "    provider: testpay",
                "    apiToken: " + TOKEN,
                "    testpay: {baseUrl: 'http://127.0.0.1:1', key: " + KEY + ", kee: typo}", ""));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Fixture.load(other, 1))
                .hasMessageContaining("merchants.fourth-shop.testpay.kee").hasMessageContaining("unknown key")
                .hasMessageNotContaining(KEY);
    }
}
