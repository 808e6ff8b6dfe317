package io.paygate;

import io.paygate.api.Health;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantsFile;
import io.paygate.broker.Messaging;
import io.paygate.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Properties;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the gateway from its settings: the store, the beans the routes call by name, the sandbox
 * when enabled (loaded apart from the production classes, {@link SandboxRuntime}), and Camel Main
 * with routes loaded from the routes folder (outside the jar, so ops change a route without a
 * rebuild). The registry is visible here in one place.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewaySettings settings;
    private final MerchantDirectory merchants;
    private final LedgerOpening ledger;
    private volatile Database db;
    private final Main main;
    private final SandboxRuntime sandbox;
    private final java.util.Map<String, String> env;
    private volatile Messaging messaging;
    private volatile RouteReloader routeReloader;

    private Gateway(GatewaySettings settings, MerchantDirectory merchants, SandboxRuntime sandbox,
                    java.util.Map<String, String> env, LedgerOpening ledger) {
        this.settings = settings;
        this.merchants = merchants;
        this.env = env;
        this.sandbox = sandbox;
        this.ledger = ledger;
        this.main = new Main();
    }

    /**
     * Opens the ledger (connection pool, Flyway's migrations) on a thread of its own, so that it runs
     * while the configuration is read and the sandbox makes its keys and starts: on a fresh data dir
     * both are seconds of work on a cold JVM. {@link #await} gives the ledger or throws what opening it threw.
     */
    private static final class LedgerOpening {
        private final java.util.concurrent.CompletableFuture<Database> opening = new java.util.concurrent.CompletableFuture<>();

        static LedgerOpening begin(GatewaySettings settings) {
            LedgerOpening l = new LedgerOpening();
            Thread t = new Thread(() -> {
                try {
                    l.opening.complete(open(settings));
                } catch (Throwable e) {
                    l.opening.completeExceptionally(e);
                }
            }, "ledger-open");
            t.setDaemon(true);
            t.start();
            return l;
        }

        private static Database open(GatewaySettings settings) {
            try {
                Files.createDirectories(settings.dataDir());
            } catch (IOException e) {
                throw new io.paygate.config.ConfigException("GATEWAY_DATA_DIR " + settings.dataDir() + ": cannot be created: " + e.getMessage());
            }
            String url = settings.get("gateway.store.url").isBlank() ? Database.embeddedUrl(settings.dataDir())
                    : settings.get("gateway.store.url");
            return new Database(url, settings.get("gateway.store.user"), settings.get("gateway.store.password"),
                    settings.intValue("gateway.store.pool-size", 1, 200),
                    java.time.Duration.ofSeconds(settings.intValue("gateway.store.connect-timeout", 1, 600)));
        }

        /** The open ledger; what opening it threw, thrown here (on the caller's thread) as it was. */
        Database await() {
            try {
                return opening.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw rethrown(e.getCause());
            }
        }

        /**
         * Configuration failed elsewhere: waits until the opening has ended, then closes the ledger.
         * The wait is deliberate: the process exits next, and no migration is to be cut off part-way
         * by that exit.
         */
        void abandon() {
            try {
                opening.join().close();
            } catch (RuntimeException e) {
                // the configuration error is what is reported; the ledger did not open either
                LOG.debug("ledger not opened: {}", e.toString());
            }
        }
    }

    private static RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(cause);
    }

    /** Reads and checks the configuration; throws {@link io.paygate.config.ConfigException} naming file and key. */
    public static Gateway configure(java.util.Map<String, String> env, Properties system) {
        GatewaySettings settings = GatewaySettings.load(env, system);
        GatewayLogging.apply(settings);
        // Only needs the settings: opened meanwhile, while the rest is read and checked and the sandbox
        // starts; run() waits for it before anything that uses it.
        LedgerOpening ledger = LedgerOpening.begin(settings);
        SandboxRuntime sandbox;
        try {
            sandbox = SandboxRuntime.load(settings);
        } catch (RuntimeException e) {
            ledger.abandon();
            throw e;
        }
        try {
            // e.g. the Pooul sandbox's keys, which the shipped sandbox merchants name
            sandbox.beforeMerchants(settings);
            MerchantDirectory merchants = MerchantsFile.load(settings.configDir(), settings.dataDir(), env);
            if (!Files.isDirectory(settings.routesDir())) {
                throw new io.paygate.config.ConfigException("GATEWAY_ROUTES_DIR " + settings.routesDir() + ": not a folder");
            }
            return new Gateway(settings, merchants, sandbox, env, ledger);
        } catch (RuntimeException e) {
            ledger.abandon();
            sandbox.close();
            throw e;
        }
    }

    /** Starts everything and blocks until the JVM is asked to stop. */
    public void run() throws Exception {
        sandbox.start(settings, merchants);
        checkProviderSettings();
        this.db = ledger.await();
        Messaging messaging = Messaging.start(settings, merchants);
        this.messaging = messaging;
        GatewayBeans beans = new GatewayBeans(settings, merchants, db, env);
        beans.bindAll(main::bind);
        beans.bindMessaging(main::bind, messaging, settings, sandbox.relayProbe(settings));
        Health health = beans.health();
        Properties props = GatewayBeans.camelProperties(settings);
        props.setProperty("camel.main.routes-include-pattern", "file:" + settings.routesDir() + "/*.yaml");
        main.setInitialProperties(props);
        main.configure().withRoutesIncludePattern("file:" + settings.routesDir() + "/*.yaml");
        main.configure().httpServer().withEnabled(true)
                .withHost(settings.get("gateway.http.host"))
                .withPort(settings.intValue("gateway.http.port", 0, 65535))
                .withMaxBodySize(settings.intValue("gateway.http.max-body-bytes", 1024, 16 * 1024 * 1024));
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                // Stopped by Camel after the routes, so no consumer outlives the broker.
                try {
                    m.getCamelContext().addService(new org.apache.camel.support.service.ServiceSupport() {
                        @Override
                        protected void doStop() {
                            messaging.close();
                        }
                    }, true, true);
                    // /observe and /admin: on the public port, or on gateway.management.port when set.
                    ManagementPort.install(m.getCamelContext(), settings);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void afterStart(BaseMainSupport m) {
                if (settings.bool("gateway.routes.reload")) {
                    RouteReloader r = new RouteReloader(m.getCamelContext(), settings.routesDir(), settings,
                            beans.routeReloads(), java.time.Duration.ofMillis(
                                    settings.intValue("gateway.routes.reload-debounce-ms", 50, 60_000)),
                            java.time.Clock.systemUTC());
                    try {
                        r.start();
                        routeReloader = r;
                    } catch (IOException e) {
                        LOG.warn("{}: cannot be watched, routes are not reloaded: {}", settings.routesDir(), e.getMessage());
                    }
                }
                // merchants.yaml and the files it names, looked at while the gateway runs.
                beans.liveConfig().start(java.time.Duration.ofMillis(settings.intValue("gateway.config.watch-ms", 0, 3_600_000)),
                        java.time.Duration.ofMillis(settings.intValue("gateway.config.settle-ms", 0, 60_000)));
                health.markStarted();
                if (db.autovacuumOff()) {
                    LOG.warn("PostgreSQL runs with autovacuum = off: the ledger's tables are never analyzed, and statements "
                            + "planned while they were small stay slow as they grow; turn autovacuum on, or ANALYZE the "
                            + "gateway's tables regularly (docs/deployment.md)");
                }
                LOG.info("payment gateway ready on {}:{} (config {}, routes {}, data {})", settings.get("gateway.http.host"),
                        settings.get("gateway.http.port"), settings.configDir(), settings.routesDir(), settings.dataDir());
                markReadyForClassDataSharing();
            }

            @Override
            public void beforeStop(BaseMainSupport m) {
                health.markStopping();
                if (routeReloader != null) {
                    routeReloader.close();
                }
                beans.liveConfig().close();
            }
        });
        // SIGTERM: health DOWN, then a drain of the work in flight, then run() returns (exit 0).
        GracefulStop.install(health, settings.seconds("gateway.shutdown.delay-seconds"),
                settings.seconds("gateway.shutdown.drain-seconds"), main::completed);
        main.run();
    }

    /**
     * bin/payment-gateway records the loaded classes into a class data sharing archive at the JVM's
     * exit, and uses the archive on later starts only when this file says the recording start got as
     * far as ready (a start cut short would record too few classes).
     */
    private static void markReadyForClassDataSharing() {
        String file = System.getProperty("payment-gateway.cds-ready-file");
        if (file == null || file.isBlank()) {
            return;
        }
        try {
            Files.writeString(java.nio.file.Path.of(file), "ready\n");
        } catch (IOException e) {
            LOG.warn("{}: cannot be written, the next start records its class data sharing archive again: {}", file, e.getMessage());
        }
    }

    /**
     * Each provider module checks its merchants' settings at start-up (after the sandbox has made its
     * own files): a client certificate with a wrong path or password is a configuration error naming
     * the merchant's key, not a failed first refund.
     */
    private void checkProviderSettings() {
        io.paygate.config.LiveConfig.checkProviders(settings.configDir(), merchants);
    }

    @Override
    public void close() {
        if (messaging != null) {
            messaging.close();
        }
        sandbox.close();
        if (db != null) {
            db.close();
        } else {
            ledger.abandon();
        }
    }
}
