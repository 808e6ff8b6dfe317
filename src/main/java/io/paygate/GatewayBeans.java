package io.paygate;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.api.Health;
import io.paygate.api.OrderQueries;
import io.paygate.api.PaymentApi;
import io.paygate.api.ProviderFailures;
import io.paygate.canonical.Json;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.provider.ProviderConnector;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.ProviderModule;
import io.paygate.provider.ProviderModules;
import io.paygate.store.Database;
import io.paygate.store.IdempotencyStore;
import io.paygate.store.Ledger;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.apache.camel.component.http.HttpComponent;

/**
 * The beans the routes call by name, made in one place (the registry is visible here), and the
 * Camel properties derived from the gateway's settings. Used by the running gateway and by the
 * route tests, so both run the same wiring.
 */
public final class GatewayBeans {
    private final ObjectMapper json = Json.mapper();
    private final Clock clock = Clock.systemUTC();
    private final MerchantDirectory merchants;
    private final Ledger ledger;
    private final io.paygate.store.Refunds refunds;
    private final IdempotencyStore idempotency;
    private final PaymentApi api;
    private final Health health;
    private final io.paygate.reconcile.Reconciler reconciler;
    /** The pending-order sweep's workers (routes/reconcile.yaml): gateway.reconcile.concurrency daemon threads. */
    private final java.util.concurrent.ExecutorService reconcileExecutor;
    private final io.paygate.reconcile.MicroWait microWait;
    /** Each provider module's beans, by registry name (what its route file names). */
    private final Map<String, Object> providerBeans = new java.util.LinkedHashMap<>();
    private final HttpComponent providerHttpClient;
    private final org.apache.camel.component.quartz.QuartzComponent quartz;
    private final io.paygate.notify.NotificationIntake intake;
    private final io.paygate.api.Metrics metrics;
    private final Database db;
    private final io.paygate.route.RouteReloads routeReloads;
    private final io.paygate.config.LiveConfig liveConfig;
    private final io.paygate.store.ConfigHistory configHistory;

    /** With the process's environment for the {@code ${env:…}} references of a reloaded merchants.yaml. */
    public GatewayBeans(GatewaySettings settings, MerchantDirectory merchants, Database db) {
        this(settings, merchants, db, System.getenv());
    }

