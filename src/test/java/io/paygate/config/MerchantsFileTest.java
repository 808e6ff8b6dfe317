package io.paygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MerchantsFileTest {
    /** Fake credentials, only for these tests. */
    private static final String TOKEN = "tok-acme-0123456789abcdef";
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";
    private static final String CALLBACK_SECRET = "cb-secret-acme-000111";
    private static final Map<String, String> ENV = Map.of(
            "ACME_TOKEN", TOKEN, "ACME_WECHAT_KEY", KEY, "ACME_CALLBACK", CALLBACK_SECRET,
            "UNRELATED_SECRET", "do-not-show-me-42");

    @TempDir
    Path dir;

    private static final String VALID = """
            merchants:
              acme:
                provider: wechat
                apiToken: ${env:ACME_TOKEN}
                callbackSecret: ${env:ACME_CALLBACK}
                notifyUrl: http://erp.example/payments/events
                callbackHosts: [erp.example, erp2.example]
                retrySchedule: [15, 15, 30]
                wechat:
                  baseUrl: https://api.mch.weixin.qq.com/
                  appId: wxd930ea5d5a258f4f
                  mchId: "10000100"
                  apiKey: ${env:ACME_WECHAT_KEY}
                  signType: HMAC-SHA256
                  certificate: { path: /etc/paygate/acme.p12, password: "10000100" }
              shop-2:
                provider: wechat
                apiToken: token-shop2-abcdefghijkl
                wechat: { baseUrl: "http://127.0.0.1:8091", appId: wx2, mchId: "2", apiKey: k2 }
            """;

    private Path write(String yaml) throws IOException {
        Files.writeString(dir.resolve(MerchantsFile.FILE), yaml, StandardCharsets.UTF_8);
        return dir.resolve(MerchantsFile.FILE);
    }

    private ConfigException failure(String yaml) throws IOException {
        write(yaml);
        try {
            MerchantsFile.load(dir, ENV);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    /** Names the file and the key, and shows none of the configured secrets. */
    private void assertNames(ConfigException e, String key) {
        assertThat(e.getMessage()).contains(dir.resolve(MerchantsFile.FILE).toString());
        assertThat(e.getMessage()).contains(key);
        assertThat(e.getMessage()).doesNotContain(TOKEN, KEY, CALLBACK_SECRET, "do-not-show-me-42", "token-shop2-abcdefghijkl");
    }

    @Test
    void validFileResolvesEnvReferences() throws IOException {
        write(VALID);
        MerchantDirectory d = MerchantsFile.load(dir, ENV);

        MerchantProfile acme = d.byId("acme").orElseThrow();
        assertThat(acme.provider()).isEqualTo("wechat");
        assertThat(acme.apiToken()).isEqualTo(TOKEN);
        assertThat(acme.callbackSecret()).isEqualTo(CALLBACK_SECRET);
        assertThat(acme.notifyUrl()).isEqualTo("http://erp.example/payments/events");
        assertThat(acme.callbackHosts()).containsExactly("erp.example", "erp2.example");
        assertThat(acme.retrySchedule()).containsExactly(15, 15, 30);
        assertThat(acme.settings(io.paygate.provider.wechat.WechatSettings.class).baseUrl()).isEqualTo("https://api.mch.weixin.qq.com");
        assertThat(acme.settings(io.paygate.provider.wechat.WechatSettings.class).appId()).isEqualTo("wxd930ea5d5a258f4f");
        assertThat(acme.settings(io.paygate.provider.wechat.WechatSettings.class).mchId()).isEqualTo("10000100");
        assertThat(acme.settings(io.paygate.provider.wechat.WechatSettings.class).apiKey()).isEqualTo(KEY);
        assertThat(acme.settings(io.paygate.provider.wechat.WechatSettings.class).signType()).isEqualTo("HMAC-SHA256");
        assertThat(acme.settings(io.paygate.provider.wechat.WechatSettings.class).certificatePath()).isEqualTo("/etc/paygate/acme.p12");
        assertThat(acme.settings(io.paygate.provider.wechat.WechatSettings.class).certificatePassword()).isEqualTo("10000100");
        assertThat(acme.supports("wechat")).isTrue();
        assertThat(acme.supports("pooul")).isFalse();

        MerchantProfile shop2 = d.byId("shop-2").orElseThrow();
        assertThat(shop2.settings(io.paygate.provider.wechat.WechatSettings.class).signType()).isEqualTo("MD5");
        assertThat(shop2.retrySchedule()).isEqualTo(MerchantProfile.DEFAULT_RETRY_SCHEDULE);
        assertThat(shop2.callbackHosts()).isEmpty();

        assertThat(d.byToken(TOKEN)).map(MerchantProfile::id).contains("acme");
        assertThat(d.byToken("token-shop2-abcdefghijkl")).map(MerchantProfile::id).contains("shop-2");
        assertThat(d.byToken(TOKEN + "x")).isEmpty();
        assertThat(d.byToken("")).isEmpty();
        assertThat(d.all()).hasSize(2);
    }

    @Test
    void profilesNeverPrintTheirCredentials() throws IOException {
        write(VALID);
        MerchantProfile acme = MerchantsFile.load(dir, ENV).byId("acme").orElseThrow();
        assertThat(acme.toString()).doesNotContain(TOKEN, KEY, CALLBACK_SECRET, "10000100\"");
        assertThat(acme.settings(io.paygate.provider.wechat.WechatSettings.class).toString()).doesNotContain(KEY);
    }

    @Test
    void missingFileNamesThePath() {
        assertThatThrownBy(() -> MerchantsFile.load(dir, ENV)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve(MerchantsFile.FILE).toString()).hasMessageContaining("not found");
    }

    @Test
    void malformedYaml() throws IOException {
        ConfigException e = failure("merchants:\n  acme: [unclosed\n");
        assertThat(e.getMessage()).contains(dir.resolve(MerchantsFile.FILE).toString()).contains("malformed YAML");
    }

    /** snakeyaml's own message quotes the offending line: a secret on that line must not reach the log. */
    @Test
    void malformedYamlDoesNotQuoteASecretOnTheBadLine() throws IOException {
        ConfigException e = failure("""
                merchants:
                  acme:
                    provider: wechat
                    apiToken: "tok-acme-0123456789abcdef
                    wechat: { apiKey: 192006250b4c09247ec02edce69f6a2d }
                """);
        assertThat(e.getMessage()).contains("malformed YAML");
        assertThat(e.getMessage()).doesNotContain("0123456789abcdef", KEY);
    }

    @Test
    void duplicateKeysAreRefused() throws IOException {
        ConfigException e = failure(VALID.replace("    provider: wechat\n    apiToken: ${env:ACME_TOKEN}\n",
                "    provider: wechat\n    provider: pooul\n    apiToken: ${env:ACME_TOKEN}\n"));
        assertThat(e.getMessage()).contains(dir.resolve(MerchantsFile.FILE).toString());
        assertThat(e.getMessage()).contains("provider");
    }

    @Test
    void unknownProvider() throws IOException {
        ConfigException e = failure(VALID.replace("provider: wechat\n    apiToken: ${env:ACME_TOKEN}",
                "provider: alipay\n    apiToken: ${env:ACME_TOKEN}"));
        assertNames(e, "merchants.acme.provider");
        assertThat(e.getMessage()).contains("alipay");
    }

    @Test
    void missingCredential() throws IOException {
        ConfigException e = failure(VALID.replace("      apiKey: ${env:ACME_WECHAT_KEY}\n", ""));
        assertNames(e, "merchants.acme.wechat.apiKey");
        ConfigException blank = failure(VALID.replace("apiKey: ${env:ACME_WECHAT_KEY}", "apiKey: \"  \""));
        assertNames(blank, "merchants.acme.wechat.apiKey");
    }

    @Test
    void missingProviderSettings() throws IOException {
        ConfigException e = failure("""
                merchants:
                  acme:
                    provider: pooul
                    apiToken: ${env:ACME_TOKEN}
                    wechat: { baseUrl: "https://api.mch.weixin.qq.com", appId: wx1, mchId: "1", apiKey: k }
                """);
        assertNames(e, "merchants.acme.pooul");
    }

    @Test
    void unsetEnvironmentVariableNamesTheVariableAndTheKey() throws IOException {
        ConfigException e = failure(VALID.replace("${env:ACME_WECHAT_KEY}", "${env:ACME_MISSING_KEY}"));
        assertNames(e, "merchants.acme.wechat.apiKey");
        assertThat(e.getMessage()).contains("ACME_MISSING_KEY");
    }

    @Test
    void onlyEnvReferencesAreSupported() throws IOException {
        ConfigException e = failure(VALID.replace("${env:ACME_WECHAT_KEY}", "${sys:user.home}"));
        assertNames(e, "merchants.acme.wechat.apiKey");
    }

    @Test
    void envReferenceInsideALongerValue() throws IOException {
        write(VALID.replace("callbackSecret: ${env:ACME_CALLBACK}", "callbackSecret: pre-${env:ACME_CALLBACK}-post"));
        assertThat(MerchantsFile.load(dir, ENV).byId("acme").orElseThrow().callbackSecret())
                .isEqualTo("pre-" + CALLBACK_SECRET + "-post");
    }

    /** The value of a variable is data: a password that happens to contain "${" is still a password. */
    @Test
    void envValueMayContainDollarBrace() throws IOException {
        write(VALID);
        Map<String, String> env = new java.util.HashMap<>(ENV);
        env.put("ACME_CALLBACK", "p${w}d-0001");
        assertThat(MerchantsFile.load(dir, env).byId("acme").orElseThrow().callbackSecret()).isEqualTo("p${w}d-0001");
    }

    @Test
    void unknownKeys() throws IOException {
        assertNames(failure(VALID.replace("    retrySchedule:", "    colour: red\n    retrySchedule:")), "merchants.acme.colour");
        assertNames(failure(VALID.replace("signType: HMAC-SHA256", "signType: HMAC-SHA256\n      apikey: x")),
                "merchants.acme.wechat.apikey");
        assertNames(failure("tenants: {}\n" + VALID), "tenants");
        assertNames(failure(VALID.replace("certificate: { path: /etc/paygate/acme.p12,",
                "certificate: { file: x, path: /etc/paygate/acme.p12,")), "merchants.acme.wechat.certificate.file");
    }

    @Test
    void shortApiToken() throws IOException {
        ConfigException e = failure(VALID.replace("apiToken: token-shop2-abcdefghijkl", "apiToken: short-token"));
        assertNames(e, "merchants.shop-2.apiToken");
        assertThat(e.getMessage()).doesNotContain("short-token");
    }

    @Test
    void sameTokenForTwoMerchants() throws IOException {
        ConfigException e = failure(VALID.replace("apiToken: token-shop2-abcdefghijkl", "apiToken: ${env:ACME_TOKEN}"));
        assertNames(e, "merchants.shop-2.apiToken");
    }

    @Test
    void notifyUrlHostMustBeACallbackHost() throws IOException {
        ConfigException e = failure(VALID.replace("notifyUrl: http://erp.example/payments/events",
                "notifyUrl: http://evil.example/payments/events"));
        assertNames(e, "merchants.acme.notifyUrl");
        assertThat(e.getMessage()).contains("evil.example");
        assertNames(failure(VALID.replace("notifyUrl: http://erp.example/payments/events", "notifyUrl: erp.example/x")),
                "merchants.acme.notifyUrl");
    }

    @Test
    void signTypeMustBeMd5OrHmacSha256() throws IOException {
        for (String bad : List.of("SHA256", "md5", "HMAC_SHA256", "RSA")) {
            ConfigException e = failure(VALID.replace("signType: HMAC-SHA256", "signType: " + bad));
            assertNames(e, "merchants.acme.wechat.signType");
        }
        write(VALID.replace("signType: HMAC-SHA256", "signType: MD5"));
        assertThat(MerchantsFile.load(dir, ENV).byId("acme").orElseThrow().settings(io.paygate.provider.wechat.WechatSettings.class).signType()).isEqualTo("MD5");
    }

    @Test
    void badRetrySchedule() throws IOException {
        assertNames(failure(VALID.replace("retrySchedule: [15, 15, 30]", "retrySchedule: [15, -1]")),
                "merchants.acme.retrySchedule");
        assertNames(failure(VALID.replace("retrySchedule: [15, 15, 30]", "retrySchedule: [15, \"x\"]")),
                "merchants.acme.retrySchedule");
        assertNames(failure(VALID.replace("retrySchedule: [15, 15, 30]", "retrySchedule: 15")),
                "merchants.acme.retrySchedule");
    }

    @Test
    void badMerchantIdAndEmptyMerchants() throws IOException {
        assertNames(failure(VALID.replace("  shop-2:", "  \"shop 2\":")), "merchants.shop 2");
        assertNames(failure("merchants: {}\n"), "merchants");
        assertNames(failure("merchants:\n"), "merchants");
    }

    @Test
    void baseUrlMustBeHttp() throws IOException {
        assertNames(failure(VALID.replace("baseUrl: https://api.mch.weixin.qq.com/", "baseUrl: api.mch.weixin.qq.com")),
                "merchants.acme.wechat.baseUrl");
    }

    /**
     * A credential written without quotes that looks like a number must keep its characters: YAML
     * reads {@code 0012345} as the integer 12345, and the loader turns that back into "12345".
     */
    @Test
    void numericLookingCredentialKeepsItsLeadingZeros() throws IOException {
        write("""
                merchants:
                  store-1:
                    provider: ystpay
                    apiToken: token-store1-abcdefghijkl
                    ystpay: { baseUrl: "https://ystpay.example/unitive.api", account: 0012345, password: 007788, privateKey: abcdefghijklmnopqrstuvwxyz012345 }
                """);
        MerchantProfile p = MerchantsFile.load(dir, ENV).byId("store-1").orElseThrow();
        assertThat(p.settings(io.paygate.provider.ystpay.YstpaySettings.class).account()).isEqualTo("0012345");
        assertThat(p.settings(io.paygate.provider.ystpay.YstpaySettings.class).password()).isEqualTo("007788");
    }

    @Test
    void ystpayKeySettingsHaveDocumentedDefaultsAndAreChecked() throws IOException {
        String base = """
                merchants:
                  y1:
                    provider: ystpay
                    apiToken: token-y1-abcdefghijklmn
                    ystpay: { baseUrl: "https://ystpay.example/unitive.api", account: dev01, password: secret1, privateKey: KEY }
                """;
        write(base.replace("KEY", "abcdefghijklmnopqrstuvwxyz012345"));
        MerchantProfile p = MerchantsFile.load(dir, ENV).byId("y1").orElseThrow();
        assertThat(p.settings(io.paygate.provider.ystpay.YstpaySettings.class).requestKey()).isEqualTo("first16");
        assertThat(p.settings(io.paygate.provider.ystpay.YstpaySettings.class).padding()).isEqualTo("zero");
        assertThat(p.settings(io.paygate.provider.ystpay.YstpaySettings.class).passwordMd5()).isEqualTo("upper");
        assertThat(p.settings(io.paygate.provider.ystpay.YstpaySettings.class).toString()).doesNotContain("abcdefghijklmnop").doesNotContain("secret1");

        write(base.replace("KEY", "MDEyMzQ1Njc4OWFiY2RlZg==, requestKey: base64, padding: pkcs7, passwordMd5: lower"));
        p = MerchantsFile.load(dir, ENV).byId("y1").orElseThrow();
        assertThat(p.settings(io.paygate.provider.ystpay.YstpaySettings.class).requestKey()).isEqualTo("base64");
        assertThat(p.settings(io.paygate.provider.ystpay.YstpaySettings.class).padding()).isEqualTo("pkcs7");
        assertThat(p.settings(io.paygate.provider.ystpay.YstpaySettings.class).passwordMd5()).isEqualTo("lower");

        assertNames(failure(base.replace("KEY", "short-key")), "merchants.y1.ystpay.privateKey");
        assertThat(failure(base.replace("KEY", "short-key")).getMessage()).doesNotContain("short-key");
        assertNames(failure(base.replace("KEY", "abcdefghijklmnopqrstuvwxyz0123, requestKey: utf8")),
                "merchants.y1.ystpay.privateKey");
        assertNames(failure(base.replace("KEY", "abcdefghijklmnopqrstuvwxyz012345, padding: space")),
                "merchants.y1.ystpay.padding");
        assertNames(failure(base.replace("KEY", "abcdefghijklmnopqrstuvwxyz012345, requestKey: md5")),
                "merchants.y1.ystpay.requestKey");
        assertNames(failure(base.replace("account: dev01", "account: abc").replace("KEY", "abcdefghijklmnopqrstuvwxyz012345")),
                "merchants.y1.ystpay.account");
    }

    @Test
    void pooulClassicNeedsKeyAndV2NeedsKeys() throws IOException {
        String classic = """
                merchants:
                  p1:
                    provider: pooul
                    apiToken: token-p1-abcdefghijklmn
                    pooul: { baseUrl: "http://gateway.pooulcloud.cn", merchantId: "m1", api: classic }
                """;
        assertNames(failure(classic), "merchants.p1.pooul.key");
        assertNames(failure(classic.replace("api: classic", "api: v2")), "merchants.p1.pooul.privateKey");
        assertNames(failure(classic.replace("api: classic", "api: v3")), "merchants.p1.pooul.api");
    }

    // ---- a merchant's own broker login ----

    private static String withLogins(String a, String b) {
        return VALID.replace("    retrySchedule: [15, 15, 30]\n", "    retrySchedule: [15, 15, 30]\n" + a)
                .replace("    apiToken: token-shop2-abcdefghijkl\n", "    apiToken: token-shop2-abcdefghijkl\n" + b);
    }

    @Test
    void aBrokerLoginMapsToItsMerchantAndBringsItsEventsQueue() throws IOException {
        write(withLogins("    broker: {user: acme-tills, password: '${env:ACME_CALLBACK}'}\n", ""));
        MerchantDirectory d = MerchantsFile.load(dir, ENV);
        assertThat(d.brokerLogins()).containsOnlyKeys("acme");
        assertThat(d.brokerLogins().get("acme").password()).isEqualTo(CALLBACK_SECRET);
        assertThat(d.brokerLogins().get("acme").toString()).doesNotContain(CALLBACK_SECRET);
        assertThat(d.merchantOfBrokerUser("acme-tills")).contains("acme");
        assertThat(d.merchantOfBrokerUser("shop-2")).isEmpty();
        assertThat(d.eventQueueMerchants()).containsExactly("acme");
    }

    @Test
    void brokerLoginsAreCheckedField_by_field() throws IOException {
        assertNames(failure(withLogins("    broker: {user: t, password: short}\n", "")), "merchants.acme.broker.password");
        assertNames(failure(withLogins("    broker: {password: '${env:ACME_CALLBACK}'}\n", "")), "merchants.acme.broker.user");
        assertNames(failure(withLogins("    broker: {user: 'a b', password: '${env:ACME_CALLBACK}'}\n", "")),
                "merchants.acme.broker.user");
        ConfigException extra = failure(withLogins("    broker: {user: t, password: '${env:ACME_CALLBACK}', role: x}\n", ""));
        assertNames(extra, "merchants.acme.broker.role");
        assertThat(extra.getMessage()).contains("password, user");
        assertNames(failure(withLogins("    broker: {user: same, password: '${env:ACME_CALLBACK}'}\n",
                "    broker: {user: same, password: another-password-0001}\n")), "merchants.shop-2.broker.user");
        assertNames(failure(withLogins("    eventsQueue: false\n    broker: {user: t, password: '${env:ACME_CALLBACK}'}\n", "")),
                "merchants.acme.eventsQueue");
    }
}
