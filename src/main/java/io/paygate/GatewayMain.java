package io.paygate;

import io.paygate.config.ConfigException;

/**
 * {@code java -jar payment-gateway.jar}: a configuration error prints one line naming the file and
 * key and exits 2; any other start-up failure exits 1 (the embedded parts hold non-daemon threads,
 * so the JVM is ended explicitly). {@code --check-config} checks the configuration and the routes
 * without starting anything ({@link ConfigCheck}). SIGTERM stops the gateway gracefully and it
 * exits 0 ({@link GracefulStop}). Before it exits, the logging is shut down, so every line still
 * queued for the console (log4j2.xml writes through an asynchronous appender) is written first.
 */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--check-config")) {
            // Reads and checks everything, starts nothing (ConfigCheck); 0 all well, 2 errors. Only
            // warnings are logged (log4j2.xml), so the output is the check's findings.
            System.setProperty("payment-gateway.log-level", "WARN");
            exit(ConfigCheck.run(System.getenv(), System.getProperties(), System.out, System.err));
            return;
        }
        Gateway gateway;
        try {
            gateway = Gateway.configure(System.getenv(), System.getProperties());
        } catch (ConfigException e) {
            System.err.println("payment-gateway: configuration error: " + e.getMessage());
            exit(2);
            return;
        }
        int code = 0;
        try {
            gateway.run();
        } catch (ConfigException e) {
            // Found while starting (a client certificate that cannot be opened, say).
            System.err.println("payment-gateway: configuration error: " + e.getMessage());
            code = 2;
        } catch (Throwable e) {
            System.err.println("payment-gateway: start-up failed: " + rootMessage(e));
            org.slf4j.LoggerFactory.getLogger(GatewayMain.class).error("start-up failed", e);
            code = 1;
        } finally {
            gateway.close();
        }
        exit(code);
    }

    /** Writes every queued log line (a stop, a failed start), then ends the JVM. */
    private static void exit(int code) {
        org.apache.logging.log4j.LogManager.shutdown();
        System.exit(code);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
