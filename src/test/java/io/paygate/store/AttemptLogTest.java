package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.canonical.Json;
import io.paygate.canonical.PaymentResult.DeliveryEntry;
import io.paygate.delivery.AttemptLog;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The callback attempts' group commit: every attempt stored once, visible when record returns, failures reported. */
class AttemptLogTest {
    @TempDir
    Path dir;

    private TestStore store;
    private Database db;
    private Ledger ledger;

    @BeforeEach
    void open() {
        store = TestStore.fresh(dir);
        db = store.open(8);
        ledger = new Ledger(db, Json.mapper(), new LedgerTest.MutableClock(Instant.parse("2026-12-06T01:00:00Z")));
    }

    @AfterEach
    void close() {
        db.close();
        store.close();
    }

    @Test
    void concurrentAttemptsAreEachStoredOnceAndCommittedWhenRecordReturns() throws Exception {
        AttemptLog log = new AttemptLog(ledger);
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                String order = "ORD-" + t;
                futures.add(pool.submit(() -> {
                    for (int a = 1; a <= 40; a++) {
                        log.record(new Ledger.DeliveryAttempt("ev-" + order, "acme", order, a, Instant.now(),
                                a % 2 == 0 ? "DELIVERED" : "HTTP_500", a % 2 == 0 ? 200 : 500));
                        // committed when record returns: another connection sees it
                        List<DeliveryEntry> seen = ledger.deliveries("acme", order);
                        assertThat(seen).hasSize(a);
                        assertThat(seen.get(a - 1).attempt()).isEqualTo(a);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < 12; t++) {
            List<DeliveryEntry> entries = ledger.deliveries("acme", "ORD-" + t);
            assertThat(entries).hasSize(40);
            assertThat(entries.get(1).outcome()).isEqualTo("DELIVERED");
            assertThat(entries.get(1).httpStatus()).isEqualTo(200);
            assertThat(entries.get(0).outcome()).isEqualTo("HTTP_500");
        }
    }

    @Test
    void aFailedCommitFailsTheCallerAndTheNextAttemptStillWorks() {
        AttemptLog log = new AttemptLog(ledger);
        // outcome longer than the column: the insert fails, record must not return as if stored
        assertThatThrownBy(() -> log.record(new Ledger.DeliveryAttempt("ev-1", "acme", "ORD-1", 1, Instant.now(),
                "X".repeat(5000), null))).isInstanceOf(RuntimeException.class);
        assertThat(ledger.deliveries("acme", "ORD-1")).isEmpty();
        log.record(new Ledger.DeliveryAttempt("ev-1", "acme", "ORD-1", 2, Instant.now(), "DELIVERED", 200));
        assertThat(ledger.deliveries("acme", "ORD-1")).extracting(DeliveryEntry::attempt).containsExactly(2);
    }
}
