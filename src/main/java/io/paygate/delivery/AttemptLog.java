package io.paygate.delivery;

import io.paygate.store.Ledger;
import io.paygate.store.Ledger.DeliveryAttempt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records callback attempts with a group commit: {@link #record} returns only once its attempt is
 * committed (so the delivery's JMS transaction still commits after it), but the attempts of the
 * concurrent callback consumers that arrive while a commit is under way are written together in the
 * next one, in one ledger transaction, instead of one commit each. No thread of its own: the first
 * caller that finds no commit under way writes everything waiting, the others wait for it. A
 * failed commit fails every caller of that batch (each one's delivery rolls back and is repeated).
 */
public final class AttemptLog {
    /** At most this many attempts in one transaction. */
    static final int MAX_BATCH = 256;

    private final Ledger ledger;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean writing;

    public AttemptLog(Ledger ledger) {
        this.ledger = ledger;
    }

    private static final class Pending {
        final DeliveryAttempt attempt;
        boolean done;
        RuntimeException failure;

        Pending(DeliveryAttempt attempt) {
            this.attempt = attempt;
        }
    }

    /** Stores the attempt; returns once it is committed, throws when its transaction failed. */
    public void record(DeliveryAttempt attempt) {
        Pending mine = new Pending(attempt);
        lock.lock();
        try {
            waiting.add(mine);
            while (!mine.done) {
                if (writing) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                writing = true;
                List<Pending> batch = new ArrayList<>();
                while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
                    batch.add(waiting.poll());
                }
                lock.unlock();
                RuntimeException failure = null;
                try {
                    ledger.recordDeliveries(batch.stream().map(p -> p.attempt).toList());
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Error e) {
                    failure = new IllegalStateException("delivery attempts not recorded", e);
                } finally {
                    lock.lock();
                    for (Pending p : batch) {
                        p.failure = failure;
                        p.done = true;
                    }
                    writing = false;
                    changed.signalAll();
                }
            }
            if (mine.failure != null) {
                throw mine.failure;
            }
        } finally {
            lock.unlock();
        }
    }
}
