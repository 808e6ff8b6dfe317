package io.paygate.store;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A fresh test ledger (H2 under {@code dir}, or a fresh PostgreSQL database: {@link TestStore}), opened
 * with migrations, and a clock the test moves by hand, starting at 2026-12-06T01:00:00Z.
 */
record OpenStore(TestStore store, Database db, LedgerTest.MutableClock clock) implements AutoCloseable {
    static OpenStore at(Path dir, int poolSize) {
        TestStore store = TestStore.fresh(dir);
        return new OpenStore(store, store.open(poolSize), new LedgerTest.MutableClock(Instant.parse("2026-12-06T01:00:00Z")));
    }

    @Override
    public void close() {
        db.close();
        store.close();
    }
}
