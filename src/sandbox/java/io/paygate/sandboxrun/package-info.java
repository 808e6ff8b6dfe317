/**
 * The bridge between the gateway and its sandbox: {@link io.paygate.SandboxLauncher}s that start the
 * simulators of {@code io.paygate.sandbox} for the merchants of {@code merchants.yaml}, and the
 * relay's crash injection. It reads the gateway's configuration, so it is not in
 * {@code io.paygate.sandbox}, whose simulators know no gateway class (ArchitectureTest). Like the
 * simulators it lives in {@code src/sandbox/java} and is never part of the production classes.
 */
package io.paygate.sandboxrun;
