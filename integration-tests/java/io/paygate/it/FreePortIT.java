package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The ports the end-to-end tests give their processes: outside the kernel's ephemeral range, so that
 * no {@code bind(0)} or outgoing connection takes one between the test choosing it and the process
 * binding it (two CI failures came from that while the range was misread as "3").
 */
class FreePortIT {
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    @Test
    void theEphemeralRangeIsReadAsTheKernelSaysIt() throws Exception {
        assumeTrue(Files.exists(RANGE), "Linux only");
        // read by another program, not by the code under test
        Process cat = new ProcessBuilder("cat", RANGE.toString()).start();
        String[] kernel = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
        assertThat(cat.waitFor()).isZero();
        assertThat(GatewayProcess.ephemeralRange()).containsExactly(Integer.parseInt(kernel[0]), Integer.parseInt(kernel[1]));
    }

    @Test
    void portsHandedOutAreOutsideTheEphemeralRangeAndNeverTwice() throws Exception {
        int[] range = GatewayProcess.ephemeralRange();
        assumeTrue(range != null, "Linux only");
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            int port = GatewayProcess.freePort();
            assertThat(port >= range[0] && port <= range[1]).as("port %d in the ephemeral range %d-%d", port, range[0], range[1]).isFalse();
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }

    @Test
    void theWindowLeavesTheEphemeralRangeAlone() {
        assertThat(GatewayProcess.window(new int[] {32768, 60999})).containsExactly(10_000, 32768);
        // IANA's range, and one that starts low (leaves room above only)
        assertThat(GatewayProcess.window(new int[] {49152, 65535})).containsExactly(10_000, 49152);
        assertThat(GatewayProcess.window(new int[] {1024, 60999})).containsExactly(61000, 65536);
        // no room anywhere: bind(0)
        assertThat(GatewayProcess.window(new int[] {1024, 65000})).isNull();
        // unknown: below Linux's default start
        assertThat(GatewayProcess.window(null)).containsExactly(15_000, 32_768);
    }
}
