package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as ops install it: target/payment-gateway-&lt;version&gt;.tar.gz unpacked,
 * started with bin/payment-gateway in sandbox mode (only the ports moved, by the environment and
 * in merchants.yaml), a payment made, the configuration checked with the script, stopped with SIGTERM.
 */
class DistributionIT {
    static final Path TARBALL = Path.of(System.getProperty("gateway.distribution", "target/payment-gateway.tar.gz")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theUnpackedDistributionStartsPaysChecksItsConfigurationAndStopsWithExitZero(@TempDir Path dir) throws Exception {
        assertThat(TARBALL).isRegularFile();
        Process tar = new ProcessBuilder("tar", "xzf", TARBALL.toString(), "-C", dir.toString()).inheritIO().start();
        assertThat(tar.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        String top = TARBALL.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
        assertThat(top).startsWith("payment-gateway-");
        Path home = dir.resolve(top);
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString()).toList()).as("one top folder").containsExactly(top);
        }
        for (String f : List.of("bin/payment-gateway", "lib/payment-gateway.jar", "lib/payment-gateway-sandbox.jar",
                "config/application.properties", "config/merchants.yaml", "config/payment-gateway.env",
                "routes/payment-api.yaml", "docs/deployment.md", "README.md", "LICENSE", "CHANGELOG.md",
                "systemd/payment-gateway.service")) {
            assertThat(home.resolve(f)).as(f).isRegularFile();
        }
        assertThat(Files.isExecutable(home.resolve("bin/payment-gateway"))).isTrue();
        assertThat(Files.readString(home.resolve("systemd/payment-gateway.service")))
                .contains("KillSignal=SIGTERM", "EnvironmentFile=", "Restart=on-failure", "User=payment-gateway")
                .containsPattern("TimeoutStopSec=\\d+");

        // The sandbox config as shipped, its simulators moved to free ports (an operator's edit).
        FreeSandbox sandbox = FreeSandbox.config(home.resolve("config"), home.resolve("config"));
        // An env file of its own: JVM options, and a port the environment overrides (the environment wins).
        Path envFile = dir.resolve("gateway.env");
        Files.writeString(envFile, String.join("\n",
                "# test settings",
                "JAVA_OPTS=\"-Xmx256m -XX:+ExitOnOutOfMemoryError\"",
                "GATEWAY_HTTP_PORT=1",
                "GATEWAY_SHUTDOWN_DRAIN_SECONDS=20", ""), StandardCharsets.UTF_8);
        Map<String, String> env = new LinkedHashMap<>(sandbox.env());
        env.put("PAYMENT_GATEWAY_ENV_FILE", envFile.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        List<String> start = List.of(home.resolve("bin/payment-gateway").toString());

        // Started from elsewhere: the folders default to the installation's, not the working directory's.
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));

        // A start cut short after its configuration was read (its broker port taken) leaves no .ready
        // beside the class data sharing archive it recorded at its exit, so no later start maps it.
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Map<String, String> cut = new LinkedHashMap<>(env);
            cut.put("GATEWAY_BROKER_PORT", Integer.toString(taken.getLocalPort()));
            try (GatewayProcess failed = GatewayProcess.startCommand(elsewhere, cut, start)) {
                assertThat(failed.awaitExit(Duration.ofSeconds(120))).as(failed.output()).isEqualTo(1);
                assertThat(failed.output()).contains("the embedded broker cannot listen on");
            }
        }
        try (var files = Files.list(home.resolve("data/cds"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).noneMatch(n -> n.endsWith(".ready"));
        }
        try (GatewayProcess gateway = GatewayProcess.startCommand(elsewhere, env, start)) {
            gateway.awaitHealthy(sandbox.base() + "/observe/health", Duration.ofSeconds(120));
            assertThat(home.resolve("data")).isDirectory();
            assertThat(home.resolve("logs")).isDirectory();
            assertThat(home.resolve("data/sandbox/lib/payment-gateway-sandbox.jar")).isRegularFile();

            var paid = Http.post(sandbox.base() + "/api/v1/payments", "sandbox-demo-token-0001",
                    "{\"requestId\":\"dist-1\",\"merchant\":\"demo-shop\",\"operation\":\"PAY\",\"orderId\":\"DIST-0001\","
                            + "\"amount\":1200,\"method\":\"MICRO\",\"authCode\":\"134567890123456789\",\"subject\":\"Tea\"}");
            assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
            JsonNode result = JSON.readTree(paid.body());
            assertThat(result.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(result.get("paidAmount").asLong()).isEqualTo(1200);

            try (GatewayProcess check = GatewayProcess.startCommand(elsewhere, env,
                    List.of(home.resolve("bin/payment-gateway").toString(), "--check-config"))) {
                assertThat(check.awaitExit(Duration.ofSeconds(120))).as(check.output()).isZero();
                assertThat(check.output()).contains("payment-gateway: configuration OK");
            }

            gateway.sigterm();
            assertThat(gateway.awaitExit(Duration.ofSeconds(60))).as(gateway.output()).isZero();
            assertThat(gateway.output()).contains("SIGTERM: health answers DOWN").contains("up to 20 s")
                    .doesNotContain("sandbox-demo-token-0001")
                    .as("the class data sharing archive is written without a word").doesNotContain("[cds");
        }
        assertThat(Files.list(elsewhere).filter(p -> !p.getFileName().toString().endsWith(".log")).toList())
                .as("nothing written to the working directory").isEmpty();

        // A value the script does not know is refused by name, before any JVM starts.
        Map<String, String> typo = new LinkedHashMap<>(env);
        typo.put("GATEWAY_CDS", "yes");
        try (GatewayProcess refused = GatewayProcess.startCommand(elsewhere, typo, start)) {
            assertThat(refused.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(refused.output()).contains("GATEWAY_CDS=yes: on or off");
        }

        // Class data sharing: the first start that got as far as ready recorded its classes at its exit
        // (the cut-short start's archive was replaced); the next start maps that archive.
        Path archive;
        try (var files = Files.list(home.resolve("data/cds"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(names).hasSize(2);
            assertThat(names.get(0)).matches("payment-gateway-\\d+\\.jsa");
            assertThat(names.get(1)).isEqualTo(names.get(0) + ".ready");
            archive = home.resolve("data/cds").resolve(names.get(0));
        }
        assertThat(Files.size(archive)).isGreaterThan(1_000_000);
        try (GatewayProcess again = GatewayProcess.startCommand(elsewhere, env, start)) {
            again.awaitHealthy(sandbox.base() + "/observe/health", Duration.ofSeconds(120));
            assertThat(Files.readString(Path.of("/proc", Long.toString(again.pid()), "maps")))
                    .as("the archive is mapped").contains(archive.toRealPath().toString());
            assertThat(again.output()).doesNotContain("[cds").doesNotContain("[warning]");
            again.sigterm();
            assertThat(again.awaitExit(Duration.ofSeconds(60))).as(again.output()).isZero();
        }
    }
}
