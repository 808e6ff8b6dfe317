package io.paygate.provider;

import io.paygate.canonical.Operation;
import io.paygate.canonical.PaymentRequest;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantProfile;
import io.paygate.route.RouteProperties;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * The one factory of {@link ProviderCall}s, used by the HTTP and JMS API, the reconciliation and
 * the notification confirm-by-query. It resolves the merchant's settings of the provider and the
 * HTTP timeouts: the merchant's own ({@code connectTimeout} / {@code readTimeout} in its provider
 * section), else {@code gateway.<provider>.connect-timeout} / {@code read-timeout}, else
 * {@code gateway.provider.*} (a provider module's own default yields to a shared value the
 * operator sets).
 */
public final class ProviderCalls {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProviderCall.class);
    private final Map<String, ProviderConnector> connectors;
    private final GatewaySettings settings;

    public ProviderCalls(Map<String, ProviderConnector> connectors, GatewaySettings settings) {
        this.connectors = Map.copyOf(connectors);
        this.settings = settings;
    }

    /** The installed providers' names. */
    public java.util.Set<String> providers() {
        return connectors.keySet();
    }

    public Optional<ProviderConnector> connector(String provider) {
        return Optional.ofNullable(connectors.get(provider));
    }

    /**
     * A call of {@code operation} for the request's provider.
     *
     * @throws IllegalArgumentException when the provider is not installed or the merchant has no
     *         settings for it (the API refuses such requests before)
     */
    public ProviderCall call(PaymentRequest request, MerchantProfile profile, Operation operation, OrderSnapshot order,
                             boolean orphaned) {
        String provider = request.provider() != null ? request.provider() : profile.provider();
        ProviderConnector connector = connectors.get(provider);
        MerchantProfile.Section section = profile.section(provider).orElse(null);
        if (connector == null || section == null) {
            throw new IllegalArgumentException("merchant " + profile.id() + " cannot call provider " + provider);
        }
        Duration connect = section.connectTimeout().orElseGet(() -> timeout(provider, "connect-timeout"));
        Duration read = section.readTimeout().orElseGet(() -> timeout(provider, "read-timeout"));
        return new ProviderCall(request.withProvider(provider), profile, section.settings(), connector, operation, order,
                orphaned, connect, read);
    }

    /**
     * A call made outside a running gateway (connector tests, benchmarks): the merchant's own
     * timeouts, else 5 s to connect and 20 s to read.
     */
    public static ProviderCall standalone(ProviderConnector connector, PaymentRequest request, MerchantProfile profile,
                                          Operation operation, OrderSnapshot order) {
        MerchantProfile.Section section = profile.section(connector.provider()).orElseThrow(() ->
                new IllegalArgumentException("merchant " + profile.id() + " has no " + connector.provider() + " settings"));
        return new ProviderCall(request, profile, section.settings(), connector, operation, order, false,
                section.connectTimeout().orElse(Duration.ofSeconds(5)), section.readTimeout().orElse(Duration.ofSeconds(20)));
    }

    /** The operator's per-provider value, else the operator's shared one, else the module's default, else the gateway's. */
    private Duration timeout(String provider, String what) {
        return settings.seconds(settings.whichOf("gateway." + provider + "." + what, "gateway.provider." + what));
    }

    /**
     * Puts the call on the exchange for its route: the property {@code providerCall}, the request as
     * body, and no message header at all. The caller's headers (its bearer token first) never reach
     * a provider, whatever a route file says: the routes' own removeHeaders steps are a second line.
     */
    public static void put(Exchange ex, ProviderCall call) {
        RouteProperties.PROVIDER_CALL.set(ex, call);
        io.paygate.route.LogContext.order(ex, call.profile().id(), call.request().orderId(), call.provider(),
                call.request().requestId());
        ex.getMessage().getHeaders().clear();
        ex.getMessage().setBody(call.request());
    }

    /**
     * After a provider call (routes/payment-api.yaml, direct:provider-call), whatever became of it:
     * one line with the provider, the operation, what the result says and how long it took.
     */
    public static void ended(Exchange ex) {
        ProviderCall call = RouteProperties.PROVIDER_CALL.get(ex);
        Long started = RouteProperties.PROVIDER_CALL_STARTED.get(ex);
        if (call == null) {
            return;
        }
        io.paygate.canonical.PaymentResult result = ex.getMessage().getBody(io.paygate.canonical.PaymentResult.class);
        String outcome = result == null ? "no result" : result.error() != null ? result.error().code().name()
                + (result.error().providerCode() == null ? "" : " (" + result.error().providerCode() + ")")
                : String.valueOf(result.status());
        LOG.info("{} {} call: {} in {} ms", call.provider(), call.operation(), outcome,
                started == null ? "?" : Long.toString((System.nanoTime() - started) / 1_000_000));
    }

    /** The call the exchange carries. */
    public static ProviderCall of(Exchange ex) {
        ProviderCall call = RouteProperties.PROVIDER_CALL.get(ex);
        if (call == null) {
            throw new IllegalStateException("no provider call on the exchange");
        }
        return call;
    }
}
