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
 * creates the JVM's first JDK HTTP server. Checked in a fresh JVM (this test's JVM has servers of
 * other tests already, and the JDK reads {@code sun.net.httpserver.nodelay} once, into its
 * {@code ServerConfig}): the Pooul simulator starts first, as in the gateway's sandbox, then the
 * WeChat one; the child reports the setting the JDK's server actually took (and, for the record,
 * the average of 50 sequential calls: ~40 ms each with the defect, a few ms without).
 */
class SandboxNoDelayTest {

    /** Lets the child read the JDK server's own configuration. */
    private static final String OPEN = "--add-opens=jdk.httpserver/sun.net.httpserver=ALL-UNNAMED";

    @Test
    void theJdkServerTakesNoDelayWhicheverSimulatorStartsFirst() throws Exception {
        assertThat(inFreshJvm(List.of(OPEN)).get("nodelay")).isEqualTo("true");
    }

    @Test
    void theCheckSeesTheDefectWhenTheSettingIsRefused() throws Exception {
        // A value given on the command line is kept: false reproduces the old defect.
        assertThat(inFreshJvm(List.of(OPEN, "-Dsun.net.httpserver.nodelay=false")).get("nodelay")).isEqualTo("false");
    }

    /** Runs {@link #main} in a new JVM on this class path; its {@code key=value} lines. */
    static java.util.Map<String, String> inFreshJvm(List<String> jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SandboxNoDelayTest.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.util.Map<String, String> found = new java.util.HashMap<>();
        List<String> output = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.add(line);
                int eq = line.indexOf('=');
                if (line.startsWith("nodelay=") || line.startsWith("average-ms=")) {
                    found.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(found).as("child output %s", output).containsKeys("nodelay", "average-ms");
        return found;
    }

    /**
     * Pooul first, then WeChat; prints {@code nodelay=} as the JDK's server configuration holds it,
     * and {@code average-ms=} of 50 sequential WeChat calls.
     */
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
            java.lang.reflect.Method noDelay = Class.forName("sun.net.httpserver.ServerConfig").getDeclaredMethod("noDelay");
            noDelay.setAccessible(true);
            System.out.println("nodelay=" + noDelay.invoke(null));
        }
    }
}
