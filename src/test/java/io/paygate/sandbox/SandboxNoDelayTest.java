package io.paygate.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.sandbox.pooul.PooulSimulator;
import io.paygate.sandbox.wechat.WechatSimulator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every sandbox answer leaves without waiting for the caller's delayed ACK, whichever simulator
 * creates the JVM's first JDK HTTP server. Measured in a fresh JVM (this test's JVM has servers
 * of other tests already, and the JDK reads {@code sun.net.httpserver.nodelay} once): the Pooul
 * simulator starts first, as in the gateway's sandbox, then 50 sequential calls to the WeChat one.
 */
class SandboxNoDelayTest {

    /** With Nagle's algorithm on, each call takes ~40 ms; without, well under 1 ms. */
    private static final double LIMIT_MS = 15;

    @Test
    void sequentialCallsToTheWechatSimulatorDoNotWaitForADelayedAck() throws Exception {
        double averageMs = averageInFreshJvm(List.of());
        assertThat(averageMs).as("average ms per call").isLessThan(LIMIT_MS);
    }

    /** Runs {@link #main} in a new JVM on this class path; the JVM flags are {@code jvmOptions}. */
    static double averageInFreshJvm(List<String> jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SandboxNoDelayTest.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String last = null;
        List<String> output = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.add(line);
                if (line.startsWith("average-ms=")) {
                    last = line.substring("average-ms=".length());
                }
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(last).as("child output %s", output).isNotNull();
        return Double.parseDouble(last);
    }

    /** Pooul first, then WeChat; prints {@code average-ms=} of 50 sequential WeChat calls. */
    public static void main(String[] args) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        try (PooulSimulator pooul = new PooulSimulator(0, List.of(PooulSimulator.Merchant.classic("c1", "k".repeat(32))),
                rsa.generateKeyPair());
             WechatSimulator wechat = new WechatSimulator(0,
                     List.of(new WechatSimulator.Merchant("1900000109", "wx2421b1c4370ec43b", "a".repeat(32))), null)) {
            pooul.start();
            wechat.start();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest faults = HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + wechat.port() + "/sandbox/wechat/faults")).GET().build();
            for (int i = 0; i < 10; i++) {
                http.send(faults, HttpResponse.BodyHandlers.ofString());
            }
            int calls = 50;
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                HttpResponse<String> answer = http.send(faults, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException("status " + answer.statusCode());
                }
            }
            System.out.println("average-ms=" + (System.nanoTime() - start) / 1e6 / calls);
        }
    }
}
