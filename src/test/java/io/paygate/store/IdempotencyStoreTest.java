package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.store.IdempotencyStore.Claim;
import io.paygate.store.IdempotencyStore.Kind;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdempotencyStoreTest {
    private static final String M = "acme";
    private static final String HASH = "a".repeat(64);
    private static final String OTHER_HASH = "b".repeat(64);

    @TempDir
    Path dir;

    private TestStore store;
    private Database db;
    private IdempotencyStore first;

    @BeforeEach
    void open() {
        store = TestStore.fresh(dir);
        db = store.open(8);
        // process-1 last beat ten minutes ago: it is the process that died.
        first = new IdempotencyStore(db, Clock.offset(Clock.systemUTC(), java.time.Duration.ofMinutes(-10)), "process-1");
    }

    @AfterEach
    void close() {
        db.close();
        store.close();
    }

    @Test
    void firstClaimIsNew() {
        Claim c = first.claim(M, "r1", HASH);
        assertThat(c.kind()).isEqualTo(Kind.NEW);
        assertThat(c.httpStatus()).isNull();
        assertThat(c.body()).isNull();
        assertThat(first.ownerOf(M, "r1")).contains("process-1");
    }

    @Test
    void completedRequestReplaysStatusAndBody() {
        first.claim(M, "r1", HASH);
        String body = "{\"requestId\":\"r1\",\"status\":\"NOTPAY\"}";
        first.complete(M, "r1", 200, body);

        Claim replay = first.claim(M, "r1", HASH);
        assertThat(replay.kind()).isEqualTo(Kind.REPLAY);
        assertThat(replay.httpStatus()).isEqualTo(200);
        assertThat(replay.body()).isEqualTo(body);

        // also for another process (after a restart)
        Claim elsewhere = new IdempotencyStore(db, Clock.systemUTC(), "process-2").claim(M, "r1", HASH);
        assertThat(elsewhere.kind()).isEqualTo(Kind.REPLAY);
        assertThat(elsewhere.httpStatus()).isEqualTo(200);
        assertThat(elsewhere.body()).isEqualTo(body);
    }

    @Test
    void replayKeepsAnErrorStatus() {
        first.claim(M, "r1", HASH);
        first.complete(M, "r1", 504, "{\"error\":{\"code\":\"TIMEOUT\"}}");
        Claim replay = first.claim(M, "r1", HASH);
        assertThat(replay.kind()).isEqualTo(Kind.REPLAY);
        assertThat(replay.httpStatus()).isEqualTo(504);
        assertThat(replay.body()).isEqualTo("{\"error\":{\"code\":\"TIMEOUT\"}}");
    }

    @Test
    void otherContentUnderTheSameKeyConflicts() {
        first.claim(M, "r1", HASH);
        assertThat(first.claim(M, "r1", OTHER_HASH).kind()).isEqualTo(Kind.CONFLICT);
        first.complete(M, "r1", 200, "{}");
        assertThat(first.claim(M, "r1", OTHER_HASH).kind()).isEqualTo(Kind.CONFLICT);
        assertThat(first.recheck(M, "r1", OTHER_HASH).kind()).isEqualTo(Kind.CONFLICT);
    }

    @Test
    void keysAreScopedByMerchant() {
        first.claim(M, "r1", HASH);
        assertThat(first.claim("other", "r1", OTHER_HASH).kind()).isEqualTo(Kind.NEW);
    }

    @Test
    void copyWhileTheFirstIsRunningIsInFlightThenReplays() {
        first.claim(M, "r1", HASH);
        assertThat(first.claim(M, "r1", HASH).kind()).isEqualTo(Kind.IN_FLIGHT);
        assertThat(first.recheck(M, "r1", HASH).kind()).isEqualTo(Kind.IN_FLIGHT);
        first.complete(M, "r1", 200, "{\"status\":\"SUCCESS\"}");
        Claim after = first.recheck(M, "r1", HASH);
        assertThat(after.kind()).isEqualTo(Kind.REPLAY);
        assertThat(after.body()).isEqualTo("{\"status\":\"SUCCESS\"}");
    }

    /**
     * A request of this process claimed the key and failed without an answer (the store went away
     * before it could complete the record). Its copy, sent again once no request of this process
     * works on the key ({@code begin}), takes the record over instead of waiting for an answer that
     * will never come; while the first still works on it, the copy waits (IN_FLIGHT).
     */
    @Test
    void ownRecordLeftInProgressByAFailedRequestIsTakenOverOnceNoRequestWorksOnIt() {
        IdempotencyStore live = new IdempotencyStore(db, Clock.systemUTC(), "process-live");
        assertThat(live.begin(M, "r1")).isTrue();
        assertThat(live.claim(M, "r1", HASH, true).kind()).isEqualTo(Kind.NEW);
        // the copy arrives while the first request still works on the key
        assertThat(live.begin(M, "r1")).isFalse();
        assertThat(live.claim(M, "r1", HASH, false).kind()).isEqualTo(Kind.IN_FLIGHT);
        assertThat(live.recheck(M, "r1", HASH, false).kind()).isEqualTo(Kind.IN_FLIGHT);
        // the first request ends without completing the record (it failed)
        live.end(M, "r1");
        assertThat(live.begin(M, "r1")).isTrue();
        assertThat(live.recheck(M, "r1", HASH, true).kind()).isEqualTo(Kind.ORPHANED);
        assertThat(live.ownerOf(M, "r1")).contains("process-live");
        // other content is still a conflict, and a completed record replays
        assertThat(live.claim(M, "r1", OTHER_HASH, true).kind()).isEqualTo(Kind.CONFLICT);
        live.complete(M, "r1", 200, "{\"status\":\"NOTPAY\"}");
        assertThat(live.claim(M, "r1", HASH, true).kind()).isEqualTo(Kind.REPLAY);
        live.end(M, "r1");
    }

    @Test
    void recordLeftInProgressByADeadProcessIsOrphaned() {
        first.claim(M, "r1", HASH);
        // "restart": a new store with another owner id over the same database
        IdempotencyStore restarted = new IdempotencyStore(db, Clock.systemUTC(), "process-2");

        Claim c = restarted.claim(M, "r1", HASH);

        assertThat(c.kind()).isEqualTo(Kind.ORPHANED);
        assertThat(restarted.ownerOf(M, "r1")).contains("process-2");
        // now owned by the new process: a copy there waits for it
        assertThat(restarted.claim(M, "r1", HASH).kind()).isEqualTo(Kind.IN_FLIGHT);
        // another content is still a conflict, not an orphan
        assertThat(new IdempotencyStore(db, Clock.systemUTC(), "process-3").claim(M, "r1", OTHER_HASH).kind())
                .isEqualTo(Kind.CONFLICT);
        assertThat(restarted.ownerOf(M, "r1")).contains("process-2");
    }

    /**
     * A record another live owner has just taken over is no orphan: the second claimer must wait
     * (IN_FLIGHT), not take it again and call the provider a second time. Fails today: any record of
     * another owner counts as an orphan, so the later claimer always "wins" too.
     */
    @Test
    void aClaimTakenOverByAnotherLiveProcessIsNotTakenAgain() {
        first.claim(M, "r1", HASH);
        IdempotencyStore a = new IdempotencyStore(db, Clock.systemUTC(), "process-A");
        IdempotencyStore b = new IdempotencyStore(db, Clock.systemUTC(), "process-B");
        assertThat(a.claim(M, "r1", HASH).kind()).isEqualTo(Kind.ORPHANED);

        Claim second = b.claim(M, "r1", HASH);

        assertThat(second.kind()).isEqualTo(Kind.IN_FLIGHT);
        assertThat(a.ownerOf(M, "r1")).contains("process-A");
    }

    /** Two processes (other owner ids) race for the same orphan: exactly one may own it. */
    @Test
    void onlyOneOfTwoConcurrentOrphanClaimersWins() throws Exception {
        int rounds = 20;
        for (int i = 0; i < rounds; i++) {
            first.claim(M, "r" + i, HASH);
        }
        IdempotencyStore a = new IdempotencyStore(db, Clock.systemUTC(), "process-A");
        IdempotencyStore b = new IdempotencyStore(db, Clock.systemUTC(), "process-B");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < rounds; i++) {
                String key = "r" + i;
                CountDownLatch go = new CountDownLatch(1);
                Future<Claim> fa = pool.submit(() -> {
                    go.await();
                    return a.claim(M, key, HASH);
                });
                Future<Claim> fb = pool.submit(() -> {
                    go.await();
                    return b.claim(M, key, HASH);
                });
                go.countDown();
                List<Kind> kinds = List.of(fa.get(30, TimeUnit.SECONDS).kind(), fb.get(30, TimeUnit.SECONDS).kind());
                assertThat(kinds).as(key).containsExactlyInAnyOrder(Kind.ORPHANED, Kind.IN_FLIGHT);
                String winner = kinds.get(0) == Kind.ORPHANED ? "process-A" : "process-B";
                assertThat(a.ownerOf(M, key)).as(key).contains(winner);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoCopiesInTheRestartedProcessClaimTheOrphanOnce() throws Exception {
        first.claim(M, "r1", HASH);
        IdempotencyStore restarted = new IdempotencyStore(db, Clock.systemUTC(), "process-2");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Claim>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return restarted.claim(M, "r1", HASH);
                }));
            }
            go.countDown();
            List<Kind> kinds = new ArrayList<>();
            for (Future<Claim> f : futures) {
                kinds.add(f.get(30, TimeUnit.SECONDS).kind());
            }
            assertThat(kinds).filteredOn(k -> k == Kind.ORPHANED).hasSize(1);
            assertThat(kinds).filteredOn(k -> k == Kind.IN_FLIGHT).hasSize(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void releaseLetsTheSameKeyBeSentAgain() {
        first.claim(M, "r1", HASH);
        first.release(M, "r1");
        assertThat(first.ownerOf(M, "r1")).isEmpty();
        // even with other content: the first attempt never reached the provider
        assertThat(first.claim(M, "r1", OTHER_HASH).kind()).isEqualTo(Kind.NEW);
    }

    @Test
    void releaseDoesNotTouchACompletedRecordOrAnotherOwnersClaim() {
        first.claim(M, "done", HASH);
        first.complete(M, "done", 200, "{}");
        first.release(M, "done");
        assertThat(first.claim(M, "done", HASH).kind()).isEqualTo(Kind.REPLAY);

        first.claim(M, "running", HASH);
        new IdempotencyStore(db, Clock.systemUTC(), "process-2").release(M, "running");
        assertThat(first.ownerOf(M, "running")).contains("process-1");
        assertThat(first.claim(M, "running", HASH).kind()).isEqualTo(Kind.IN_FLIGHT);
    }

    /** A process whose heartbeat is within the lease keeps its claim; after the lease it is taken over. */
    @Test
    void aLiveProcessKeepsItsClaimUntilItsLeaseRunsOut() {
        java.time.Instant t0 = java.time.Instant.parse("2026-11-22T01:00:00Z");
        IdempotencyStore alive = new IdempotencyStore(db, Clock.fixed(t0, java.time.ZoneOffset.UTC), "alive", java.time.Duration.ofSeconds(15));
        alive.claim(M, "busy", HASH);
        IdempotencyStore soon = new IdempotencyStore(db, Clock.fixed(t0.plusSeconds(10), java.time.ZoneOffset.UTC), "other", java.time.Duration.ofSeconds(15));
        assertThat(soon.claim(M, "busy", HASH).kind()).isEqualTo(Kind.IN_FLIGHT);
        IdempotencyStore later = new IdempotencyStore(db, Clock.fixed(t0.plusSeconds(20), java.time.ZoneOffset.UTC), "third", java.time.Duration.ofSeconds(15));
        assertThat(later.claim(M, "busy", HASH).kind()).isEqualTo(Kind.ORPHANED);
        assertThat(later.ownerOf(M, "busy")).contains("third");
    }

    @Test
    void retiringOtherOwnersFreesTheirClaimsAtOnce() {
        IdempotencyStore before = new IdempotencyStore(db, Clock.systemUTC(), "earlier-life");
        before.claim(M, "cut", HASH);
        IdempotencyStore restarted = new IdempotencyStore(db, Clock.systemUTC(), "this-life");
        assertThat(restarted.claim(M, "cut", HASH).kind()).isEqualTo(Kind.IN_FLIGHT);
        restarted.retireOtherOwners();
        assertThat(restarted.claim(M, "cut", HASH).kind()).isEqualTo(Kind.ORPHANED);
    }
}
