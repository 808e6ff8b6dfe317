package io.paygate.sandbox.wechat;

import io.paygate.sandbox.wechat.SimRefund.RefundStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries refunds from PROCESSING to their final state, as WeChat's back office does: on its own
 * after the refund delay, or when the sandbox user says so; then sends the refund notification
 * to the refund's notify_url, re-sending until the merchant acknowledges it.
 */
final class SimRefundSettlement implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SimRefundSettlement.class);
    /** Waits before re-sends: WeChat's 15/15/30/180/1800 s and on, shortened for a sandbox. */
    static final List<Duration> RESEND_AFTER = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(60));

    private final SimOrderStore store;
    private final SimNotifier notifier;
    private final SimIdentifiers identifiers;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "sandbox-wechat-refunds");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Duration delay;

    SimRefundSettlement(SimOrderStore store, SimNotifier notifier, SimIdentifiers identifiers, Duration delay) {
        this.store = store;
        this.notifier = notifier;
        this.identifiers = identifiers;
        this.delay = Objects.requireNonNull(delay, "delay");
    }

    /** Zero: refunds succeed before the refund call is answered; negative: only the sandbox user finishes them. */
    void delay(Duration newDelay) {
        delay = Objects.requireNonNull(newDelay, "delay");
    }

    Duration delay() {
        return delay;
    }

    /** Refunds left PROCESSING by an earlier run go on as if just accepted. */
    void resume() {
        store.processingRefunds().forEach(this::accepted);
    }

    /** A new refund: finish it now, later, or leave it to the sandbox user, by the refund delay. */
    void accepted(SimRefund refund) {
        Duration current = delay;
        if (current.isZero()) {
            finish(refund, RefundStatus.SUCCESS);
        } else if (!current.isNegative()) {
            timer.schedule(() -> finishIfProcessing(refund), current.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Moves the refund to {@code status} (a final one); the first time it gets there, its
     * notification goes out in the background.
     *
     * @throws SimOrder.StateConflict when the refund already has another final state
     */
    SimRefund finish(SimRefund refund, RefundStatus status) {
        SimRefund before = store.findRefund(refund.mchId(), refund.outRefundNo()).orElse(refund);
        SimRefund after = store.finishRefund(refund, status, identifiers.refundTime());
        if (!before.refundStatus().isFinal() && after.notifyUrl() != null) {
            timer.execute(() -> deliver(after, 0));
        }
        return after;
    }

    /** Sends the refund's notification once, now, and records the attempt (for the control API). */
    SimNotifier.Delivery notifyNow(SimRefund refund) {
        SimNotifier.Delivery delivery = notifier.refundNotification(refund);
        store.updateRefund(refund, current -> current.notified(delivery.summary()));
        return delivery;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private void finishIfProcessing(SimRefund refund) {
        try {
            SimRefund current = store.findRefund(refund.mchId(), refund.outRefundNo()).orElse(null);
            if (current != null && current.refundStatus() == RefundStatus.PROCESSING) {
                finish(current, RefundStatus.SUCCESS);
            }
        } catch (RuntimeException e) {
            LOG.warn("sandbox WeChat: refund {} could not be finished", refund.outRefundNo(), e);
        }
    }

    private void deliver(SimRefund refund, int attempt) {
        try {
            SimNotifier.Delivery delivery = notifyNow(refund);
            if (delivery.acknowledged()) {
                return;
            }
            if (attempt < RESEND_AFTER.size()) {
                timer.schedule(() -> deliver(refund, attempt + 1), RESEND_AFTER.get(attempt).toMillis(), TimeUnit.MILLISECONDS);
            } else {
                LOG.info("sandbox WeChat: refund notification for {} not acknowledged after {} attempts",
                        refund.outRefundNo(), attempt + 1);
            }
        } catch (RuntimeException e) {
            LOG.warn("sandbox WeChat: refund notification for {} failed", refund.outRefundNo(), e);
        }
    }
}
