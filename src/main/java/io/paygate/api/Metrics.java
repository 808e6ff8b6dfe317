package io.paygate.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.config.MerchantDirectory;
import io.paygate.provider.ProviderCall;
import io.paygate.route.RouteProperties;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.camel.Exchange;

/**
 * The gateway's meters, in one Micrometer registry (Prometheus), which is also camel-micrometer's
 * {@code metricsRegistry}; {@code GET /observe/metrics} answers its scrape in the Prometheus text
 * format. Every name and label is in docs/operations.md. Labels take only bounded values the
 * gateway itself knows (configured merchants and providers, operations, error codes, status
 * classes): never a token, a secret, an order id or anything else a caller sent.
 */
public final class Metrics implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Metrics.class);
    /** The Content-Type of the Prometheus text exposition format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** What a label says when the gateway does not know the value (an unauthenticated caller, say). */
    static final String UNKNOWN = "unknown";
    /** How long a gauge over the database or the broker keeps its value: scraping never loads them. */
    static final Duration GAUGE_CACHE = Duration.ofSeconds(5);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MerchantDirectory merchants;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** gateway.metrics.enabled: when false, no per-request meter is recorded and the scrape is empty. */
    private final boolean enabled;
    /**
     * The per-request meters, one per tag set, made on first use: a request looks its meter up in
     * one map instead of building and registering it again (labels are bounded, so are these maps).
     */
    private final java.util.concurrent.ConcurrentHashMap<List<String>, Counter> requests = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<List<String>, Timer> providerCalls = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<List<String>, Counter> providerErrors = new java.util.concurrent.ConcurrentHashMap<>();

    public Metrics(MerchantDirectory merchants) {
        this(merchants, true);
    }

    public Metrics(MerchantDirectory merchants, boolean enabled) {
        this.merchants = merchants;
        this.enabled = enabled;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        // The JIT's time (jvm_compilation_time_ms_total): after a start, compiling takes a large part
        // of a small machine's CPU for a few minutes under load (docs/benchmarks.md).
        new JvmCompilationMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** {@code GET /observe/metrics}: the scrape, as Prometheus reads it. */
    public void report(Exchange ex) {
        RouteProperties.HTTP_STATUS.set(ex, 200);
        ex.getMessage().setBody(enabled ? registry.scrape() : "# metrics are off: gateway.metrics.enabled=false\n");
    }

    /**
     * The last step of the payment flow (routes/payment-api.yaml): one count per answer, by the
     * merchant, provider and operation asked for and the outcome: the answer's error code, else the
     * class of its HTTP status (2xx). A replay counts the status class of the stored answer.
     */
    public void answered(Exchange ex) {
        if (!enabled) {
            return;
        }
        PaymentRequest request = RouteProperties.API_REQUEST.get(ex);
        PaymentResult answer = RouteProperties.ANSWER.get(ex);
        String merchant = known(RouteProperties.API_MERCHANT.get(ex));
        String provider = request == null || request.provider() == null ? UNKNOWN : request.provider();
        String operation = request != null && request.operation() != null ? request.operation().name()
                : answer != null && answer.operation() != null ? answer.operation().name() : UNKNOWN;
        String outcome = answer != null && answer.error() != null ? answer.error().code().name()
                : statusClass(ApiAnswer.status(ex));
        requests.computeIfAbsent(List.of(merchant, provider, operation, outcome), k -> Counter.builder("gateway.requests")
                .description("Answers of the payment API (HTTP and JMS)")
                .tag("merchant", merchant).tag("provider", provider).tag("operation", operation).tag("outcome", outcome)
                .register(registry)).increment();
    }

    /** Before a provider call (routes/payment-api.yaml, direct:provider-call): its start (also for its log line). */
    public void callStarted(Exchange ex) {
        RouteProperties.PROVIDER_CALL_STARTED.set(ex, System.nanoTime());
    }

    /**
     * After a provider call, whatever became of it: its latency by provider and operation, and
     * the error its result carries (a timeout, an unreachable provider, a refused answer, the
     * provider's own refusal) by its code.
     */
    public void callEnded(Exchange ex) {
        Long started = RouteProperties.PROVIDER_CALL_STARTED.get(ex);
        ProviderCall call = RouteProperties.PROVIDER_CALL.get(ex);
        if (!enabled || started == null || call == null) {
            return;
        }
        String provider = call.provider();
        String operation = call.operation().name();
        providerCalls.computeIfAbsent(List.of(provider, operation), k -> Timer.builder("gateway.provider.call")
                .description("Provider calls, from the request sent to the result mapped")
                .tag("provider", provider).tag("operation", operation)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(5)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        PaymentResult result = ex.getMessage().getBody(PaymentResult.class);
        if (result != null && result.error() != null) {
            String code = result.error().code().name();
            providerErrors.computeIfAbsent(List.of(provider, operation, code), k -> Counter.builder("gateway.provider.errors")
                    .description("Provider calls whose result is an error, by its code")
                    .tag("provider", provider).tag("operation", operation).tag("code", code)
                    .register(registry)).increment();
        }
    }

    /**
     * One merchant callback attempt: DELIVERED, HTTP_4XX / HTTP_5XX / HTTP_OTHER (the merchant's
     * answer), or ERROR (no answer); by the attempt's number (1 for the first).
     */
    public void callback(String outcome, int attempt) {
        if (!enabled) {
            return;
        }
        Counter.builder("gateway.callbacks").description("Merchant callback attempts")
                .tag("outcome", outcome).tag("attempt", Integer.toString(attempt))
                .register(registry).increment();
    }

    /**
     * The meters of the live configuration: reloads by outcome (both counted from zero, so an alert
     * on refused reloads has a series from the start) and the version in force.
     */
    public void liveConfig(java.util.function.IntSupplier version) {
        for (String outcome : java.util.List.of("applied", "refused")) {
            configReloads(outcome);
        }
        Gauge.builder("gateway.config.version", version, v -> v.getAsInt())
                .description("Version of the merchants configuration in force (1 at start, one more per applied reload)")
                .strongReference(true).register(registry);
    }

    /** One reload of merchants.yaml: {@code applied} or {@code refused}. */
    public void configReloaded(String outcome) {
        configReloads(outcome).increment();
    }

    private Counter configReloads(String outcome) {
        return Counter.builder("gateway.config.reloads").description("Reloads of merchants.yaml and the files it names")
                .tag("outcome", outcome).register(registry);
    }

    /** A gauge over a value that costs a query: read at most once per {@link #GAUGE_CACHE}. */
    public void cachedGauge(String name, String description, String baseUnit, LongSupplier value, String... tags) {
        Cached cached = new Cached(name, value);
        Gauge.builder(name, cached, Cached::value).strongReference(true).description(description).baseUnit(baseUnit).tags(tags)
                .register(registry);
    }

    private String known(String merchant) {
        return merchant != null && merchants.byId(merchant).isPresent() ? merchant : UNKNOWN;
    }

    static String statusClass(int status) {
        return status / 100 + "xx";
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** A value read again only when the last reading is older than {@link #GAUGE_CACHE}; NaN when it fails. */
    private static final class Cached {
        private final String name;
        private final LongSupplier source;
        private long readAt;
        private double value = Double.NaN;
        private boolean read;

        Cached(String name, LongSupplier source) {
            this.name = name;
            this.source = source;
        }

        synchronized double value() {
            long now = System.nanoTime();
            if (!read || now - readAt >= GAUGE_CACHE.toNanos()) {
                read = true;
                readAt = now;
                try {
                    value = source.getAsLong();
                } catch (RuntimeException e) {
                    // Logged, never thrown: a scrape must not fail because one gauge cannot be read.
                    LOG.warn("metric {} could not be read: {}", name, e.toString());
                    value = Double.NaN;
                }
            }
            return value;
        }
    }
}
