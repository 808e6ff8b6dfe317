package io.paygate.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.canonical.Channel;
import io.paygate.canonical.PayMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merchant's {@code routing:} list in merchants.yaml: the rules are read in order, the first match
 * wins, and every rule the gateway could not follow stops start-up naming the file and the rule.
 */
class MerchantRoutingTest {
    private static final String WECHAT_KEY = "192006250b4c09247ec02edce69f6a2d";
    private static final String YST_KEY = "abcdefghijklmnopqrstuvwxyz012345";
    private static final String POOUL_KEY = "pooul-md5-key-routing-0001";

    @TempDir
    Path dir;

    /** wechat, ystpay and pooul accounts; ROUTING and DEFAULT are replaced per test. */
    private static final String SHOP = """
            merchants:
              mall:
            DEFAULT
                apiToken: token-mall-abcdefghijklmn
                wechat: { baseUrl: "https://api.mch.weixin.qq.com", appId: wx1, mchId: "1", apiKey: %s }
                ystpay: { baseUrl: "https://ystpay.example/unitive.api", account: dev01, password: pw1, privateKey: %s }
                pooul: { baseUrl: "http://gateway.pooulcloud.cn", merchantId: "m1", api: classic, key: %s }
            ROUTING
            """.formatted(WECHAT_KEY, YST_KEY, POOUL_KEY);

    private static final String THREE_WAY = """
                routing:
                  - { channel: WECHAT, method: MICRO, provider: pooul }
                  - { channel: WECHAT, provider: wechat }
                  - { channel: ALIPAY, provider: ystpay }
                  - { provider: ystpay }
            """;

    private String shop(String defaultLine, String routing) {
        return SHOP.replace("DEFAULT\n", defaultLine.isEmpty() ? "" : "    " + defaultLine + "\n")
                .replace("ROUTING\n", routing);
    }

    private MerchantProfile load(String yaml) throws IOException {
        Files.writeString(dir.resolve(MerchantsFile.FILE), yaml, StandardCharsets.UTF_8);
        return MerchantsFile.load(dir, Map.of()).byId("mall").orElseThrow();
    }

