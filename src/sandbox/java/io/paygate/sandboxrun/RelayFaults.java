package io.paygate.sandboxrun;

import io.paygate.SandboxLauncher;
import io.paygate.config.GatewaySettings;
import io.paygate.events.RelayProbe;

/**
 * Crash injection in the outbox relay for the crash tests ({@code gateway.faults.halt-in-relay},
 * JmsCrashIT): {@code before-send} halts the JVM with exit code 99 after an event is committed and
 * before it is sent, {@code after-send} with 98 after it is sent and before it is marked sent.
 */
public final class RelayFaults implements SandboxLauncher {
    static final int BEFORE_SEND_EXIT = 99;
    static final int AFTER_SEND_EXIT = 98;

    @Override
    public RelayProbe relayProbe(GatewaySettings settings) {
        String at = settings.get("gateway.faults.halt-in-relay");
        return switch (at) {
            case "before-send" -> new RelayProbe() {
                @Override
                public void beforeSend(String eventId) {
                    Runtime.getRuntime().halt(BEFORE_SEND_EXIT);
                }
            };
            case "after-send" -> new RelayProbe() {
                @Override
                public void afterSend(String eventId) {
                    Runtime.getRuntime().halt(AFTER_SEND_EXIT);
                }
            };
            default -> null;
        };
    }
}
