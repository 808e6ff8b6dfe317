package io.paygate.reconcile;

import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.route.RouteProperties;
import io.paygate.store.Ledger;
import io.paygate.store.ReconcileQueue;
import io.paygate.store.Transition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;

/**
 * A barcode payment the provider has not finished (USERPAYING, or UNKNOWN after a system error or
 * a timeout) keeps its POS request waiting: the payment-api route queries the order as the provider
 * asks ({@code gateway.micro.poll-delay} after the charge, then every {@code poll-interval}) until
 * the order is final or {@code gateway.micro.wait} has passed, and only then answers. The request
 * holds the order's reconciliation claim meanwhile, so the background sweep does not query it too;
 * when the wait ends unresolved, the sweep goes on from there (polling up to poll-limit, then
 * REVERSE).
 */
public final class MicroWait {
    /**
     * The wait of one barcode payment (exchange property {@code microWait}).
     *
     * @param payCall the PAY call, whose answer the POS gets when the wait ends unresolved
     */
    public record Wait(Instant started, String owner, ProviderCall payCall, PaymentResult payResult, Integer payStatus) {
    }

    private final ReconcileQueue queue;
    private final Ledger ledger;
    private final ReconcileTimings timings;
    private final Clock clock;

    public MicroWait(ReconcileQueue queue, Ledger ledger, ReconcileTimings timings, Clock clock) {
        this.queue = queue;
        this.ledger = ledger;
        this.timings = timings;
        this.clock = clock;
    }

    /** After the PAY: decides whether to wait; records the provider's interim answer. */
    public void begin(Exchange ex) {
        RouteProperties.MICRO_POLL.set(ex, false);
        ProviderCall call = ProviderCalls.of(ex);
        PaymentRequest r = call.request();
        PaymentResult result = ex.getMessage().getBody(PaymentResult.class);
        if (r == null || r.operation() != Operation.PAY || r.method() != PayMethod.MICRO) {
            return;
        }
        ReconcileTimings.ProviderTimings timings = this.timings.of(call.provider());
        if (result == null || !pending(result.status()) || timings.microWait().isZero()) {
            // No wait: the hold taken at creation ends; a sweep may look at the order from poll-delay on
            // (a final status, recorded next, makes it never due).
            queue.releaseOrder(r.merchant(), r.orderId(), ReconcileQueue.requestOwner(r.merchant(), r.requestId()),
                    clock.instant().plus(timings.pollDelay()), false);
            return;
        }
        Instant started = ex.getClock().getCreated() > 0 ? Instant.ofEpochMilli(ex.getClock().getCreated()) : clock.instant();
        String owner = ReconcileQueue.requestOwner(r.merchant(), r.requestId());
        // The request has held the order since it was created (PaymentApi); keep holding it for the wait.
        // Until the wait's last query has had all its time: that query may start just before the
        // wait ends and take the call's whole timeouts (the PAY may already have used up much of it).
        Instant waitEnds = started.plus(timings.microWait());
        Instant now = clock.instant();
        Instant holdUntil = (now.isAfter(waitEnds) ? now : waitEnds).plus(call.connectTimeout()).plus(call.readTimeout())
                .plusSeconds(30);
        if (!queue.renewOrder(r.merchant(), r.orderId(), owner, holdUntil)) {
            return;
        }
        RouteProperties.MICRO_WAIT.set(ex, new Wait(started, owner, call, result, RouteProperties.HTTP_STATUS.get(ex)));
        if (result.status() == PaymentStatus.USERPAYING) {
            ledger.apply(new Transition(r.merchant(), r.orderId(), PaymentStatus.USERPAYING, Source.RESPONSE,
                    result.providerTradeId(), null, null, null, null, null));
        }
        schedule(ex, timings, started, started.plus(timings.pollDelay()));
    }

    /** Before each poll: the next call is a QUERY of the order, answered normally. */
    public void query(Exchange ex) {
        ProviderCalls.put(ex, RouteProperties.MICRO_WAIT.get(ex).payCall().as(Operation.QUERY));
        RouteProperties.HTTP_STATUS.set(ex, 200);
    }

    /** After each poll: go on while the order is still paying and the wait allows another query. */
    public void polled(Exchange ex) {
        PaymentResult result = ex.getMessage().getBody(PaymentResult.class);
        Wait wait = RouteProperties.MICRO_WAIT.get(ex);
        Instant started = wait.started();
        ReconcileTimings.ProviderTimings timings = this.timings.of(wait.payCall().provider());
        if (result != null && !pending(result.status()) && result.status() != null) {
            // Resolved: the answer is recorded by PaymentApi.complete next. Until then the order
            // still looks open to a sweep, so the next look is put off; once final it is never due.
            finish(ex, clock.instant().plus(timings.pollInterval()), true);
            return;
        }
        schedule(ex, timings, started, clock.instant().plus(timings.pollInterval()));
    }

    private void schedule(Exchange ex, ReconcileTimings.ProviderTimings timings, Instant started, Instant next) {
        Instant deadline = started.plus(timings.microWait());
        Instant now = clock.instant();
        if (next.isAfter(deadline)) {
            // Unresolved within the wait: the sweep takes over at the next poll time.
            finish(ex, next);
            return;
        }
        RouteProperties.MICRO_POLL.set(ex, true);
        RouteProperties.MICRO_DELAY.set(ex, Math.max(0, Duration.between(now, next).toMillis()));
    }

    private void finish(Exchange ex, Instant nextCheck) {
        finish(ex, nextCheck, false);
    }

    private void finish(Exchange ex, Instant nextCheck, boolean resolved) {
        RouteProperties.MICRO_POLL.set(ex, false);
        Wait wait = RouteProperties.MICRO_WAIT.get(ex);
        if (wait == null) {
            return;
        }
        if (!resolved) {
            // Unresolved: the POS is answered with what the PAY said (its error and codes); the
            // order's status in the answer is the ledger's, as always.
            ProviderCalls.put(ex, wait.payCall());
            ex.getMessage().setBody(wait.payResult());
            RouteProperties.HTTP_STATUS.set(ex, wait.payStatus());
        }
        PaymentRequest r = wait.payCall().request();
        queue.releaseOrder(r.merchant(), r.orderId(), wait.owner(), nextCheck, false);
        RouteProperties.MICRO_WAIT.remove(ex);
    }

    static boolean pending(PaymentStatus s) {
        return s == PaymentStatus.USERPAYING || s == PaymentStatus.UNKNOWN;
    }
}
