package io.paygate.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs concurrent callers' units of work with a shared commit. {@link #run} returns only once its
 * unit is committed, with that unit's own result (or throws that unit's own failure), as
 * {@link Database#inTransaction} does; but the units of the callers that arrive while a commit is
 * under way are run together in the next transaction, each inside its own savepoint, and committed
 * once.
 *
 * <p>No thread of its own (leader/follower, as io.paygate.delivery.AttemptLog): the first caller
 * that finds no batch under way runs everything waiting, up to {@link #MAX_BATCH} units, the others
 * wait for it. Alone, a caller runs its unit at once in a transaction of its own, with no wait.
 *
 * <p>Failures:
 * <ul>
 * <li>A unit that fails on its own (an SQL refusal, class 22/23/42/44, or an exception of its code
 *     with no SQL failure under it) is rolled back to its savepoint; only its caller gets the failure
 *     (a {@link StoreRefusedException}, or the exception itself) and the other units commit.</li>
 * <li>Anything else — a deadlock, a lock or statement timeout, a lost connection, a failed commit —
 *     is a failure of the batch: it is rolled back, and every caller of the batch then runs its unit
 *     alone, on its own thread, in a transaction of its own ({@link Database#inTransaction}), so that
 *     the group commit degrades to one commit per unit and no caller fails because of another's
 *     unit. A unit must therefore be safe to run again after a rollback, and after a commit whose
 *     outcome was lost (the notification intake's units are: a repeat finds the order already
 *     moved).</li>
 * </ul>
 *
 * <p>Within a batch the units run in the order of their keys (then of arrival), so that two batches
 * (two gateways on one PostgreSQL) lock the rows their keys name in the same order. A unit sees the
 * changes of the units before it in its batch. Each waiting caller's MDC is in force while its unit
 * runs on the leader's thread.
 */
public final class GroupCommit {
    /**
     * At most this many units in one transaction: on PostgreSQL each unit that writes is a
     * subtransaction with an id of its own, and a backend caches the ids of at most 64 (beyond that
     * every other session's snapshot checks get slower).
     */
    public static final int MAX_BATCH = 64;
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private final Database db;
    private final int maxBatch;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Pending<?>> waiting = new ArrayDeque<>();
    private boolean writing;
    private final LongAdder commits = new LongAdder();
    private final LongAdder batchFailures = new LongAdder();

    public GroupCommit(Database db) {
        this(db, MAX_BATCH);
    }

    GroupCommit(Database db, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch " + maxBatch);
        }
        this.db = db;
        this.maxBatch = maxBatch;
    }

    private static final class Pending<T> {
        final String key;
        final Database.Work<T> work;
        final Map<String, String> mdc = MDC.getCopyOfContextMap();
        boolean done;
        boolean alone;
        T result;
        RuntimeException failure;

        Pending(String key, Database.Work<T> work) {
            this.key = key;
            this.work = work;
        }
    }

    private static final Comparator<Pending<?>> BY_KEY = Comparator.comparing(p -> p.key,
            Comparator.nullsLast(Comparator.naturalOrder()));

    /**
     * Runs the unit in a transaction shared with the concurrent callers'; returns its result once
     * that transaction is committed, throws when the unit failed or its transaction could not be
     * committed (nothing of the unit is then stored). {@code key} (may be null) orders the units of
     * a batch: the row the unit locks first, e.g. merchant and order id.
     */
    public <T> T run(String key, Database.Work<T> work) {
        Pending<T> mine = new Pending<>(key, work);
        lock.lock();
        try {
            waiting.add(mine);
            while (!mine.done) {
                if (writing) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                writing = true;
                List<Pending<?>> batch = new ArrayList<>();
                while (!waiting.isEmpty() && batch.size() < maxBatch) {
                    batch.add(waiting.poll());
                }
                lock.unlock();
                try {
                    write(batch);
                } finally {
                    lock.lock();
                    for (Pending<?> p : batch) {
                        p.done = true;
                    }
                    writing = false;
                    changed.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
        if (mine.alone) {
            // The batch failed as a whole: this unit on its own, as without the group commit.
            T result = db.inTransaction(work);
            commits.increment();
            return result;
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.result;
    }

    /** Transactions committed so far: shared ones and units run alone (for the metrics). */
    public long commits() {
        return commits.sum();
    }

    /** Batches that failed as a whole, whose units then ran alone. */
    public long batchFailures() {
        return batchFailures.sum();
    }

    /** Callers waiting for the next batch (tests). */
    int queued() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    private void write(List<Pending<?>> batch) {
        if (batch.size() == 1) {
            // Nobody to share with: the unit's own transaction, its failure its caller's.
            runOne(batch.get(0));
            return;
        }
        batch.sort(BY_KEY);
        Map<String, String> leaderMdc = MDC.getCopyOfContextMap();
        boolean committed = false;
        Throwable failure = null;
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Pending<?> p : batch) {
                    inSavepoint(c, p);
                }
                c.commit();
                committed = true;
                commits.increment();
            } catch (SQLException | RuntimeException | Error e) {
                failure = e;
                try {
                    c.rollback();
                } catch (SQLException | RuntimeException ignored) {
                    // the connection is gone: nothing of the batch was committed
                }
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException | RuntimeException ignored) {
                    // a broken connection: the pool drops it
                }
            }
        } catch (SQLException | RuntimeException e) {
            // no connection (or closing it failed): committed says whether the batch is stored
            failure = failure == null ? e : failure;
        } finally {
            setMdc(leaderMdc);
        }
        if (!committed) {
            LOG.warn("a shared commit of {} units failed, each runs alone: {}", batch.size(), failure);
            batchFailures.increment();
            for (Pending<?> p : batch) {
                p.alone = true;
                p.result = null;
                p.failure = null;
            }
        }
    }

    private <T> void runOne(Pending<T> p) {
        try {
            p.result = db.inTransaction(p.work);
            commits.increment();
        } catch (RuntimeException e) {
            p.failure = e;
        } catch (Error e) {
            p.failure = new IllegalStateException("unit of work failed", e);
        }
    }

    /**
     * One unit in its savepoint. Its own failure is rolled back to the savepoint and kept for its
     * caller; any other failure is thrown, and fails the batch.
     */
    private static <T> void inSavepoint(Connection c, Pending<T> p) throws SQLException {
        setMdc(p.mdc);
        Savepoint sp = c.setSavepoint();
        try {
            p.result = p.work.run(c);
        } catch (SQLException e) {
            if (!StoreRefusedException.refusal(e)) {
                throw e;
            }
            c.rollback(sp);
            p.failure = new StoreRefusedException(e);
            return;
        } catch (RuntimeException e) {
            SQLException cause = sqlCause(e);
            if (cause != null && !StoreRefusedException.refusal(cause)) {
                throw e;
            }
            c.rollback(sp);
            p.failure = e;
            return;
        }
        c.releaseSavepoint(sp);
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    private static void setMdc(Map<String, String> context) {
        if (context == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
    }
}
