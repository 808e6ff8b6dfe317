package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar payment-gateway.jar --check-config}: every error at once, exit 0 or 2, nothing started. */
class CheckConfigIT {

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private static GatewayProcess check(Path dir, Path config, Path routes, Path data) throws IOException {
        return GatewayProcess.start(dir, Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                "GATEWAY_ROUTES_DIR", routes.toString(), "GATEWAY_DATA_DIR", data.toString()),
                "-jar", GatewayProcess.JAR.toString(), "--check-config");
    }

    @Test
    void theShippedConfigurationIsOkAndNothingIsStartedOrWritten(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (GatewayProcess p = check(dir, GatewayProcess.PROJECT.resolve("config"), GatewayProcess.PROJECT.resolve("routes"), data)) {
            // Exits by itself within seconds: nothing was started that would keep it running.
            assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.output()).isZero();
            // As many merchants as the shipped file names (its two-space-indented ids).
            long merchants = java.nio.file.Files.readAllLines(GatewayProcess.PROJECT.resolve("config/merchants.yaml")).stream()
                    .filter(l -> l.matches("  [A-Za-z0-9_-]+:\\s*")).count();
            assertThat(merchants).isGreaterThan(1);
            assertThat(p.output()).as(p.output()).matches("payment-gateway: configuration OK: " + merchants
                    + " merchants, \\d+ routes\\R");
        }
        assertThat(data).doesNotExist();
    }

    @Test
    void everyErrorIsNamedAndTheExitCodeIs2(@TempDir Path dir) throws Exception {
        Path config = copy(GatewayProcess.PROJECT.resolve("config"), dir.resolve("config"));
        Path routes = copy(GatewayProcess.PROJECT.resolve("routes"), dir.resolve("routes"));
        Path data = dir.resolve("data");
        Files.writeString(config.resolve("application.properties"), "gateway.http.prot=9999\n", StandardOpenOption.APPEND);
        Files.writeString(routes.resolve("broken.yaml"),
                "- route:\n    id: broken\n    from:\n      uri: direct:broken\n      steps:\n        - noSuchEip: {}\n");
        try (GatewayProcess p = check(dir, config, routes, data)) {
            assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.output()).isEqualTo(2);
            String out = p.output();
            assertThat(out).contains("payment-gateway: configuration error: " + config.resolve("application.properties")
                    + ": gateway.http.prot: unknown key (did you mean gateway.http.port?)");
            assertThat(out).contains("payment-gateway: configuration error: " + routes.resolve("broken.yaml")
                    + ": does not load: Unknown node id: noSuchEip");
            assertThat(out).contains("payment-gateway: 2 configuration error(s)");
            assertThat(out.lines().count()).as(out).isEqualTo(3);
            assertThat(out).doesNotContain("configuration OK").doesNotContain("192006250b4c09247ec02edce69f6a2d");
        }
        assertThat(data).doesNotExist();
    }

    @Test
    void aTypoKeyStopsTheGatewayItselfWithOneLine(@TempDir Path dir) throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("application.properties"), "gateway.http.port=0\ngateway.http.prot=9999\n");
        Files.copy(GatewayProcess.PROJECT.resolve("config").resolve("merchants.yaml"), config.resolve("merchants.yaml"));
        Map<String, String> env = Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                "GATEWAY_DATA_DIR", dir.resolve("data").toString());
        try (GatewayProcess p = GatewayProcess.gateway(dir, env)) {
            assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.output()).isEqualTo(2);
            assertThat(p.output()).isEqualTo("payment-gateway: configuration error: " + config.resolve("application.properties")
                    + ": gateway.http.prot: unknown key (did you mean gateway.http.port?)" + System.lineSeparator());
        }
    }
}
