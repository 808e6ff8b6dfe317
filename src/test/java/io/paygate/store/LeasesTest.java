package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeasesTest {
    @TempDir
    Path dir;

    private TestStore store;
    private Database db;
    private LedgerTest.MutableClock clock;
    private Leases leases;

    @BeforeEach
    void open() {
        store = TestStore.fresh(dir);
        db = store.open(4);
        clock = new LedgerTest.MutableClock(Instant.parse("2026-12-06T01:00:00Z"));
        leases = new Leases(db, clock);
    }

    @AfterEach
    void close() {
        db.close();
        store.close();
    }

    private Instant in(int seconds) {
        return clock.instant().plusSeconds(seconds);
    }

    @Test
    void oneHolderAtATimeUntilItGivesTheLeaseBack() {
        assertThat(leases.tryTake("k", "a", in(60))).isTrue();
        assertThat(leases.tryTake("k", "b", in(60))).isFalse();
        assertThat(leases.tryTake("other", "b", in(60))).as("another key is free").isTrue();
        leases.release("k", "b"); // not b's: nothing happens
        assertThat(leases.tryTake("k", "b", in(60))).isFalse();
        leases.release("k", "a");
        assertThat(leases.tryTake("k", "b", in(60))).isTrue();
    }

    @Test
    void aLeaseWhoseHolderDiedEndsAtItsTimeAndItsLateReleaseFreesNothing() {
        assertThat(leases.tryTake("k", "dead", in(30))).isTrue();
        clock.advance(Duration.ofSeconds(29));
        assertThat(leases.tryTake("k", "b", in(30))).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(leases.tryTake("k", "b", in(30))).isTrue();
        leases.release("k", "dead"); // came back late: the lease is b's now
        assertThat(leases.tryTake("k", "c", in(30))).isFalse();
    }

    @Test
    void itsHolderExtendsTheLease() {
        assertThat(leases.tryTake("k", "a", in(30))).isTrue();
        clock.advance(Duration.ofSeconds(20));
        assertThat(leases.tryTake("k", "a", in(30))).isTrue();
        clock.advance(Duration.ofSeconds(20));
        assertThat(leases.tryTake("k", "b", in(30))).as("extended to 50 s, now 40 s").isFalse();
        clock.advance(Duration.ofSeconds(10));
        assertThat(leases.tryTake("k", "b", in(30))).isTrue();
    }

    @Test
    void concurrentTakersGetItOnce() throws Exception {
        int takers = 8;
        java.util.concurrent.atomic.AtomicInteger won = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        Thread[] threads = new Thread[takers];
        for (int i = 0; i < takers; i++) {
            String holder = "t" + i;
            threads[i] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                if (leases.tryTake("race", holder, in(60))) {
                    won.incrementAndGet();
                }
            });
            threads[i].start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(won.get()).isEqualTo(1);
    }
}
