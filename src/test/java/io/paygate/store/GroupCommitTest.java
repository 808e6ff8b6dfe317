package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group commit on the real store (H2, or PostgreSQL with -Ppostgres): concurrent units share a
 * commit, each caller gets its own result or failure, a batch's failure makes every unit run alone.
 * A first unit held open by the test makes the other callers queue, so that they form one batch.
 */
class GroupCommitTest {
    private static final int N = 8;

    @TempDir
    Path dir;

    private OpenStore store;
    private Database db;
    private ExecutorService pool;

    @BeforeEach
    void open() {
        store = OpenStore.at(dir, N + 4);
        db = store.db();
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE gc_row (k VARCHAR(8) PRIMARY KEY, v INT NOT NULL)");
            }
            return null;
        });
        pool = Executors.newFixedThreadPool(N + 1);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        store.close();
    }

    private static Integer insert(java.sql.Connection c, String k, int v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO gc_row (k, v) VALUES (?, ?)")) {
            ps.setString(1, k);
            ps.setInt(2, v);
            ps.executeUpdate();
        }
        return v;
    }

    private List<String> rows() {
        return db.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT k, v FROM gc_row ORDER BY k")) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "=" + rs.getInt(2));
                }
            }
            return out;
        });
    }

    private boolean visible(String k) {
        return rows().stream().anyMatch(r -> r.startsWith(k + "="));
    }

    /** Starts a unit that holds the group commit until {@code release}, then waits for it to be under way. */
    private Future<Integer> holdFirst(GroupCommit gc, CountDownLatch release) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Future<Integer> first = pool.submit(() -> gc.run("a0", c -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return insert(c, "a0", 0);
        }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    private static void awaitQueued(GroupCommit gc, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gc.queued() < n) {
            assertThat(System.nanoTime()).as("callers queued").isLessThan(until);
            Thread.sleep(5);
        }
    }

    @Test
    void concurrentUnitsShareOneCommitAndEachCallerGetsItsOwnResultOnceCommitted() throws Exception {
        GroupCommit gc = new GroupCommit(db);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = holdFirst(gc, release);
        List<Future<Integer>> others = new ArrayList<>();
        for (int i = 1; i < N; i++) {
            int v = i;
            String k = "k" + i;
            others.add(pool.submit(() -> {
                Integer r = gc.run(k, c -> insert(c, k, v * 10));
                // committed when run returns: another connection sees it
                assertThat(visible(k)).as(k + " visible when run returns").isTrue();
                return r;
            }));
        }
        awaitQueued(gc, N - 1);
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
        for (int i = 1; i < N; i++) {
            assertThat(others.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo(i * 10);
        }
        assertThat(rows()).hasSize(N);
        assertThat(gc.commits()).as("%d units, commits", N).isEqualTo(2);
        assertThat(gc.batchFailures()).isZero();
    }

    @Test
    void aUnitsOwnSqlFailureFailsOnlyItsCallerAndIsRolledBackToItsSavepoint() throws Exception {
        GroupCommit gc = new GroupCommit(db);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = holdFirst(gc, release);
        List<Future<Integer>> others = new ArrayList<>();
        for (int i = 1; i < N; i++) {
            int v = i;
            String k = "k" + i;
            others.add(pool.submit(() -> gc.run(k, c -> {
                insert(c, k, v);
                if (v == 3) {
                    insert(c, "far too long a key", v); // value too long for the column: SQLState 22001
                }
                return v;
            })));
        }
        awaitQueued(gc, N - 1);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        for (int i = 1; i < N; i++) {
            Future<Integer> f = others.get(i - 1);
            if (i == 3) {
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreRefusedException.class);
            } else {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
        }
        // k3's first insert went with its savepoint; everyone else's committed, in one shared commit
        assertThat(rows()).containsExactly("a0=0", "k1=1", "k2=2", "k4=4", "k5=5", "k6=6", "k7=7");
        assertThat(gc.commits()).isEqualTo(2);
        assertThat(gc.batchFailures()).isZero();
    }

    @Test
    void aUnitsExceptionWithoutSqlFailureFailsOnlyItsCaller() throws Exception {
        GroupCommit gc = new GroupCommit(db);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = holdFirst(gc, release);
        Future<Integer> good = pool.submit(() -> gc.run("k1", c -> insert(c, "k1", 1)));
        Future<Integer> bad = pool.submit(() -> gc.run("k2", c -> {
            insert(c, "k2", 2);
            throw new IllegalStateException("the unit's own bug");
        }));
        awaitQueued(gc, 2);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(good.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(rows()).containsExactly("a0=0", "k1=1");
        assertThat(gc.commits()).isEqualTo(2);
    }

    @Test
    void aBatchLevelFailureRollsTheBatchBackAndRunsEachUnitAlone() throws Exception {
        GroupCommit gc = new GroupCommit(db);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = holdFirst(gc, release);
        AtomicBoolean deadlockOnce = new AtomicBoolean(true);
        List<Future<Integer>> others = new ArrayList<>();
        for (int i = 1; i < N; i++) {
            int v = i;
            String k = "k" + i;
            others.add(pool.submit(() -> gc.run(k, c -> {
                insert(c, k, v);
                if (v == 5 && deadlockOnce.getAndSet(false)) {
                    // what the database says to a transaction it chose to abort in a deadlock
                    throw new SQLException("deadlock detected (injected)", "40P01");
                }
                return v;
            })));
        }
        awaitQueued(gc, N - 1);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        for (int i = 1; i < N; i++) {
            assertThat(others.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo(i);
        }
        // each key once (a second insert would have failed on the primary key): the batch was rolled back
        assertThat(rows()).containsExactly("a0=0", "k1=1", "k2=2", "k3=3", "k4=4", "k5=5", "k6=6", "k7=7");
        assertThat(gc.batchFailures()).isEqualTo(1);
        assertThat(gc.commits()).as("the first unit's, then one per unit run alone").isEqualTo(1 + (N - 1));
    }

    @Test
    void aUnitThatFailsAgainAloneFailsOnlyItsCaller() throws Exception {
        GroupCommit gc = new GroupCommit(db);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = holdFirst(gc, release);
        Future<Integer> good = pool.submit(() -> gc.run("k1", c -> insert(c, "k1", 1)));
        Future<Integer> bad = pool.submit(() -> gc.run("k2", c -> {
            insert(c, "k2", 2);
            throw new SQLException("lock timeout (injected)", "55P03");
        }));
        awaitQueued(gc, 2);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(good.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class);
        assertThat(rows()).containsExactly("a0=0", "k1=1");
        assertThat(gc.batchFailures()).isEqualTo(1);
    }

    @Test
    void aCallerAloneCommitsAtOnceAndGetsItsFailureAsFromATransaction() {
        GroupCommit gc = new GroupCommit(db);
        Integer one = gc.run("k1", c -> insert(c, "k1", 1));
        assertThat(one).isEqualTo(1);
        assertThatThrownBy(() -> gc.run("k2", c -> insert(c, "far too long a key", 2)))
                .isInstanceOf(StoreRefusedException.class);
        assertThat(rows()).containsExactly("k1=1");
        assertThat(gc.commits()).isEqualTo(1);
    }

    @Test
    void aBatchIsNoLargerThanItsLimit() throws Exception {
        GroupCommit gc = new GroupCommit(db, 3);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = holdFirst(gc, release);
        List<Future<Integer>> others = new ArrayList<>();
        for (int i = 1; i < N; i++) {
            int v = i;
            others.add(pool.submit(() -> gc.run("k" + v, c -> insert(c, "k" + v, v))));
        }
        awaitQueued(gc, N - 1);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        for (Future<Integer> f : others) {
            f.get(10, TimeUnit.SECONDS);
        }
        // 1 + ceil(7 / 3)
        assertThat(gc.commits()).isEqualTo(4);
        assertThat(rows()).hasSize(N);
    }
}
