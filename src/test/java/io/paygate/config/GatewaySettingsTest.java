package io.paygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewaySettingsTest {
    @TempDir
    Path dir;

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("GATEWAY_CONFIG_DIR", dir.toString());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    /** The broker credentials every valid file needs (test values), then the test's own lines (later lines win). */
    private static final String BROKER = "gateway.broker.user=gw-test\ngateway.broker.password=pw-test-0001\n";

    private Path write(String properties) throws IOException {
        return writeExactly(BROKER + properties);
    }

    private Path writeExactly(String properties) throws IOException {
        Path file = dir.resolve(GatewaySettings.FILE);
        Files.writeString(file, properties, StandardCharsets.UTF_8);
        return file;
    }

    private String file() {
        return dir.resolve(GatewaySettings.FILE).toString();
    }

    private ConfigException failure(Map<String, String> env, Properties system) {
        try {
            GatewaySettings.load(env, system);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    @Test
    void brokerProtocolsDefaultToAllThreeAndRefuseUnknownOnes() throws IOException {
        write("gateway.http.port=8081\n");
        assertThat(GatewaySettings.load(env(), new Properties()).brokerProtocols()).containsExactly("CORE", "AMQP", "STOMP");
        write("gateway.broker.protocols= stomp, CORE ,stomp\n");
        assertThat(GatewaySettings.load(env(), new Properties()).brokerProtocols()).containsExactly("STOMP", "CORE");
        write("gateway.broker.protocols=CORE,MQTT\n");
        assertThatThrownBy(() -> GatewaySettings.load(env(), new Properties())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.broker.protocols").hasMessageContaining("MQTT");
        write("gateway.broker.protocols=\n");
        assertThatThrownBy(() -> GatewaySettings.load(env(), new Properties())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.broker.protocols");
    }

    @Test
    void theJournalBufferTimeoutDefaultsToATenthOfAMillisecondAndRefusesNonsense() throws IOException {
        write("gateway.http.port=8081\n");
        assertThat(GatewaySettings.load(env(), new Properties()).intValue("gateway.broker.journal-buffer-timeout", 1_000, 100_000_000))
                .isEqualTo(100_000);
        write("gateway.broker.journal-buffer-timeout=500000\n");
        assertThat(GatewaySettings.load(env(), new Properties()).intValue("gateway.broker.journal-buffer-timeout", 1_000, 100_000_000))
                .isEqualTo(500_000);
        for (String bad : new String[] {"0", "-5", "3.3ms", "200000000"}) {
            write("gateway.broker.journal-buffer-timeout=" + bad + "\n");
            assertThatThrownBy(() -> GatewaySettings.load(env(), new Properties())).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("gateway.broker.journal-buffer-timeout");
        }
    }

    @Test
    void defaultsAndFileValues() throws IOException {
        write("gateway.http.port=8081\ngateway.public-base-url=https://pay.example\n");
        GatewaySettings s = GatewaySettings.load(env(), new Properties());

        assertThat(s.intValue("gateway.http.port", 0, 65535)).isEqualTo(8081);
        assertThat(s.get("gateway.public-base-url")).isEqualTo("https://pay.example");
        assertThat(s.get("gateway.broker.port")).isEqualTo("61616");
        assertThat(s.get("gateway.broker.host")).isEqualTo("127.0.0.1");
        assertThat(s.get("gateway.broker.url")).isEmpty();
        assertThat(s.get("gateway.reconcile.cron")).isEqualTo("0 * * * * ?");
        assertThat(s.seconds("gateway.reconcile.min-age")).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.get("gateway.reconcile.backoff")).isEqualTo("60,120,300,600,1800");
        assertThat(s.seconds("gateway.reconcile.max-age")).isEqualTo(Duration.ofSeconds(86400));
        assertThat(s.seconds("gateway.order.default-lifetime")).isEqualTo(Duration.ofSeconds(7200));
        assertThat(s.seconds("gateway.order.min-close-age")).isEqualTo(Duration.ofSeconds(300));
        assertThat(s.seconds("gateway.micro.poll-delay")).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.seconds("gateway.micro.poll-interval")).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.seconds("gateway.micro.poll-limit")).isEqualTo(Duration.ofSeconds(45));
        assertThat(s.seconds("gateway.micro.reverse-after")).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.seconds("gateway.micro.wait")).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.seconds("gateway.provider.read-timeout")).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.bool("gateway.sandbox.enabled")).isFalse();
        assertThat(s.configDir()).isEqualTo(dir.toAbsolutePath().normalize());
        assertThat(s.configFile()).isEqualTo(file());
        assertThat(s.asProperties().getProperty("gateway.http.port")).isEqualTo("8081");
    }

    @Test
    void defaultPortIs8080() throws IOException {
        write("");
        assertThat(GatewaySettings.load(env(), new Properties()).intValue("gateway.http.port", 0, 65535)).isEqualTo(8080);
    }

    @Test
    void theManagementPortIsOffByDefaultAndCheckedWhenSet() throws IOException {
        write("gateway.http.host=10.0.0.5\n");
        GatewaySettings s = GatewaySettings.load(env(), new Properties());
        assertThat(s.managementPort()).isEmpty();
        assertThat(s.managementHost()).isEqualTo("10.0.0.5");

        write("gateway.http.port=8080\ngateway.management.port=9090\ngateway.management.host=127.0.0.1\n");
        s = GatewaySettings.load(env(), new Properties());
        assertThat(s.managementPort()).hasValue(9090);
        assertThat(s.managementHost()).isEqualTo("127.0.0.1");
        // 0 = any free port, also beside a public port of 0
        assertThat(GatewaySettings.load(env("GATEWAY_HTTP_PORT", "0", "GATEWAY_MANAGEMENT_PORT", "0"), new Properties())
                .managementPort()).hasValue(0);

        write("gateway.management.port=70000\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains(file()).contains("gateway.management.port")
                .contains("0 to 65535");
        write("gateway.management.port=admin\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains("gateway.management.port");
        write("gateway.http.port=8443\ngateway.management.port=8443\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains(file()).contains("gateway.management.port")
                .contains("is gateway.http.port (8443)");
    }

    @Test
    void missingFileNamesThePath() {
        ConfigException e = failure(env(), new Properties());
        assertThat(e.getMessage()).contains(file()).contains("not found");
    }

    @Test
    void badPortNamesTheKeyAndTheFile() throws IOException {
        write("gateway.http.port=eighty\n");
        ConfigException e = failure(env(), new Properties());
        assertThat(e.getMessage()).contains(file()).contains("gateway.http.port");

        write("gateway.http.port=70000\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains(file()).contains("gateway.http.port");
    }

    @Test
    void aPerProviderKeyNoDefaultHoldsCanComeFromTheEnvironment() throws IOException {
        write("");
        Map<String, String> env = new java.util.HashMap<>(env());
        env.put("GATEWAY_YSTPAY_READ_TIMEOUT", "60");
        GatewaySettings s = GatewaySettings.load(env, new Properties());
        assertThat(s.explicit("gateway.ystpay.read-timeout")).isTrue();
        assertThat(s.seconds("gateway.ystpay.read-timeout")).isEqualTo(java.time.Duration.ofSeconds(60));
        Properties system = new Properties();
        system.setProperty("gateway.wechat.micro.wait", "12");
        assertThat(GatewaySettings.load(env(), system).forProvider("wechat", "micro.wait")).isEqualTo("12");
    }

    @Test
    void aBadPerProviderTimeoutStopsStartUpNotTheFirstCall() throws IOException {
        write("gateway.wechat.read-timeout=20s\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains(file()).contains("gateway.wechat.read-timeout");
        write("gateway.pooul.connect-timeout=0\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains("gateway.pooul.connect-timeout");
        write("gateway.ystpay.micro.poll-delay=-1\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains("gateway.ystpay.micro.poll-delay");
    }

    @Test
    void otherMalformedValuesNameTheirKeys() throws IOException {
        write("gateway.reconcile.backoff=60,soon\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains(file()).contains("gateway.reconcile.backoff");
        write("gateway.sandbox.enabled=yes\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains(file()).contains("gateway.sandbox.enabled");
        write("gateway.public-base-url=pay.example\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains(file()).contains("gateway.public-base-url");
        write("gateway.micro.wait=-1\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains(file()).contains("gateway.micro.wait");
    }

    @Test
    void theGracefulStopTimingsAreCheckedAndBecomeCamelsShutdownTimeout() throws IOException {
        write("");
        GatewaySettings defaults = GatewaySettings.load(env(), new Properties());
        assertThat(defaults.seconds("gateway.shutdown.drain-seconds")).hasSeconds(30);
        assertThat(defaults.seconds("gateway.shutdown.delay-seconds")).isZero();
        assertThat(io.paygate.GatewayBeans.camelProperties(defaults).getProperty("camel.main.shutdown-timeout")).isEqualTo("30");
        write("gateway.shutdown.drain-seconds=45\ngateway.shutdown.delay-seconds=5\n");
        GatewaySettings set = GatewaySettings.load(env(), new Properties());
        assertThat(io.paygate.GatewayBeans.camelProperties(set).getProperty("camel.main.shutdown-timeout")).isEqualTo("45");
        assertThat(set.seconds("gateway.shutdown.delay-seconds")).hasSeconds(5);
        for (String bad : List.of("gateway.shutdown.drain-seconds=0", "gateway.shutdown.drain-seconds=soon",
                "gateway.shutdown.delay-seconds=-1", "gateway.shutdown.delay-seconds=301")) {
            write(bad + "\n");
            assertThat(failure(env(), new Properties()).getMessage()).as(bad)
                    .startsWith(file() + ": " + bad.substring(0, bad.indexOf('=')) + ": expected a whole number");
        }
    }

    @Test
    void theLogFormatIsPlainOrJsonAndMetricsATrueOrFalse() throws IOException {
        write("");
        GatewaySettings defaults = GatewaySettings.load(env(), new Properties());
        assertThat(defaults.get("gateway.log.format")).isEqualTo("plain");
        assertThat(defaults.bool("gateway.metrics.enabled")).isTrue();
        write("gateway.log.format=json\ngateway.metrics.enabled=false\n");
        GatewaySettings set = GatewaySettings.load(env(), new Properties());
        assertThat(set.get("gateway.log.format")).isEqualTo("json");
        assertThat(set.bool("gateway.metrics.enabled")).isFalse();
        write("gateway.log.format=xml\n");
        assertThat(failure(env(), new Properties()).getMessage()).startsWith(file() + ": gateway.log.format: ")
                .contains("plain or json");
        write("gateway.metrics.enabled=off\n");
        assertThat(failure(env(), new Properties()).getMessage()).startsWith(file() + ": gateway.metrics.enabled: ");
    }

    @Test
    void crashInjectionInTheRelayIsASandboxSetting() throws IOException {
        write("gateway.faults.halt-in-relay=after-send\n");
        assertThat(failure(env(), new Properties()).getMessage()).startsWith(file() + ": gateway.faults.halt-in-relay: ")
                .contains("gateway.sandbox.enabled=true");
        write("gateway.faults.halt-in-relay=after-send\ngateway.sandbox.enabled=true\n");
        assertThat(GatewaySettings.load(env(), new Properties()).get("gateway.faults.halt-in-relay")).isEqualTo("after-send");
    }

    @Test
    void environmentBeatsTheFileAndSystemPropertiesBeatTheEnvironment() throws IOException {
        write("gateway.http.port=8081\ngateway.micro.wait=31\n");

        GatewaySettings fromEnv = GatewaySettings.load(env("GATEWAY_HTTP_PORT", "9090", "GATEWAY_MICRO_WAIT", "25"),
                new Properties());
        assertThat(fromEnv.intValue("gateway.http.port", 0, 65535)).isEqualTo(9090);
        assertThat(fromEnv.seconds("gateway.micro.wait")).isEqualTo(Duration.ofSeconds(25));

        Properties system = new Properties();
        system.setProperty("gateway.http.port", "7070");
        GatewaySettings fromSystem = GatewaySettings.load(env("GATEWAY_HTTP_PORT", "9090"), system);
        assertThat(fromSystem.intValue("gateway.http.port", 0, 65535)).isEqualTo(7070);
        assertThat(fromSystem.seconds("gateway.micro.wait")).isEqualTo(Duration.ofSeconds(31));
    }

    @Test
    void environmentOverridesDefaultsNotInTheFile() throws IOException {
        write("");
        GatewaySettings s = GatewaySettings.load(env("GATEWAY_ORDER_MIN_CLOSE_AGE", "600",
                "GATEWAY_PUBLIC_BASE_URL", "https://pay.example"), new Properties());
        assertThat(s.seconds("gateway.order.min-close-age")).isEqualTo(Duration.ofSeconds(600));
        assertThat(s.get("gateway.public-base-url")).isEqualTo("https://pay.example");
    }

    @Test
    void badOverrideFromTheEnvironmentIsStillNamed() throws IOException {
        write("");
        ConfigException e = failure(env("GATEWAY_HTTP_PORT", "http"), new Properties());
        assertThat(e.getMessage()).contains("gateway.http.port");
    }

    @Test
    void envReferencesInTheFileAreResolved() throws IOException {
        write("gateway.broker.user=${env:BROKER_USER}\ngateway.broker.password=${env:BROKER_PASSWORD}\n");
        GatewaySettings s = GatewaySettings.load(env("BROKER_USER", "gw", "BROKER_PASSWORD", "pw-from-env-123"),
                new Properties());
        assertThat(s.get("gateway.broker.user")).isEqualTo("gw");
        assertThat(s.get("gateway.broker.password")).isEqualTo("pw-from-env-123");
    }

    @Test
    void unsetEnvReferenceNamesTheVariableAndTheKeyButNoOtherValue() throws IOException {
        write("gateway.broker.user=${env:BROKER_USER}\ngateway.broker.password=${env:BROKER_PASSWORD}\n");
        ConfigException e = failure(env("BROKER_USER", "very-secret-user-77"), new Properties());
        assertThat(e.getMessage()).contains(file()).contains("gateway.broker.password").contains("BROKER_PASSWORD");
        assertThat(e.getMessage()).doesNotContain("very-secret-user-77");
    }

    @Test
    void directoriesFromEnvironmentAndSystemProperties() throws IOException {
        write("");
        Path data = dir.resolve("data");
        GatewaySettings s = GatewaySettings.load(env("GATEWAY_DATA_DIR", data.toString()), new Properties());
        assertThat(s.dataDir()).isEqualTo(data.toAbsolutePath().normalize());

        Properties system = new Properties();
        system.setProperty("gateway.data-dir", dir.resolve("other").toString());
        assertThat(GatewaySettings.load(env("GATEWAY_DATA_DIR", data.toString()), system).dataDir())
                .isEqualTo(dir.resolve("other").toAbsolutePath().normalize());
    }

    @Test
    void brokerCredentialsAreRequiredForAnExternalBrokerAndComeInPairs() throws IOException {
        writeExactly("gateway.broker.url=tcp://broker.example:61616\ngateway.broker.password=pw-test-0001\n");
        ConfigException user = failure(env(), new Properties());
        assertThat(user.getMessage()).contains(file()).contains("gateway.broker.user").doesNotContain("pw-test-0001");

        // The embedded broker runs without a client login (HTTP-only deployments): no error.
        writeExactly("gateway.http.port=8080\n");
        assertThat(GatewaySettings.load(env(), new Properties()).get("gateway.broker.user")).isEmpty();

        writeExactly("gateway.broker.user=gw-test\ngateway.broker.password=\n");
        assertThat(failure(env(), new Properties()).getMessage()).contains(file()).contains("gateway.broker.password");

        writeExactly("gateway.broker.user=gw-test\n");
        GatewaySettings fromEnv = GatewaySettings.load(env("GATEWAY_BROKER_PASSWORD", "pw-env-0002"), new Properties());
        assertThat(fromEnv.get("gateway.broker.password")).isEqualTo("pw-env-0002");
    }

    @Test
    void envName() {
        assertThat(GatewaySettings.envName("gateway.http.port")).isEqualTo("GATEWAY_HTTP_PORT");
        assertThat(GatewaySettings.envName("gateway.order.min-close-age")).isEqualTo("GATEWAY_ORDER_MIN_CLOSE_AGE");
    }

    @Test
    void unknownKeyIsMissing() throws IOException {
        write("");
        GatewaySettings s = GatewaySettings.load(env(), new Properties());
        assertThatThrownBy(() -> s.get("gateway.nope")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.nope").hasMessageContaining(file());
    }

    @Test
    void anUnknownKeyStopsTheLoadNamingTheNearestKnownKey() throws IOException {
        write("gateway.http.prot=9999\n");
        assertThat(failure(env(), new Properties()).getMessage())
                .isEqualTo(file() + ": gateway.http.prot: unknown key (did you mean gateway.http.port?)");
    }

    @Test
    void theSuggestionIsTheNearestKnownKeyWithinThreeEdits() {
        java.util.SortedSet<String> known = GatewaySettings.knownKeys();
        assertThat(GatewaySettings.nearest("gateway.micro.wiat", known)).isEqualTo("gateway.micro.wait");
        assertThat(GatewaySettings.nearest("gateway.wechat.micro.pol-delay", known)).isEqualTo("gateway.wechat.micro.poll-delay");
        assertThat(GatewaySettings.nearest("gateway.http.xxxx", known)).isNull();
        assertThat(GatewaySettings.nearest("gateway.broker.prt", known)).isEqualTo("gateway.broker.port");
    }

    @Test
    void anUnknownKeyFarFromEveryKnownKeyHasNoSuggestion() throws IOException {
        write("shop.colour=blue\n");
        assertThat(failure(env(), new Properties()).getMessage()).isEqualTo(file() + ": shop.colour: unknown key");
    }

    @Test
    void camelKeysAreNotGatewaySettings() throws IOException {
        write("camel.main.name=other\n");
        assertThat(failure(env(), new Properties()).getMessage()).isEqualTo(file() + ": camel.main.name: unknown key");
    }

    @Test
    void aFolderKeyInTheFileSaysWhereItIsSet() throws IOException {
        write("gateway.data-dir=/tmp/x\n");
        assertThat(failure(env(), new Properties()).getMessage())
                .startsWith(file() + ": gateway.data-dir: unknown key").contains("GATEWAY_DATA_DIR");
    }

    @Test
    void theFirstUnknownKeyInOrderIsReported() throws IOException {
        write("gateway.zz.port=1\ngateway.http.hots=127.0.0.1\n");
        assertThat(failure(env(), new Properties()).getMessage())
                .isEqualTo(file() + ": gateway.http.hots: unknown key (did you mean gateway.http.host?)");
    }

    @Test
    void everyUnknownKeyIsCollectedWhenAskedAndTheKnownOnesStillLoad() throws IOException {
        write("gateway.http.prot=9999\ngateway.http.port=8082\ngateway.reconcile.min-ag=5\n");
        java.util.List<ConfigException> unknown = new java.util.ArrayList<>();
        GatewaySettings s = GatewaySettings.load(env(), new Properties(), unknown);
        assertThat(unknown).extracting(Throwable::getMessage).containsExactly(
                file() + ": gateway.http.prot: unknown key (did you mean gateway.http.port?)",
                file() + ": gateway.reconcile.min-ag: unknown key (did you mean gateway.reconcile.min-age?)");
        assertThat(s.intValue("gateway.http.port", 0, 65535)).isEqualTo(8082);
        assertThat(s.has("gateway.http.prot")).isFalse();
    }

    @Test
    void everyInstalledProvidersOwnFormsAreKnown() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (String provider : io.paygate.provider.ProviderModules.names()) {
            for (String rest : java.util.List.of("connect-timeout", "read-timeout", "order.min-close-age", "micro.poll-delay",
                    "micro.poll-interval", "micro.poll-limit", "micro.reverse-after", "micro.wait")) {
                lines.append("gateway.").append(provider).append('.').append(rest).append("=7\n");
            }
            lines.append("gateway.sandbox.").append(provider).append(".port=0\n");
        }
        // Only the WeChat simulator has a TLS port (its module's default); another's is a mistake.
        lines.append("gateway.sandbox.wechat.tls-port=0\n");
        lines.append("gateway.wechat.server-ip=10.0.0.1\ngateway.wechat.reverse-calls=3\ngateway.pooul.server-ip=10.0.0.2\n");
        write(lines.toString());
        GatewaySettings s = GatewaySettings.load(env(), new Properties());
        assertThat(io.paygate.provider.ProviderModules.names()).contains("wechat", "pooul", "ystpay", "testpay");
        assertThat(s.forProvider("ystpay", "micro.wait")).isEqualTo("7");
        assertThat(s.get("gateway.wechat.server-ip")).isEqualTo("10.0.0.1");
        assertThat(GatewaySettings.knownKeys()).contains("gateway.sandbox.wechat.tls-port")
                .doesNotContain("gateway.sandbox.pooul.tls-port");
    }

    @Test
    void anUninstalledProvidersFormIsRefused() throws IOException {
        write("gateway.paypal.micro.wait=5\n");
        assertThat(failure(env(), new Properties()).getMessage()).startsWith(file() + ": gateway.paypal.micro.wait: unknown key");
        write("gateway.sandbox.paypal.port=9000\n");
        assertThat(failure(env(), new Properties()).getMessage()).startsWith(file() + ": gateway.sandbox.paypal.port: unknown key");
    }

    @Test
    void theShippedConfigurationHasNoUnknownKey() throws IOException {
        Files.copy(Path.of("config", GatewaySettings.FILE), dir.resolve(GatewaySettings.FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(GatewaySettings.load(env(), new Properties()).get("gateway.http.port")).isEqualTo("8080");
    }
}
