package io.paygate.sandbox;

/**
 * What every sandbox HTTP server needs before the JVM's first {@code com.sun.net.httpserver}
 * server exists. The JDK server writes an answer's headers and body separately; with Nagle's
 * algorithm on, the caller's delayed ACK then stalls every call by ~40 ms. The JDK reads
 * {@code sun.net.httpserver.nodelay} once, when the first server of the JVM is created, so each
 * simulator sets it when its class loads (before it can create a server), and so do
 * {@link SandboxMain} and the gateway's {@code SandboxRuntime} before any simulator starts. A value
 * given on the command line is kept.
 */
public final class SandboxHttp {
    public static final String NODELAY = "sun.net.httpserver.nodelay";

    private SandboxHttp() {
    }

    /** Sets {@value #NODELAY} to true unless it was given. */
    public static void noDelay() {
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
    }
}
