package io.paygate.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.config.ConfigException;
import io.paygate.config.GatewaySettings;
import io.paygate.store.Database;
import io.paygate.store.TestStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways on one PostgreSQL store, each a JVM of its own with its Camel context, Quartz
 * scheduler and connection pool: clustered, each firing of a sweep runs on one of them only; in
 * memory, on both. (Quartz keeps one scheduler per name in a JVM, so the two must be processes,
 * and the embedded H2 file opens in one process only: these run in the PostgreSQL pass, -Ppostgres.)
 */
class SweepSchedulerTest {
    @TempDir
    Path dir;

    static GatewaySettings settings(Path dir, String lines) throws Exception {
        Files.writeString(dir.resolve(GatewaySettings.FILE), "gateway.broker.user=gw-test\ngateway.broker.password=pw-test-0001\n"
                + lines, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>();
        env.put("GATEWAY_CONFIG_DIR", dir.toString());
        env.put("GATEWAY_DATA_DIR", dir.resolve("data").toString());
        return GatewaySettings.load(env, new Properties());
    }

    /**
     * Sweeps per gateway, each firing every second, as routes/reconcile.yaml has several: a start
     * with many triggers already due is where two gateways race for the same firing.
     */
    static final int SWEEPS = 8;

    /**
     * One gateway's scheduler: args are the store URL, user and password, its settings lines
     * (\n-separated), how many seconds to run, and the file to write each firing to (the sweep's
     * number and its scheduled fire time).
     */
    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("sweep-node");
        GatewaySettings settings = settings(home, args[3]);
        List<String> fired = Collections.synchronizedList(new ArrayList<>());
        try (Database db = new Database(args[0], args[1], args[2], 4)) {
            CamelContext camel = new DefaultCamelContext();
            camel.getCamelContextExtension().setName("payment-gateway");
            camel.addComponent("quartz", SweepScheduler.component(settings, db));
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    for (int i = 0; i < SWEEPS; i++) {
                        String sweep = "test-sweep-" + i;
                        from("quartz://gateway/" + sweep + "?cron=* * * * * ?").process(ex -> fired.add(sweep + "@"
                                + ex.getMessage().getHeader("scheduledFireTime", java.util.Date.class).getTime()));
                    }
                }
            });
            camel.start();
            Thread.sleep(Long.parseLong(args[4]) * 1000);
            camel.stop();
        }
        Files.write(Path.of(args[5]), fired);
    }

    /** The firings (sweep@scheduled fire time) each of two gateway processes ran, on a fresh store of the outside database. */
    private List<List<String>> runTwoGateways(String settingsLines) throws Exception {
        Assumptions.assumeTrue(TestStore.external(), "two gateway processes need a shared store: run with -Ppostgres");
        try (TestStore store = TestStore.fresh(dir)) {
            // Migrate once before the two start, as a deployment does.
            store.open(2).close();
            List<Process> nodes = new ArrayList<>();
            List<Path> outputs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path out = dir.resolve("fired-" + i);
                outputs.add(out);
                nodes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                        "-cp", System.getProperty("java.class.path"), SweepSchedulerTest.class.getName(), store.url(),
                        store.user(), store.password(), settingsLines, "8", out.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("node-" + i + ".log").toFile()).start());
            }
            List<List<String>> fired = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                assertThat(nodes.get(i).waitFor(90, TimeUnit.SECONDS)).isTrue();
                assertThat(nodes.get(i).exitValue()).as(Files.readString(dir.resolve("node-" + i + ".log"))).isZero();
                fired.add(Files.readAllLines(outputs.get(i)));
            }
            return fired;
        }
    }

    @Test
    void clusteredEachFiringRunsOnOneGatewayOnly() throws Exception {
        List<List<String>> fired = runTwoGateways("gateway.reconcile.cluster=true\ngateway.reconcile.cluster-checkin-ms=1000\n");
        List<String> all = new ArrayList<>(fired.get(0));
        all.addAll(fired.get(1));
        assertThat(all).as("every sweep ran").hasSizeGreaterThanOrEqualTo(3 * SWEEPS);
        assertThat(all).as("no firing ran twice: %s", fired).doesNotHaveDuplicates();
    }

    @Test
    void inMemoryEachGatewayFiresEverySweepItself() throws Exception {
        // The same run without the cluster: the check above sees firings run by both.
        List<List<String>> fired = runTwoGateways("");
        List<String> both = new ArrayList<>(fired.get(0));
        both.retainAll(fired.get(1));
        assertThat(both).as("firings both gateways ran: %s", fired).isNotEmpty();
    }

    @Test
    void theClusterAndAQuartzFileAreOneOrTheOther() throws Exception {
        Files.writeString(dir.resolve("quartz.properties"), "org.quartz.threadPool.threadCount=1\n");
        GatewaySettings s = settings(dir, "gateway.reconcile.cluster=true\ngateway.reconcile.quartz-properties=quartz.properties\n");
        assertThatThrownBy(() -> SweepScheduler.component(s, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.reconcile.cluster");
    }
}
