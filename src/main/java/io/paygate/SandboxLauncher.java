package io.paygate;

import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.events.RelayProbe;
import java.io.IOException;
import java.util.List;

/**
 * What the sandbox plugs into the gateway, found with {@link java.util.ServiceLoader} only when
 * {@code gateway.sandbox.enabled=true} ({@link SandboxRuntime}). The implementations live in the
 * sandbox source tree ({@code src/sandbox/java}), never in the production classes; this side names
 * no simulator. Each method has a default that does nothing, so a launcher implements what it needs.
 */
public interface SandboxLauncher {
    /** Before {@code merchants.yaml} is read: the files the shipped sandbox merchants name (keys, say). */
    default void beforeMerchants(GatewaySettings settings) throws IOException {
    }

    /**
     * Starts what this launcher simulates for the loaded merchants, before the gateway's own parts.
     *
     * @return what the gateway closes when it stops
     */
    default List<AutoCloseable> start(GatewaySettings settings, MerchantDirectory merchants) throws IOException {
        return List.of();
    }

    /**
     * For {@code --check-config}: makes the files {@link #start} would make that the merchants name
     * (certificates, say), binding nothing and starting nothing.
     */
    default void filesForCheck(GatewaySettings settings, MerchantDirectory merchants) throws IOException {
    }

    /** A probe for the outbox relay (crash injection, {@code gateway.faults.halt-in-relay}), or null for none. */
    default RelayProbe relayProbe(GatewaySettings settings) {
        return null;
    }
}
