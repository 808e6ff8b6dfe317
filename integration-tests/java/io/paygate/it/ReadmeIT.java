package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README cannot rot: its set-up commands are checked, the gateway is started with its start
 * command in a copy of the project (config/ and routes/ as shipped), and every shell block of
 * "Try it" runs verbatim; the text of the {@code <!-- expect: … -->} comment before a block must
 * appear in that block's output.
 */
class ReadmeIT {
    private static final Pattern BLOCK = Pattern.compile("(?:<!-- expect: (.*?) -->\\n)?```bash\\n(.*?)```", Pattern.DOTALL);

    private record Block(String expect, String script) {
    }

    @Test
    void theReadmeWorksAsWritten(@TempDir Path dir) throws Exception {
        String readme = Files.readString(GatewayProcess.PROJECT.resolve("README.md"), StandardCharsets.UTF_8);
        String quickStart = section(readme, "## Quick start");
        List<Block> setup = blocks(quickStart);
        assertThat(setup).as("exactly two set-up commands").hasSize(2);
        String start = setup.get(0).script().trim();
        String test = setup.get(1).script().trim();
        assertThat(start).startsWith("mvn ").contains(" package").endsWith("java -jar target/payment-gateway.jar");
        assertThat(test).isEqualTo("mvn verify");
        assertThat(Files.readString(GatewayProcess.PROJECT.resolve(".ci/run"))).contains("mvn -B verify");

        // The project as a newcomer has it after the build: config/, routes/ and the jars.
        copyTree(GatewayProcess.PROJECT.resolve("config"), dir.resolve("config"));
        copyTree(GatewayProcess.PROJECT.resolve("routes"), dir.resolve("routes"));
        Files.createDirectories(dir.resolve("target"));
        Files.copy(GatewayProcess.JAR, dir.resolve("target/payment-gateway.jar"));
        Files.copy(GatewayProcess.SANDBOX_JAR, dir.resolve("target/payment-gateway-sandbox.jar"));
        String run = start.substring(start.indexOf("&&") + 2).trim();

        List<Block> examples = blocks(section(readme, "## Try it"));
        assertThat(examples).hasSizeGreaterThanOrEqualTo(5);
        try (GatewayProcess gateway = GatewayProcess.startCommand(dir, Map.of(), List.of("bash", "-c", "exec " + run))) {
            gateway.awaitHealthy("http://127.0.0.1:8080/observe/health", Duration.ofSeconds(90));
            for (Block b : examples) {
                String out = bash(dir, b.script());
                if (b.expect() != null) {
                    assertThat(out).as("output of:\n" + b.script()).contains(b.expect());
                }
            }
            assertThat(gateway.output()).doesNotContain("sandbox-demo-token-0001")
                    .doesNotContain("192006250b4c09247ec02edce69f6a2d");
        }
    }

    private static String bash(Path dir, String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).directory(dir.toFile())
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code of:\n" + script + "\noutput:\n" + text).isZero();
        return text;
    }

    private static String section(String readme, String heading) {
        int from = readme.indexOf("\n" + heading);
        assertThat(from).as("README has a section " + heading).isGreaterThanOrEqualTo(0);
        int to = readme.indexOf("\n## ", from + heading.length() + 1);
        return readme.substring(from, to < 0 ? readme.length() : to);
    }

    private static List<Block> blocks(String text) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), m.group(2)));
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