    /** The one-line error: the file, the key, the reason, and no credential. */
    private String failure(String yaml, String key) throws IOException {
        Files.writeString(dir.resolve(MerchantsFile.FILE), yaml, StandardCharsets.UTF_8);
        try {
            MerchantsFile.load(dir, Map.of());
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(dir.resolve(MerchantsFile.FILE) + ": " + key + ": ")
                    .doesNotContain(WECHAT_KEY, YST_KEY, POOUL_KEY, "token-mall-abcdefghijklmn").doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException naming " + key);
    }

    @Test
    void theFirstMatchingRuleWinsThenTheDefault() throws IOException {
        MerchantProfile p = load(shop("", THREE_WAY));
        assertThat(p.provider()).isNull();
        assertThat(p.routing()).hasSize(4);
        assertThat(p.route(Channel.WECHAT, PayMethod.MICRO)).contains("pooul");
        assertThat(p.route(Channel.WECHAT, PayMethod.JSAPI)).contains("wechat");
        assertThat(p.route(Channel.ALIPAY, PayMethod.MICRO)).contains("ystpay");
        assertThat(p.route(Channel.QQ, PayMethod.MICRO)).contains("ystpay");
        assertThat(p.route(null, PayMethod.SCAN)).as("no channel: only a rule without channel").contains("ystpay");
        assertThat(p.toString()).contains("routing").doesNotContain(WECHAT_KEY);

        MerchantProfile withDefault = load(shop("provider: wechat", """
                    routing:
                      - { channel: ALIPAY, provider: ystpay }
                """));
        assertThat(withDefault.route(Channel.ALIPAY, PayMethod.SCAN)).contains("ystpay");
        assertThat(withDefault.route(Channel.WECHAT, PayMethod.SCAN)).contains("wechat");
        assertThat(withDefault.route(null, PayMethod.SCAN)).contains("wechat");
    }

    @Test
    void theSingleProviderFormIsUnchanged() throws IOException {
        MerchantProfile p = load(shop("provider: ystpay", ""));
        assertThat(p.routing()).isEmpty();
        assertThat(p.route(Channel.WECHAT, PayMethod.MICRO)).contains("ystpay");
        assertThat(p.route(null, null)).contains("ystpay");
        failure(shop("", ""), "merchants.mall.provider");
    }

    @Test
    void aRuleNamingAProviderWithoutASectionIsRefused() throws IOException {
        String yaml = shop("provider: wechat", """
                    routing:
                      - { channel: ALIPAY, provider: testpay }
                """);
        assertThat(failure(yaml, "merchants.mall.routing[0].provider")).contains("no testpay section");
    }

    @Test
    void aRuleNamingAnUnknownProviderIsRefused() throws IOException {
        assertThat(failure(shop("provider: wechat", """
                    routing:
                      - { channel: ALIPAY, provider: paypal }
                """), "merchants.mall.routing[0].provider")).contains("unknown provider 'paypal'");
    }

    @Test
    void anUnknownChannelOrMethodIsRefused() throws IOException {
        assertThat(failure(shop("provider: wechat", """
                    routing:
                      - { channel: UNIONPAY, provider: ystpay }
                """), "merchants.mall.routing[0].channel")).contains("unknown channel 'UNIONPAY'").contains("WECHAT, ALIPAY");
        assertThat(failure(shop("provider: wechat", """
                    routing:
                      - { channel: ALIPAY, provider: ystpay }
                      - { method: BARCODE, provider: pooul }
                """), "merchants.mall.routing[1].method")).contains("unknown method 'BARCODE'").contains("MICRO");
        assertThat(failure(shop("provider: wechat", """
                    routing:
                      - { channel: alipay, provider: ystpay }
                """), "merchants.mall.routing[0].channel")).contains("unknown channel 'alipay'");
    }

    @Test
    void aChannelTheProviderDoesNotServeIsRefused() throws IOException {
        assertThat(failure(shop("provider: ystpay", """
                    routing:
                      - { channel: ALIPAY, provider: wechat }
                """), "merchants.mall.routing[0].channel")).contains("wechat does not serve channel ALIPAY");
    }

    @Test
    void withoutADefaultEveryServedChannelMustBeRouted() throws IOException {
        assertThat(failure(shop("", """
                    routing:
                      - { channel: WECHAT, provider: wechat }
                      - { channel: ALIPAY, provider: ystpay }
                """), "merchants.mall.routing")).contains("channel QQ").contains("is not routed");
        // A rule with a method refines; it does not route the whole channel.
        assertThat(failure(shop("", """
                    routing:
                      - { channel: ALIPAY, method: MICRO, provider: pooul }
                      - { channel: WECHAT, provider: wechat }
                      - { channel: QQ, provider: ystpay }
                      - { channel: BESTPAY, provider: ystpay }
                """), "merchants.mall.routing")).contains("channel ALIPAY");
        // Every channel named: no default needed.
        MerchantProfile p = load(shop("", """
                    routing:
                      - { channel: WECHAT, provider: wechat }
                      - { channel: ALIPAY, provider: ystpay }
                      - { channel: QQ, provider: pooul }
                      - { channel: BESTPAY, provider: ystpay }
                """));
        assertThat(p.route(null, PayMethod.MICRO)).as("a payment without channel matches no rule").isEmpty();
    }

    @Test
    void malformedRulesAreRefused() throws IOException {
        assertThat(failure(shop("provider: wechat", "    routing: []\n"), "merchants.mall.routing"))
                .contains("at least one rule");
        assertThat(failure(shop("provider: wechat", "    routing: { channel: ALIPAY, provider: ystpay }\n"),
                "merchants.mall.routing")).contains("expected a list");
        assertThat(failure(shop("provider: wechat", """
                    routing:
                      - { channel: ALIPAY, provder: ystpay }
                """), "merchants.mall.routing[0].provder")).contains("unknown key");
        assertThat(failure(shop("provider: wechat", """
                    routing:
                      - { channel: ALIPAY }
                """), "merchants.mall.routing[0].provider")).contains("missing");
        assertThat(failure(shop("provider: wechat", """
                    routing:
                      - ystpay
                """), "merchants.mall.routing[0]")).contains("expected a mapping");
    }

    @Test
    void aRuleThatAnEarlierOneHidesIsRefused() throws IOException {
        assertThat(failure(shop("provider: wechat", """
                    routing:
                      - { channel: WECHAT, provider: wechat }
                      - { channel: WECHAT, method: MICRO, provider: pooul }
                """), "merchants.mall.routing[1]")).contains("never applies").contains("rule 0");
    }
}
