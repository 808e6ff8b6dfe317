package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The till examples under {@code clients/} (README, "Clients for tills") run as written, as their
 * own processes, against the built jar in sandbox mode (the shipped configuration on free ports),
 * with the shared ESB login of application.properties: a barcode PAY over AMQP from Python (Qpid
 * Proton), a QUERY and the merchant's events over STOMP from Python (stomp.py), the events over
 * AMQP from Node.js (rhea), each event acknowledged once. The interpreters and libraries are the
 * ones .ci/run installs; when one is missing this test fails and says what to install.
 */
class ClientsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "sandbox-demo-token-0001";
    private static final String BROKER_USER = "gateway";
    private static final String BROKER_PASSWORD = "sandbox-broker-password";
    private static final Path CLIENTS = GatewayProcess.PROJECT.resolve("clients");
    /** Debian's python3-* packages install for the system interpreter, which a pyenv python3 on the PATH may hide. */
    private static final String PYTHON = System.getenv().getOrDefault("CLIENTS_PYTHON",
            Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");

    private record Run(int exit, String out) {
        List<JsonNode> lines() throws IOException {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (line.startsWith("{")) {
                    nodes.add(JSON.readTree(line));
                }
            }
            return nodes;
        }
    }

    @BeforeAll
    static void theClientsCanRun() throws Exception {
        Run py = run(Path.of("."), Map.of(), PYTHON, "-c", "import proton, stomp");
        assertThat(py.exit()).as("%s cannot import proton and stomp:\n%s\nInstall them: apt-get install -y "
                + "python3-qpid-proton python3-stomp (as .ci/run does), or name another interpreter in CLIENTS_PYTHON",
                PYTHON, py.out()).isZero();
        Run node = run(Path.of("."), Map.of(), "node", "--version");
        assertThat(node.exit()).as("node: " + node.out()).isZero();
        assertThat(CLIENTS.resolve("node/node_modules/rhea/package.json"))
                .as("rhea is not installed: run `npm ci` in clients/node (as .ci/run does)").isRegularFile();
    }

    @Test
    void theTillExamplesPayQueryAndReadEventsOnce(@TempDir Path dir) throws Exception {
        FreeSandbox sandbox = FreeSandbox.config(GatewayProcess.PROJECT.resolve("config"), dir.resolve("config"));
        Map<String, String> env = new LinkedHashMap<>(sandbox.env());
        env.put("GATEWAY_CONFIG_DIR", dir.resolve("config").toString());
        env.put("GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString());
        env.put("GATEWAY_DATA_DIR", dir.resolve("data").toString());
        try (GatewayProcess gateway = GatewayProcess.gateway(dir, env)) {
            gateway.awaitHealthy(sandbox.base() + "/observe/health", Duration.ofSeconds(120));
            Map<String, String> till = Map.of("BROKER_URL", "amqp://127.0.0.1:" + sandbox.broker,
                    "BROKER_HOST", "127.0.0.1", "BROKER_PORT", Integer.toString(sandbox.broker),
                    "BROKER_USER", BROKER_USER, "BROKER_PASSWORD", BROKER_PASSWORD,
                    "MERCHANT", "demo-shop", "API_TOKEN", TOKEN);

            // Python, AMQP: a barcode payment, answered on a temporary queue with its final result.
            Run paid = run(dir, with(till, "ORDER_ID", "CLIENTS-0001", "AMOUNT", "350"), PYTHON,
                    CLIENTS.resolve("python/amqp_pay.py").toString());
            assertThat(paid.exit()).as(paid.out()).isZero();
            JsonNode result = paid.lines().get(0);
            assertThat(result.get("orderId").asText()).isEqualTo("CLIENTS-0001");
            assertThat(result.get("status").asText()).as(paid.out()).isEqualTo("SUCCESS");
            assertThat(result.get("paidAmount").asLong()).isEqualTo(350);
            Schemas.assertValid("PaymentResult", result.toString());

            // Python, STOMP: its QUERY, answered on payments.results by correlation id; then the
            // merchant's events queue, which kept the payment's event.
            Run queried = run(dir, with(till, "ORDER_ID", "CLIENTS-0001", "EVENTS_WAIT", "20"), PYTHON,
                    CLIENTS.resolve("python/stomp_query_events.py").toString());
            assertThat(queried.exit()).as(queried.out()).isZero();
            List<JsonNode> lines = queried.lines();
            assertThat(lines.get(0).get("operation").asText()).isEqualTo("QUERY");
            assertThat(lines.get(0).get("status").asText()).as(queried.out()).isEqualTo("SUCCESS");
            // Events are delivered at least once (the contract): a till drops repeats by eventId. One
            // event, whatever the number of copies (a second copy was seen once on the PostgreSQL pass).
            List<JsonNode> received = lines.subList(1, lines.size());
            assertThat(received).as(queried.out()).isNotEmpty();
            assertThat(received.stream().map(e -> e.get("eventId").asText()).distinct().toList()).as(queried.out()).hasSize(1);
            assertThat(received).allSatisfy(e -> {
                assertThat(e.get("type").asText()).isEqualTo("PAYMENT_SUCCEEDED");
                assertThat(e.get("orderId").asText()).isEqualTo("CLIENTS-0001");
            });

            // Node.js, AMQP: a second payment's event, and only that one (STOMP took the first off the queue).
            Run second = run(dir, with(till, "ORDER_ID", "CLIENTS-0002"), PYTHON, CLIENTS.resolve("python/amqp_pay.py").toString());
            assertThat(second.exit()).as(second.out()).isZero();
            Run events = run(CLIENTS.resolve("node"), with(till, "MAX_EVENTS", "5", "TIMEOUT_SECONDS", "15"), "node",
                    "consume_events.js");
            assertThat(events.exit()).as(events.out()).isZero();
            assertThat(events.lines().stream().map(e -> e.get("eventId").asText()).distinct().toList()).as(events.out())
                    .hasSize(1);
            assertThat(events.lines()).as(events.out()).isNotEmpty().allSatisfy(e -> {
                assertThat(e.get("type").asText()).isEqualTo("PAYMENT_SUCCEEDED");
                assertThat(e.get("orderId").asText()).isEqualTo("CLIENTS-0002");
                Schemas.assertValid("PaymentEvent", e.toString());
            });
            // Accepted: not delivered again.
            Run again = run(CLIENTS.resolve("node"), with(till, "TIMEOUT_SECONDS", "3"), "node", "consume_events.js");
            assertThat(again.exit()).as(again.out()).isZero();
            assertThat(again.lines()).as(again.out()).isEmpty();

            // A wrong token: the error answer is printed and the exit code says so.
            Run refused = run(dir, with(till, "ORDER_ID", "CLIENTS-0003", "API_TOKEN", "not-the-token-of-demo-shop"), PYTHON,
                    CLIENTS.resolve("python/amqp_pay.py").toString());
            assertThat(refused.exit()).as(refused.out()).isNotZero();
            assertThat(refused.lines().get(0).at("/error/code").asText()).isEqualTo("UNAUTHORIZED");

            assertThat(gateway.output()).doesNotContain(TOKEN).doesNotContain(BROKER_PASSWORD);
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Runs a client as a till would, with only these variables added; its output (stdout and stderr) in one. */
    private static Run run(Path workDir, Map<String, String> env, String... cmd) throws Exception {
        Path log = Files.createTempFile("client", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("BROKER_"));
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " cannot be started (" + e.getMessage() + "): install it as .ci/run does", e);
        }
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " still running after 180 s:\n" + Files.readString(log));
            }
            return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
