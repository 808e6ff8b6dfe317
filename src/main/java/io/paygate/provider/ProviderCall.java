package io.paygate.provider;

import io.paygate.canonical.Operation;
import io.paygate.canonical.PaymentRequest;
import io.paygate.config.MerchantProfile;
import io.paygate.config.ProviderSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One call to a provider, as one typed value: the canonical request, the merchant's profile and
 * its settings of this provider, the operation sent (a QUERY for a PAY interrupted by a crash),
 * what the ledger knows of the order, and the route that performs it. Made only by
 * {@link ProviderCalls} for the HTTP and JMS API, the reconciliation and the notification
 * confirm-by-query alike, and carried by the exchange property {@code providerCall}.
 *
 * <p>What a provider's route adds on the way (the app id it sent, the refunds Pooul had before) is
 * kept as typed notes, one per class, visible only to code that knows the class.
 */
public final class ProviderCall {
    private final PaymentRequest request;
    private final MerchantProfile profile;
    private final ProviderSettings settings;
    private final ProviderConnector connector;
    private final Operation operation;
    private final OrderSnapshot order;
    private final boolean orphaned;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final String route;
    private final Map<Class<?>, Object> notes = new ConcurrentHashMap<>();

    ProviderCall(PaymentRequest request, MerchantProfile profile, ProviderSettings settings, ProviderConnector connector,
                 Operation operation, OrderSnapshot order, boolean orphaned, Duration connectTimeout, Duration readTimeout) {
        this.request = request;
        this.profile = profile;
        this.settings = settings;
        this.connector = connector;
        this.operation = operation;
        this.order = order;
        this.orphaned = orphaned;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.route = connector.route(this);
    }

    /** The same call sent as another operation (a barcode PAY's follow-up QUERY), with no notes. */
    public ProviderCall as(Operation other) {
        return new ProviderCall(request, profile, settings, connector, other, order, orphaned, connectTimeout, readTimeout);
    }

    public PaymentRequest request() {
        return request;
    }

    public MerchantProfile profile() {
        return profile;
    }

    public String merchant() {
        return profile.id();
    }

    /** The provider's name (wechat, pooul, ystpay, ...). */
    public String provider() {
        return connector.provider();
    }

    public ProviderSettings settings() {
        return settings;
    }

    /** The merchant's settings of this provider, as the provider's own type. */
    public <T extends ProviderSettings> T settings(Class<T> type) {
        return type.cast(settings);
    }

    /** The operation sent to the provider (not always the request's: see the class comment). */
    public Operation operation() {
        return operation;
    }

    /** What the ledger knows of the order; empty for a new PAY or an order it does not hold. */
    public Optional<OrderSnapshot> order() {
        return Optional.ofNullable(order);
    }

    /** The request's first attempt died mid-call: the provider may have seen it. */
    public boolean orphaned() {
        return orphaned;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    /** The Camel endpoint that performs this call, e.g. {@code direct:wechat-micropay}, chosen by the connector. */
    public String route() {
        return route;
    }

    /** The merchant's base URL of this provider. */
    public String baseUrl() {
        return settings.baseUrl();
    }

    /**
     * The Camel endpoint of one operation: the connector's URL of {@code path} for this merchant,
     * with the call's timeouts, and never an exception for the provider's HTTP status (its answer
     * is checked by the verifying data format). Always with a query, so a route may append more
     * options with {@code &} (provider-operations.yaml adds {@code httpMethod=POST}).
     */
    public String endpoint(String path) {
        String url = connector.url(this, path);
        return url + (url.indexOf('?') < 0 ? "?" : "&") + "throwExceptionOnFailure=false"
                + "&connectTimeout=" + connectTimeout.toMillis() + "&connectionRequestTimeout=" + connectTimeout.toMillis()
                + "&responseTimeout=" + readTimeout.toMillis() + "&soTimeout=" + readTimeout.toMillis();
    }

    /** A note the provider's route left on this call. */
    public <T> Optional<T> note(Class<T> type) {
        return Optional.ofNullable(type.cast(notes.get(type)));
    }

    /** Leaves (or replaces) the note of the value's class. */
    public <T> void note(Class<? super T> type, T value) {
        notes.put(type, value);
    }

    @Override
    public String toString() {
        return "ProviderCall[" + provider() + " " + operation + " " + profile.id() + "/" + request.orderId() + "]";
    }
}