    /** @param env resolves the {@code ${env:…}} references of merchants.yaml when it is reloaded */
    public GatewayBeans(GatewaySettings settings, MerchantDirectory merchants, Database db, Map<String, String> env) {
        this.merchants = merchants;
        this.db = db;
        // A new owner id per process life: idempotency records left IN_PROGRESS by an earlier
        // life are recognised as interrupted, not as in flight.
        this.ledger = new Ledger(db, json, clock);
        this.idempotency = new IdempotencyStore(db, clock, UUID.randomUUID().toString(),
                settings.seconds("gateway.idempotency.lease"));
        if (settings.get("gateway.store.url").isBlank()) {
            // The embedded database file opens in one process only: every other owner is dead.
            idempotency.retireOtherOwners();
        }
        // Every provider module found on the class path (ServiceLoader) makes its parts here.
        Map<String, ProviderConnector> connectors = new java.util.LinkedHashMap<>();
        Map<String, io.paygate.notify.NotificationCodec> codecs = new java.util.LinkedHashMap<>();
        ProviderModule.Context context = new ProviderModule.Context(settings, db, clock);
        for (ProviderModule module : ProviderModules.installed().values()) {
            ProviderModule.Parts parts = module.start(context);
            connectors.put(module.name(), parts.connector());
            codecs.put(module.name(), parts.notifications());
            parts.beans().forEach((name, bean) -> {
                if (providerBeans.putIfAbsent(name, bean) != null) {
                    throw new IllegalStateException("two provider modules bind a bean named " + name);
                }
            });
        }
        ProviderCalls calls = new ProviderCalls(connectors, settings);
        this.refunds = new io.paygate.store.Refunds(db, ledger, clock);
        this.intake = new io.paygate.notify.NotificationIntake(codecs, calls,
                merchants, db, ledger, refunds, clock, settings.intValue("gateway.notify.max-body-bytes", 1024, 1024 * 1024));

        this.health = new Health(db);
        io.paygate.reconcile.ReconcileTimings timings = io.paygate.reconcile.ReconcileTimings.from(settings);
        io.paygate.store.ReconcileQueue queue = new io.paygate.store.ReconcileQueue(db, idempotency.owner(),
                settings.seconds("gateway.idempotency.lease"));
        this.metrics = new io.paygate.api.Metrics(merchants, settings.bool("gateway.metrics.enabled"));
        this.routeReloads = new io.paygate.route.RouteReloads(settings.bool("gateway.routes.reload"), metrics.registry());
        this.configHistory = new io.paygate.store.ConfigHistory(db);
        this.liveConfig = new io.paygate.config.LiveConfig(settings.configDir(), settings.dataDir(), env, merchants,
                configHistory, clock, metrics::configReloaded);
        metrics.liveConfig(() -> liveConfig.status().version());
        metrics.cachedGauge("gateway.reconcile.backlog", "Unfinished orders whose reconciliation check is due", null,
                () -> {
                    java.time.Instant now = clock.instant();
                    return queue.backlog(now, now.minus(timings.minAge()), now.minus(timings.maxAge()));
                });
        metrics.cachedGauge("gateway.open.order.oldest.age", "Age of the oldest unfinished order (0 when none)", "seconds",
                () -> queue.oldestOpen().map(t -> java.time.Duration.between(t, clock.instant()).toSeconds()).orElse(0L));
        // A till's barcode payment is held from creation for its provider call (the merchant's own
        // timeouts, else its provider's) and its provider's barcode wait.
        java.util.function.Function<io.paygate.provider.ProviderCall, java.time.Duration> microHold = c ->
                c.connectTimeout().plus(c.readTimeout()).plus(timings.of(c.provider()).microWait()).plusSeconds(30);
        this.api = new PaymentApi(merchants, calls, db, ledger, refunds, idempotency, json,
                settings.intValue("gateway.http.max-body-bytes", 1024, 16 * 1024 * 1024),
                settings.seconds("gateway.idempotency.wait"), queue, microHold);
        api.refuseWhen(health::refusingNewWork);
        this.reconciler = new io.paygate.reconcile.Reconciler(db, ledger, refunds, queue, merchants, calls, timings, clock);
        // Per process; with gateway.reconcile.cluster=true the sum over the instances is one per period.
        io.micrometer.core.instrument.FunctionCounter.builder("gateway.reconcile.sweeps", reconciler,
                        io.paygate.reconcile.Reconciler::sweepsRun)
                .description("Pending-order reconciliation sweeps run by this instance").register(metrics.registry());
        if (db.groupWriting()) { // the embedded ledger: how many commits one write of its file carries
            io.micrometer.core.instrument.FunctionCounter.builder("gateway.store.commits", db, Database::groupCommits)
                    .description("Commits of the embedded H2 ledger that waited for their write to its file")
                    .register(metrics.registry());
            io.micrometer.core.instrument.FunctionCounter.builder("gateway.store.writes", db, Database::groupWrites)
                    .description("Writes of the embedded H2 ledger's file, each carrying every commit waiting at the time")
                    .register(metrics.registry());
        }
        this.microWait = new io.paygate.reconcile.MicroWait(queue, ledger, timings, clock);
        this.reconcileExecutor = io.paygate.reconcile.Reconciler.executor(settings.intValue("gateway.reconcile.concurrency", 1, 64));
        this.providerHttpClient = providerHttpClient(settings);
        this.quartz = io.paygate.reconcile.SweepScheduler.component(settings, db);
    }

    /**
     * One pooled HTTP client for every provider call (bound as the {@code http} component), with
     * the connect and read timeouts of gateway.provider.*.
     */
    private static HttpComponent providerHttpClient(GatewaySettings settings) {
        long connectMs = settings.seconds("gateway.provider.connect-timeout").toMillis();
        long readMs = settings.seconds("gateway.provider.read-timeout").toMillis();
        HttpComponent http = new HttpComponent();
        http.setConnectTimeout(connectMs);
        http.setConnectionRequestTimeout(connectMs);
        http.setResponseTimeout(readMs);
        http.setSoTimeout(readMs);
        // Never repeat a call by itself (HttpClient retries a 503 by default: a PAY sent twice), never
        // follow a redirect (a callback must reach only an allowed host), keep no cookies.
        http.setAutomaticRetriesDisabled(true);
        http.setRedirectHandlingDisabled(true);
        http.setCookieManagementDisabled(true);
        http.setMaxTotalConnections(200);
        http.setConnectionsPerRoute(50);
        return http;
    }

    public void bindAll(BiConsumer<String, Object> registry) {
        // Every exchange's log lines carry its merchant, order, request, provider and event (docs/operations.md, "Logs").
        registry.accept("gatewayUnitOfWork", new io.paygate.route.LoggedUnitOfWork.Factory());
        registry.accept("http", providerHttpClient);
        registry.accept("quartz", quartz);
        registry.accept("paymentApi", api);
        registry.accept("orderQueries", new OrderQueries(api, ledger, refunds, json));
        registry.accept("providerFailures", new ProviderFailures());
        registry.accept("providerSteps", new io.paygate.provider.ProviderSteps());
        registry.accept("health", health);
        providerBeans.forEach(registry);
        registry.accept("ledger", ledger);
        registry.accept("refunds", refunds);
        registry.accept("reconciler", reconciler);
        registry.accept("reconcileExecutor", reconcileExecutor);
        registry.accept("microWait", microWait);
        registry.accept("idempotencyStore", idempotency);
        registry.accept("notificationIntake", intake);
        // camel-micrometer's registry (its default name), Prometheus: the routes' counters (e.g.
        // gateway.notifications) and the meters of the metrics bean (docs/operations.md).
        registry.accept("metricsRegistry", metrics.registry());
        registry.accept("metrics", metrics);
        // The state of the route folder's reloads (RouteReloader), for the admin answers.
        registry.accept("routeReloads", routeReloads);
        // direct: with a gate the route reloader closes while it replaces a route, so no call
        // enters a route being stopped (io.paygate.route.DirectGate).
        registry.accept("direct", new io.paygate.route.GatedDirectComponent(new io.paygate.route.DirectGate()));
    }

