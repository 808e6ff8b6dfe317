package io.paygate.provider.pooul;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.provider.CallRefused;
import io.paygate.provider.ProviderCall;
import io.paygate.route.RouteProperties;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ExchangeProperty;

/**
 * Bean {@code pooulRefundHolds}: serialises API v2 refunds of one order inside this JVM. A v2 REFUND
 * answers no refund id, so the gateway learns it from the refund query that follows, and only one
 * refund of the order may be between the two calls (routes/pooul.yaml, route pooul-v2-refund).
 * Striped permits (not locks: the route may release on another thread), hashed by merchant and
 * order, so the memory is fixed; two orders sharing a stripe merely wait for each other. A
 * clustered gateway needs the same hold across nodes (docs/decisions/0007-pooul.md).
 */
public final class RefundHolds {
    /** The stripe a call holds (a note on the call, from {@link #hold} to {@link #release}). */
    record Held(int stripe) {
    }

    private static final int STRIPES = 1024;
    private final Semaphore[] stripes = new Semaphore[STRIPES];
    private final Duration wait;

    /** @param wait how long a refund waits for another refund of the same order to finish */
    RefundHolds(Duration wait) {
        this.wait = wait;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Semaphore(1, true);
        }
    }

    /**
     * Holds the order's refund slot for the call; when another refund keeps it longer than the
     * wait, nothing is sent: {@link CallRefused} with a retryable error.
     */
    public void hold(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        int stripe = hold(r.merchant(), r.orderId());
        if (stripe < 0) {
            throw new CallRefused(PaymentError.of(ErrorCode.PROVIDER_ERROR,
                    "another refund of order " + r.orderId() + " is in progress; send this one again later", true));
        }
        call.note(Held.class, new Held(stripe));
    }

    /** Releases what the call holds, if anything (once). */
    public void release(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        call.note(Held.class).ifPresent(h -> {
            call.note(Held.class, new Held(-1));
            release(h.stripe());
        });
    }

    /** The held stripe, or -1 when another refund of the order kept it for longer than the wait. */
    int hold(String merchant, String orderId) {
        int stripe = Math.floorMod((merchant + '\u0000' + orderId).hashCode(), STRIPES);
        try {
            return stripes[stripe].tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS) ? stripe : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    void release(int stripe) {
        if (stripe >= 0) {
            stripes[stripe].release();
        }
    }
}
