package io.paygate;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.config.GatewaySettings;
import io.paygate.events.RelayProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox is found only in sandbox mode; tests have it on their class path (pom.xml, sandbox-for-tests). */
class SandboxRuntimeTest {
    @TempDir
    Path dir;

    private GatewaySettings settings(String... lines) throws Exception {
        Files.writeString(dir.resolve(GatewaySettings.FILE), "gateway.broker.user=gw-test\ngateway.broker.password=pw-test-0001\n"
                + String.join("\n", lines) + "\n");
        return GatewaySettings.load(Map.of("GATEWAY_CONFIG_DIR", dir.toString(), "GATEWAY_DATA_DIR",
                dir.resolve("data").toString()), new Properties());
    }

    @Test
    void disabledLoadsNothing() throws Exception {
        GatewaySettings s = settings("gateway.sandbox.enabled=false");
        try (SandboxRuntime sandbox = SandboxRuntime.load(s)) {
            assertThat(sandbox.relayProbe(s)).isSameAs(RelayProbe.NONE);
        }
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void enabledFindsTheLaunchersAndTheRelayProbeOnlyWhenAskedFor() throws Exception {
        GatewaySettings plain = settings("gateway.sandbox.enabled=true");
        try (SandboxRuntime sandbox = SandboxRuntime.load(plain)) {
            assertThat(sandbox.relayProbe(plain)).isSameAs(RelayProbe.NONE);
        }
        GatewaySettings halting = settings("gateway.sandbox.enabled=true", "gateway.faults.halt-in-relay=before-send");
        try (SandboxRuntime sandbox = SandboxRuntime.load(halting)) {
            assertThat(sandbox.relayProbe(halting)).isNotSameAs(RelayProbe.NONE)
                    .extracting(p -> p.getClass().getName()).asString().startsWith("io.paygate.sandboxrun.");
        }
    }

    @Test
    void theSandboxKeysAreMadeBeforeTheMerchantsAreRead() throws Exception {
        GatewaySettings s = settings("gateway.sandbox.enabled=true");
        try (SandboxRuntime sandbox = SandboxRuntime.load(s)) {
            sandbox.beforeMerchants(s);
        }
        assertThat(dir.resolve("data/sandbox/pooul/platform-public.pem")).exists();
        assertThat(dir.resolve("data/sandbox/pooul/merchant-private.pem")).exists();
    }
}
