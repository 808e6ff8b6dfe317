package io.paygate.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.config.GatewaySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timings a provider may have its own value of: the operator's per-provider value, else the
 * operator's shared value, else the provider module's default (its documented limits), else the
 * gateway's default.
 */
class ReconcileTimingsTest {
    @TempDir
    Path dir;

    private ReconcileTimings load(String... lines) throws Exception {
        Files.writeString(dir.resolve("application.properties"), String.join("\n", lines) + "\n");
        GatewaySettings s = GatewaySettings.load(Map.of("GATEWAY_CONFIG_DIR", dir.toString(),
                "GATEWAY_DATA_DIR", dir.resolve("data").toString()), new Properties());
        return ReconcileTimings.from(s);
    }

    @Test
    void aModulesDefaultBeatsTheGatewaysDefault() throws Exception {
        ReconcileTimings t = load("gateway.public-base-url=https://gw.example.com");
        assertThat(t.of("testpay").pollLimit()).isEqualTo(Duration.ofSeconds(99));
        assertThat(t.of("ystpay").pollLimit()).isEqualTo(Duration.ofSeconds(45));
        assertThat(t.of("wechat").minCloseAge()).as("WeChat: closeorder not before 5 minutes").isEqualTo(Duration.ofMinutes(5));
        assertThat(t.of("pooul").reverseAfter()).as("Pooul v2: reverse not before 15 s").isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void theOperatorsSharedValueBeatsAModulesDefault() throws Exception {
        ReconcileTimings t = load("gateway.micro.poll-limit=30", "gateway.micro.poll-delay=2");
        assertThat(t.of("testpay").pollLimit()).isEqualTo(Duration.ofSeconds(30));
        assertThat(t.of("wechat").pollDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.earliestPollDelay()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void theOperatorsPerProviderValueBeatsEverything() throws Exception {
        ReconcileTimings t = load("gateway.micro.poll-delay=2", "gateway.wechat.micro.poll-delay=7",
                "gateway.ystpay.micro.wait=5");
        assertThat(t.of("wechat").pollDelay()).isEqualTo(Duration.ofSeconds(7));
        assertThat(t.of("pooul").pollDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.earliestPollDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.of("ystpay").microWait()).isEqualTo(Duration.ofSeconds(5));
        assertThat(t.longestMicroWait()).isEqualTo(Duration.ofSeconds(30));
    }
}
