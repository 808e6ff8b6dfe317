package io.paygate.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

/**
 * The embedded H2 ledger's commits written to its file before {@link Database#inTransaction} returns,
 * one write for all the commits that are waiting at the time (group commit).
 *
 * <p>With {@code WRITE_DELAY=0} H2 writes its whole store at the end of every transaction, and a
 * transaction that ends while another one writes queues up behind it and writes again, however
 * little is left: under concurrent load every commit pays one write, each serialising every changed
 * page of every table and index it touched (most of the ledger's CPU under PAY load, see
 * docs/benchmarks.md). Here H2 writes in the background only ({@link Database#embeddedUrl} sets a
 * {@code WRITE_DELAY} of a second), and each committed transaction waits for a write that started
 * after its commit: the first to wait writes ({@link MVStore#commit()}: everything committed so
 * far, to the file, as {@code WRITE_DELAY=0} did), and those that commit meanwhile wait for that
 * write to end. Then every one of them wakes at once: those whose commit it took go on, and one of
 * the others writes for all of them. So a transaction's caller
 * still goes on only once its commit is in the file, and survives kill -9 from then on; like
 * before, there is no fsync (an operating-system crash or a power loss may lose the last commits).
 *
 * <p>A transaction that changed nothing does not wait (as before, a reader may see a commit whose
 * write is still under way; its writer goes on only once it is written). A store that is not an
 * embedded H2 file (a server, an in-memory database) or whose URL sets {@code WRITE_DELAY=0} (H2
 * then writes at every commit itself) is left alone.
 */
final class H2GroupWrite {
    /** Taken by each transaction after its commit, in order. */
    private final AtomicLong committed = new AtomicLong();
    /** Guards {@link #written} and {@link #writerActive}; the waiters' monitor. */
    private final Object turn = new Object();
    /** Every ticket up to this one is in the file. */
    private long written;
    /** A transaction is writing the store now. */
    private boolean writerActive;
    private final AtomicLong writes = new AtomicLong();

    /** Whether the transaction open on {@code c} changed anything: to be asked before its commit. */
    boolean changes(Connection c) throws SQLException {
        SessionLocal session = session(c);
        return session != null && session.hasPendingTransaction();
    }

    /**
     * Returns once everything committed on {@code c}'s store so far, the commit just made on it
     * included, is in the file (see the class comment).
     */
    void write(Connection c) throws SQLException {
        MVStore store = fileStore(session(c));
        if (store == null) {
            return;
        }
        long ticket = committed.incrementAndGet();
        // A commit's wait is not cut short by an interrupt: H2 itself would stop waiting for its write
        // (it swallows the InterruptedException), and the caller would go on before its commit is in
        // the file. The flag is cleared for the wait and the write, and set again when this returns.
        boolean interrupted = Thread.interrupted();
        try {
            synchronized (turn) {
                // Wait while another transaction writes, until a write has taken this commit or none
                // is under way. Every waiter wakes when a write ends: those it took go on at once, side
                // by side, and one of the others writes next (with a lock they would take turns for
                // the lock just to learn that they are done, the next write waiting behind them).
                while (written < ticket && writerActive) {
                    try {
                        turn.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (written >= ticket) {
                    return; // a write that started after this commit has finished
                }
                writerActive = true;
            }
            long upTo = committed.get(); // each of these committed before this write starts
            boolean done = false;
            try {
                interrupted |= writeStore(store);
                writes.incrementAndGet();
                done = true;
            } catch (RuntimeException e) { // H2's MVStoreException: the store is closed or failed to write
                throw new SQLException("the commit could not be written to the ledger file: " + e.getMessage(), e);
            } finally {
                synchronized (turn) {
                    writerActive = false;
                    if (done) {
                        written = upTo;
                    }
                    turn.notifyAll();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes everything committed so far to the file and returns once it is there; true when an
     * interrupt cut one of H2's waits short on the way (and the wait was made again).
     */
    private static boolean writeStore(MVStore store) {
        // H2's background writer (and a large transaction's early write) hands its writes to H2's
        // serialisation and save threads without waiting for them. commit() queues its own write
        // behind those and waits for it, so theirs are done when it returns. Should it find nothing
        // left to write (not seen: each write leaves H2's own bookkeeping to write next), wait for
        // those threads explicitly.
        long version = store.commit();
        if (version < 0) {
            store.executeFilestoreOperation(() -> { });
            return false;
        }
        // H2 stops waiting when the thread is interrupted meanwhile (and clears the flag): then
        // its write is still under way, and this waits for H2's threads again until the write's
        // chunk is in the file.
        boolean cutShort = false;
        for (int waits = 0; store.getFileStore().lastChunkVersion() < version; waits++) {
            if (waits == 1000) {
                throw new IllegalStateException("version " + version + " of the ledger was not written");
            }
            cutShort = true;
            Thread.interrupted();
            store.executeFilestoreOperation(() -> { });
        }
        return cutShort;
    }

    /** How many writes this has made (for tests: fewer than the commits under concurrent load). */
    long writes() {
        return writes.get();
    }

    /** How many commits have waited for a write (each commit of a transaction that changed something). */
    long commits() {
        return committed.get();
    }

    /** The embedded H2 session under {@code c}, else null. */
    private static SessionLocal session(Connection c) throws SQLException {
        return c.isWrapperFor(JdbcConnection.class) && c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session
                ? session : null;
    }

    /** The MVStore of an embedded H2 file that does not write at every commit itself, else null. */
    private static MVStore fileStore(SessionLocal session) {
        if (session == null) {
            return null;
        }
        org.h2.mvstore.db.Store store = session.getDatabase().getStore();
        MVStore mv = store == null ? null : store.getMvStore();
        return mv == null || mv.getFileStore() == null || mv.getAutoCommitDelay() == 0 ? null : mv;
    }
}
