package io.paygate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --check-config on the shipped configuration and on one with several errors at once. */
class ConfigCheckTest {
    @TempDir
    Path dir;

    private Path config;
    private Path routes;
    private Path data;

    private Map<String, String> copyShipped() throws IOException {
        config = copy(Path.of("config"), dir.resolve("config"));
        routes = copy(Path.of("routes"), dir.resolve("routes"));
        data = dir.resolve("data");
        return Map.of("GATEWAY_CONFIG_DIR", config.toString(), "GATEWAY_ROUTES_DIR", routes.toString(),
                "GATEWAY_DATA_DIR", data.toString());
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    @Test
    void theShippedConfigurationIsOkAndNothingIsWrittenToTheDataFolder() throws IOException {
        Map<String, String> env = copyShipped();
        ConfigCheck.Result r = ConfigCheck.check(env, new Properties());
        assertThat(r.errors()).isEmpty();
        assertThat(r.merchants()).isGreaterThanOrEqualTo(3);
        assertThat(r.routes()).isGreaterThan(20);
        assertThat(data).doesNotExist();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ConfigCheck.run(env, new Properties(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("payment-gateway: configuration OK: " + r.merchants()
                + " merchants, " + r.routes() + " routes" + System.lineSeparator());
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void everyErrorIsReportedNotOnlyTheFirst() throws IOException {
        Map<String, String> env = copyShipped();
        Files.writeString(config.resolve("application.properties"), "gateway.http.prot=9999\ngateway.reconcile.bach=1\n",
                java.nio.file.StandardOpenOption.APPEND);
        // merchants.yaml: a client certificate that does not exist
        String merchants = Files.readString(config.resolve("merchants.yaml"));
        Files.writeString(config.resolve("merchants.yaml"),
                merchants.replace("${data}/sandbox/wechat-tls/10000100.p12", "${data}/no-such-cert.p12"));
        // an unknown EIP, malformed YAML, a template instance without a required parameter
        Files.writeString(routes.resolve("zz-unknown-eip.yaml"),
                "- route:\n    id: broken-eip\n    from:\n      uri: direct:broken-eip\n      steps:\n        - noSuchEip: {}\n");
        Files.writeString(routes.resolve("zz-bad-yaml.yaml"), "- route:\n    id: [unclosed\n");
        Files.writeString(routes.resolve("zz-missing-param.yaml"), String.join("\n",
                "- templatedRoute:",
                "    routeTemplateRef: provider-operation",
                "    routeId: broken-instance",
                "    parameters:",
                "      - { name: name, value: broken-instance }",
                "      - { name: path, value: \"\" }",
                "      - { name: answer, value: wechatAnswer }",
                "      - { name: result, value: \"wechatConnector?method=payResult\" }",
                ""));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ConfigCheck.run(env, new Properties(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String errors = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        String props = config.resolve("application.properties").toString();
        assertThat(errors)
                .contains(props + ": gateway.http.prot: unknown key (did you mean gateway.http.port?)")
                .contains(props + ": gateway.reconcile.bach: unknown key (did you mean gateway.reconcile.batch?)")
                .contains(config.resolve("merchants.yaml") + ": merchants.demo-shop.wechat.certificate")
                .contains(data.resolve("no-such-cert.p12").toString()).doesNotContain("payment-gateway-check")
                .contains(routes.resolve("zz-unknown-eip.yaml") + ": does not load")
                .contains(routes.resolve("zz-bad-yaml.yaml") + ": malformed YAML at line")
                .contains(routes.resolve("zz-missing-param.yaml") + ": does not load").contains("request")
                .contains("payment-gateway: 6 configuration error(s)");
        assertThat(errors.lines()).hasSize(7).allMatch(l -> l.startsWith("payment-gateway: "));
        assertThat(errors).doesNotContain("192006250b4c09247ec02edce69f6a2d").doesNotContain("sandbox-demo-token-0001");
        assertThat(data).doesNotExist();
    }

    @Test
    void aManagementPortThatIsThePublicPortIsAnError() throws IOException {
        Map<String, String> env = copyShipped();
        Files.writeString(config.resolve("application.properties"), "gateway.management.port=8080\n",
                java.nio.file.StandardOpenOption.APPEND);
        ConfigCheck.Result r = ConfigCheck.check(env, new Properties());
        // (with the settings refused the sandbox's own files are not made either, hence not containsExactly)
        assertThat(r.errors()).contains(config.resolve("application.properties")
                + ": gateway.management.port: is gateway.http.port (8080): give the management port a port of its own,"
                + " or leave it empty to serve /observe and /admin on gateway.http.port");

        Files.writeString(config.resolve("application.properties"), "gateway.management.port=9090\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(ConfigCheck.check(env, new Properties()).errors()).isEmpty();
    }

    /** A merchant's broker login may not be the ESB's: found by the check, as at start. */
    @Test
    void aMerchantBrokerLoginThatIsTheEsbLoginIsAnError() throws IOException {
        Map<String, String> env = copyShipped();
        String merchants = Files.readString(config.resolve("merchants.yaml"));
        Files.writeString(config.resolve("merchants.yaml"), merchants.replaceFirst("(?m)^  demo-shop:\n",
                "  demo-shop:\n    broker: {user: gateway, password: a-long-enough-password-1}\n"));
        ConfigCheck.Result r = ConfigCheck.check(env, new Properties());
        assertThat(r.errors()).anySatisfy(e -> assertThat(e).contains("merchants.demo-shop.broker.user")
                .doesNotContain("a-long-enough-password-1"));
    }
}