    /**
     * The message bus: the {@code jms} component, the JMS entry and the events relay.
     *
     * @param relayProbe watches the relay ({@link io.paygate.events.RelayProbe#NONE} unless the sandbox gives one)
     */
    public void bindMessaging(BiConsumer<String, Object> registry, io.paygate.broker.Messaging messaging,
                              GatewaySettings settings, io.paygate.events.RelayProbe relayProbe) {
        registry.accept("jms", messaging.component());
        registry.accept("jmsEntry", new io.paygate.api.JmsEntry(api, json, merchants,
                messaging.embedded() ? settings.get("gateway.broker.user") : null,
                messaging));
        // On a store shared by several gateways one relays at a time (a lease); the embedded store is this gateway's alone.
        io.paygate.store.Leases relayLeases = settings.get("gateway.store.url").isBlank() ? null
                : new io.paygate.store.Leases(db, clock);
        registry.accept("outboxRelay", new io.paygate.events.OutboxRelay(ledger, json, 100, relayProbe, relayLeases, clock,
                messaging.connectionFactory()));
        health.addCheck("broker", messaging::isHealthy);
        registry.accept("callbackDelivery", new io.paygate.delivery.CallbackDelivery(merchants, ledger, json, clock, metrics));
        // Queue depths of the embedded broker; an external broker is watched with its own metrics.
        if (messaging.embedded()) {
            for (String q : java.util.List.of(io.paygate.broker.Destinations.REQUESTS, io.paygate.broker.Destinations.DLQ,
                    io.paygate.broker.Destinations.DELIVERIES, io.paygate.broker.Destinations.DELIVERIES_DLQ,
                    io.paygate.broker.Destinations.INVALID)) {
                metrics.cachedGauge("gateway.broker.queue.depth", "Messages waiting on a queue of the embedded broker", null,
                        () -> messaging.queueDepth(q), "queue", q);
            }
            metrics.cachedGauge("gateway.dead.deliveries", "Merchant callbacks given up, waiting on "
                    + io.paygate.broker.Destinations.DELIVERIES_DLQ + " for a replay or resend", null,
                    () -> messaging.queueDepth(io.paygate.broker.Destinations.DELIVERIES_DLQ));
        }
        io.paygate.delivery.DeadDeliveries dead = new io.paygate.delivery.DeadDeliveries(messaging.connectionFactory(),
                ledger, json, java.util.Arrays.stream(settings.get("gateway.admin.tokens").split(",")).map(String::trim)
                        .filter(t -> !t.isEmpty()).toList());
        registry.accept("deadDeliveries", dead);
        // A merchant added by a reload with eventsQueue: true gets its queue on the embedded broker.
        liveConfig.eventQueues(messaging::addMerchantEventQueue);
        // Merchants' broker logins added, changed or removed by a reload take effect on the embedded broker.
        liveConfig.brokerLogins(messaging::applyMerchantLogins);
        registry.accept("configAdmin", new io.paygate.api.ConfigAdmin(liveConfig, configHistory, routeReloads, json, dead::authorized));
    }

    /**
     * Camel properties: every gateway.* key for {{placeholders}}, and the graceful stop: consumers
     * are suspended (HTTP answers 503, JMS takes no new message), in-flight exchanges get up to
     * gateway.shutdown.drain-seconds, then the routes are stopped anyway (an unfinished JMS
     * message rolls back to the broker). See {@link GracefulStop}.
     */
    public static Properties camelProperties(GatewaySettings settings) {
        Properties props = settings.asProperties();
        props.setProperty("camel.main.name", "payment-gateway");
        props.setProperty("camel.main.shutdown-timeout",
                Integer.toString(settings.intValue("gateway.shutdown.drain-seconds", 1, 3600)));
        props.setProperty("camel.main.shutdown-now-on-timeout", "true");
        props.setProperty("camel.main.shutdown-log-inflight-exchanges-on-timeout", "true");
        return props;
    }

    public io.paygate.config.LiveConfig liveConfig() {
        return liveConfig;
    }

    public io.paygate.api.Metrics metrics() {
        return metrics;
    }

    /** The route folder's reload state and history (RouteReloader records there). */
    public io.paygate.route.RouteReloads routeReloads() {
        return routeReloads;
    }

    public Health health() {
        return health;
    }

    public io.paygate.store.Refunds refunds() {
        return refunds;
    }

    public Ledger ledger() {
        return ledger;
    }

    public ObjectMapper json() {
        return json;
    }
}
