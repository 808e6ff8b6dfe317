package io.paygate.provider.pooul;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Serialises API v2 refunds of one order inside this JVM: a v2 REFUND answers no refund id, so the
 * gateway learns it from the refund query that follows, and only one refund of the order may be
 * between the two calls. Striped permits (not locks: the route may release on another thread),
 * hashed by merchant and order, so the memory is fixed; two orders sharing a stripe merely wait for
 * each other. A clustered gateway needs the same hold across nodes (docs/decisions/0007-pooul.md).
 */
final class RefundHolds {
    private static final int STRIPES = 1024;
    private final Semaphore[] stripes = new Semaphore[STRIPES];
    private final Duration wait;

    RefundHolds(Duration wait) {
        this.wait = wait;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Semaphore(1, true);
        }
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
