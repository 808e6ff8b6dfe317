package io.paygate.provider.pooul.store;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.provider.CallRefused;
import io.paygate.provider.ProviderCall;
import io.paygate.route.RouteProperties;
import io.paygate.store.Leases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.camel.ExchangeProperty;

/**
 * Bean {@code pooulRefundHolds}: API v2 refunds of one order run one at a time across every gateway
 * on the store. A v2 REFUND answers no refund id, so the gateway learns it from the refund query
 * that follows, and only one refund of the order may be between the two calls (routes/pooul.yaml,
 * route pooul-v2-refund). The hold is a lease in the store ({@link Leases}) for as long as the three
 * calls may take; a gateway that dies holding it frees it at that time.
 */
public final class RefundHolds {
    /** The lease a call holds (a note on the call, from {@link #hold} to {@link #release}). */
    record Held(String key, String holder) {
    }

    private static final long POLL_MILLIS = 50;
    private final Leases leases;
    private final Clock clock;
    private final Duration wait;

    /** @param wait how long a refund waits for another refund of the same order to finish */
    public RefundHolds(Leases leases, Clock clock, Duration wait) {
        this.leases = leases;
        this.clock = clock;
        this.wait = wait;
    }

    /**
     * Holds the order's refund slot for the call; when another refund keeps it longer than the
     * wait, nothing is sent: {@link CallRefused} with a retryable error.
     */
    public void hold(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        String key = "pooul-v2-refund:" + r.merchant() + ':' + r.orderId();
        String holder = UUID.randomUUID().toString();
        // The refund ids before, the refund, the refund ids after: three calls, each within its timeouts.
        Duration lease = call.connectTimeout().plus(call.readTimeout()).multipliedBy(3).plusSeconds(5);
        long deadline = System.nanoTime() + wait.toNanos();
        while (!leases.tryTake(key, holder, clock.instant().plus(lease))) {
            if (System.nanoTime() >= deadline) {
                throw new CallRefused(PaymentError.of(ErrorCode.PROVIDER_ERROR,
                        "another refund of order " + r.orderId() + " is in progress; send this one again later", true));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallRefused(PaymentError.of(ErrorCode.PROVIDER_ERROR,
                        "the gateway is stopping; send refund of order " + r.orderId() + " again later", true));
            }
        }
        call.note(Held.class, new Held(key, holder));
    }

    /** Releases what the call holds, if anything (once). */
    public void release(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        call.note(Held.class).filter(h -> h.key() != null).ifPresent(h -> {
            call.note(Held.class, new Held(null, null));
            leases.release(h.key(), h.holder());
        });
    }
}
