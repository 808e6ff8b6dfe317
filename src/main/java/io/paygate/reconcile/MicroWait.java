package io.paygate.reconcile;

import io.paygate.api.ApiAnswer;
import io.paygate.api.Keys;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
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
    public static final String POLL = "microPoll";
    public static final String DELAY = "microDelay";
    private static final String STARTED = "microStarted";
    private static final String OWNER = "microOwner";
    private static final String PAY_RESULT = "microPayResult";
    private static final String PAY_STATUS = "microPayHttpStatus";

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
        ex.setProperty(POLL, false);
        PaymentRequest r = ex.getProperty(Keys.REQUEST, PaymentRequest.class);
        PaymentResult result = ex.getMessage().getBody(PaymentResult.class);
        if (r == null || r.operation() != Operation.PAY || r.method() != PayMethod.MICRO) {
            return;
        }
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
        if (!queue.renewOrder(r.merchant(), r.orderId(), owner, started.plus(timings.microWait()).plusSeconds(30))) {
            return;
        }
        ex.setProperty(STARTED, started);
        ex.setProperty(OWNER, owner);
        ex.setProperty(PAY_RESULT, result);
        ex.setProperty(PAY_STATUS, ex.getProperty(ApiAnswer.STATUS));
        if (result.status() == PaymentStatus.USERPAYING) {
            ledger.apply(new Transition(r.merchant(), r.orderId(), PaymentStatus.USERPAYING, Source.RESPONSE,
                    result.providerTradeId(), null, null, null, null, null));
        }
        schedule(ex, started, started.plus(timings.pollDelay()));
    }

    /** Before each poll: the next call is a QUERY of the order, answered normally. */
    public void query(Exchange ex) {
        ex.setProperty(Keys.PROVIDER_OPERATION, Operation.QUERY.name());
        ex.setProperty(ApiAnswer.STATUS, 200);
        ex.getMessage().setBody(ex.getProperty(Keys.REQUEST));
    }

    /** After each poll: go on while the order is still paying and the wait allows another query. */
    public void polled(Exchange ex) {
        PaymentResult result = ex.getMessage().getBody(PaymentResult.class);
        Instant started = ex.getProperty(STARTED, Instant.class);
        if (result != null && !pending(result.status()) && result.status() != null) {
            // Resolved: the answer is recorded by PaymentApi.complete next. Until then the order
            // still looks open to a sweep, so the next look is put off; once final it is never due.
            finish(ex, clock.instant().plus(timings.pollInterval()), true);
            return;
        }
        schedule(ex, started, clock.instant().plus(timings.pollInterval()));
    }

    private void schedule(Exchange ex, Instant started, Instant next) {
        Instant deadline = started.plus(timings.microWait());
        Instant now = clock.instant();
        if (next.isAfter(deadline)) {
            // Unresolved within the wait: the sweep takes over at the next poll time.
            finish(ex, next);
            return;
        }
        ex.setProperty(POLL, true);
        ex.setProperty(DELAY, Math.max(0, Duration.between(now, next).toMillis()));
    }

    private void finish(Exchange ex, Instant nextCheck) {
        finish(ex, nextCheck, false);
    }

    private void finish(Exchange ex, Instant nextCheck, boolean resolved) {
        ex.setProperty(POLL, false);
        if (!resolved && ex.getProperty(PAY_RESULT) != null) {
            // Unresolved: the POS is answered with what the PAY said (its error and codes); the
            // order's status in the answer is the ledger's, as always.
            ex.getMessage().setBody(ex.getProperty(PAY_RESULT));
            ex.setProperty(Keys.PROVIDER_OPERATION, Operation.PAY.name());
            ex.setProperty(ApiAnswer.STATUS, ex.getProperty(PAY_STATUS));
        }
        PaymentRequest r = ex.getProperty(Keys.REQUEST, PaymentRequest.class);
        String owner = ex.getProperty(OWNER, String.class);
        if (owner != null) {
            queue.releaseOrder(r.merchant(), r.orderId(), owner, nextCheck, false);
            ex.removeProperty(OWNER);
        }
    }

    static boolean pending(PaymentStatus s) {
        return s == PaymentStatus.USERPAYING || s == PaymentStatus.UNKNOWN;
    }
}
