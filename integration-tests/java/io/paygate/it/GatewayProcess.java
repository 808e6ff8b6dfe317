package io.paygate.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built jar as a separate process, as an operator runs it. */
final class GatewayProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("gateway.jar", "target/payment-gateway.jar")).toAbsolutePath();
    /** The sandbox (simulators, tools), beside the gateway jar after the build: {@code java -cp} takes both. */
    static final Path SANDBOX_JAR = Path.of(System.getProperty("gateway.sandbox.jar", "target/payment-gateway-sandbox.jar"))
            .toAbsolutePath();
    static final String SANDBOX_CLASS_PATH = JAR + java.io.File.pathSeparator + SANDBOX_JAR;
    static final Path PROJECT = Path.of(System.getProperty("gateway.project.dir", ".")).toAbsolutePath();

    private final Process process;
    private final Path log;

    private GatewayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java <args>} in {@code workDir} with extra environment; output goes to a log file. */
    static GatewayProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.addAll(List.of(args));
        return startCommand(workDir, env, cmd);
    }

    static GatewayProcess startCommand(Path workDir, Map<String, String> env, List<String> cmd) throws IOException {
        Path log = Files.createTempFile(workDir, "process", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_"));
        pb.environment().putAll(storeEnv(env));
        pb.environment().putAll(env);
        return new GatewayProcess(pb.start(), log);
    }

    /**
     * With the tests on PostgreSQL ({@link io.paygate.store.TestStore}), a gateway started with a data
     * folder keeps its ledger in that folder's own schema, the same one on every start (a restarted
     * gateway finds its orders); a test that sets the store itself keeps its own. On H2: nothing.
     */
    static Map<String, String> storeEnv(Map<String, String> env) {
        String data = env.get("GATEWAY_DATA_DIR");
        if (!io.paygate.store.TestStore.external() || data == null || env.containsKey("GATEWAY_STORE_URL")) {
            return Map.of();
        }
        return io.paygate.store.TestStore.forDataDir(Path.of(data)).gatewayEnv();
    }

    static GatewayProcess gateway(Path workDir, Map<String, String> env) throws IOException {
        return start(workDir, env, "-jar", JAR.toString());
    }

    /** Waits until {@code GET url} answers 200, failing with the process's output if it dies first. */
    void awaitHealthy(String url, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("process exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not healthy within " + timeout + ":\n" + output());
    }

    /** Waits for a line in the output (e.g. the sandbox's "listening on"). */
    void awaitOutput(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("process exited with " + process.exitValue() + ":\n" + output());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' within " + timeout + ":\n" + output());
    }

    /** kill -9: no shutdown hook, no flush, no goodbye. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as systemd or {@code kill} sends it (Process.destroy() on Linux); does not wait. */
    void sigterm() {
        process.destroy();
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout);
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** The process id (a start script that execs the JVM: the JVM's). */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Ports handed out by {@link #freePort()} in this run, never handed out twice. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Where {@link #freePort()} picks: {@code [from, to)}, outside the kernel's ephemeral range; null: nowhere safe. */
    private static final int[] WINDOW;

    static {
        int[] ephemeral = ephemeralRange();
        WINDOW = window(ephemeral);
        // said once, so that a port taken in a CI run can be traced to the range it came from
        System.err.println("GatewayProcess.freePort: ephemeral ports "
                + (ephemeral == null ? "unknown" : ephemeral[0] + "-" + ephemeral[1]) + "; handing out "
                + (WINDOW == null ? "bind(0) ports" : WINDOW[0] + "-" + (WINDOW[1] - 1)));
    }

    /**
     * A port free now, for a process the test starts later. Taken outside the kernel's ephemeral
     * range ({@code /proc/sys/net/ipv4/ip_local_port_range}) where there is room: the port is
     * released before the process binds it, and meanwhile the kernel hands ephemeral ports to
     * every {@code bind(0)} and outgoing connection, the sandbox's simulators with port 0 among
     * them. One of those took a broker's port once (CI, JmsCrashIT); outside the range none can.
     * Where the range cannot be read, below 32768 (Linux starts it there, IANA at 49152). A
     * process that can bind port 0 and say which it got (the sandbox simulators) needs none of
     * this: see {@link #listeningPort}.
     */
    static int freePort() throws IOException {
        if (WINDOW != null) {
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            for (int i = 0; i < 200; i++) {
                int port = random.nextInt(WINDOW[0], WINDOW[1]);
                if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
                    return port;
                }
            }
        }
        for (int i = 0; ; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort()) || i >= 50) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /**
     * {@code [from, to)} for {@link #freePort()}: below the ephemeral range {@code [low, high]} from
     * 10000 where that leaves 4000 ports, else above it; null where neither does.
     */
    static int[] window(int[] ephemeral) {
        int[] window;
        if (ephemeral == null) {
            window = new int[] {15_000, 32_768};
        } else if (ephemeral[0] - 10_000 >= 4_000) {
            window = new int[] {10_000, ephemeral[0]};
        } else if (65_536 - (ephemeral[1] + 1) >= 4_000) {
            window = new int[] {ephemeral[1] + 1, 65_536};
        } else {
            window = null;
        }
        return window;
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new java.net.InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The kernel's ephemeral range {@code [low, high]}; null where it cannot be read (not Linux).
     * Read as a line: {@code Files.readString} gets the first byte alone of a /proc/sys file (it
     * reports size 0, and the rest does not follow a one-byte read), which made "3" of "32768
     * 60999" until 2026-12-06 and sent every port through the {@code bind(0)} fallback.
     */
    static int[] ephemeralRange() {
        try (java.io.BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String[] range = in.readLine().trim().split("\\s+");
            int low = Integer.parseInt(range[0]);
            int high = Integer.parseInt(range[1]);
            return low > 0 && low <= high && high <= 65_535 ? new int[] {low, high} : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The port a sandbox simulator started with port 0 says it bound ({@code what}: "wechat",
     * "wechat tls", "ystpay", "pooul"), from its line "sandbox &lt;what&gt; listening on 127.0.0.1:&lt;port&gt;".
     * Nothing can take such a port between choosing it and binding it.
     */
    int listeningPort(String what) throws Exception {
        // the whole line: the simulator's log says "listening on" a moment before it
        java.util.regex.Pattern line = java.util.regex.Pattern
                .compile("sandbox " + java.util.regex.Pattern.quote(what) + " listening on 127\\.0\\.0\\.1:(\\d+)[,\\r\\n]");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            java.util.regex.Matcher m = line.matcher(output());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no 'sandbox " + what + " listening on' line:\n" + output());
            }
            Thread.sleep(50);
        }
    }

    /** The sandbox jar's WeChat simulator as its own process, for one merchant {@code mchId:appId:apiKey}. */
    static GatewayProcess wechatSimulator(Path workDir, int port, String merchant) throws Exception {
        GatewayProcess s = start(workDir, Map.of(), "-cp", SANDBOX_CLASS_PATH, "io.paygate.sandbox.SandboxMain",
                "--wechat-port", Integer.toString(port), "--wechat-merchant", merchant);
        s.awaitOutput("sandbox wechat listening on", Duration.ofSeconds(30));
        return s;
    }

    /**
     * The same, also serving /secapi over mutual TLS on {@code tlsPort}, with its CA and the
     * merchant's client certificate ({@code <mchId>.p12}, password = mch_id) in {@code tlsDir}.
     */
    static GatewayProcess wechatSimulator(Path workDir, int port, String merchant, int tlsPort, Path tlsDir)
            throws Exception {
        GatewayProcess s = start(workDir, Map.of(), "-cp", SANDBOX_CLASS_PATH, "io.paygate.sandbox.SandboxMain",
                "--wechat-port", Integer.toString(port), "--wechat-merchant", merchant,
                "--wechat-tls-port", Integer.toString(tlsPort), "--wechat-tls-dir", tlsDir.toString());
        s.awaitOutput("sandbox wechat tls listening on", Duration.ofSeconds(60));
        return s;
    }
}
