package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.Json;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The barcode sweep runs every second: its query must read the unfinished barcode orders only, not
 * every unfinished order (a QR or app order waits for its customer as NOTPAY, so there can be many).
 * The database's own plan of that query (EXPLAIN, on H2 or PostgreSQL as the test store is) uses
 * {@code ix_payment_order_method}; the other sweep's still finds the other orders. No index of
 * payment_order is one that no query reads.
 */
class BarcodeSweepIndexTest {
    private static final ObjectMapper JSON = Json.mapper();

    @TempDir
    Path dir;

    private OpenStore opened;
    private Database db;
    private LedgerTest.MutableClock clock;

    @BeforeEach
    void open() {
        opened = OpenStore.at(dir, 2);
        db = opened.db();
        clock = opened.clock();
        Ledger ledger = new Ledger(db, JSON, clock);
        for (int i = 0; i < 400; i++) {
            ledger.create(LedgerTest.pay("QR-" + i, 100));
        }
        ledger.create(new PaymentRequest("1", "req-BAR-1", "acme", "wechat", Operation.PAY, "BAR-1", 500L, "CNY",
                PayMethod.MICRO, null, "coffee", null, "203.0.113.9", "134567890123456789", null, null, null, "POS-1",
                null, "store-1", null, null, null));
        if (db.isPostgres()) {
            // What autovacuum does on a server that runs it (docs/deployment.md).
            db.inTransaction(c -> {
                try (var st = c.createStatement()) {
                    st.execute("ANALYZE payment_order");
                }
                return null;
            });
        }
    }

    @AfterEach
    void close() {
        opened.close();
    }

    @Test
    void theBarcodeSweepsQueryReadsTheMethodIndex() {
        String plan = explain(ReconcileQueue.dueOrdersSql(true));
        assertThat(plan.toLowerCase()).as(plan).contains("ix_payment_order_method");
    }

    @Test
    void eachSweepFindsItsOwnOrders() {
        ReconcileQueue queue = new ReconcileQueue(db, null, Duration.ofSeconds(15));
        Instant later = clock.instant().plusSeconds(600);
        List<ReconcileQueue.DueOrder> barcode = queue.dueOrders(later, later, later, Instant.EPOCH, true, 1000);
        List<ReconcileQueue.DueOrder> others = queue.dueOrders(later, later, later, Instant.EPOCH, false, 1000);
        assertThat(barcode).extracting(ReconcileQueue.DueOrder::orderId).containsExactly("BAR-1");
        assertThat(others).hasSize(400).extracting(ReconcileQueue.DueOrder::orderId).doesNotContain("BAR-1");
    }

    /**
     * Every index of payment_order is rewritten when an order changes (its status, updated_at or
     * next check), in the same commit: each must be one that a query reads.
     * ix_payment_order_status (status, updated_at) was read by none and is gone
     * (V20261206190000); the status queries read ix_payment_order_check.
     */
    @Test
    void theOrderTableKeepsOnlyIndexesThatQueriesRead() {
        java.util.Set<String> indexes = db.inTransaction(c -> {
            java.util.Set<String> names = new java.util.TreeSet<>();
            String table = db.isPostgres() ? "payment_order" : "PAYMENT_ORDER";
            try (ResultSet rs = c.getMetaData().getIndexInfo(c.getCatalog(), c.getSchema(), table, false, false)) {
                while (rs.next()) {
                    String name = rs.getString("INDEX_NAME");
                    if (name != null && name.toLowerCase(java.util.Locale.ROOT).startsWith("ix_")) {
                        names.add(name.toLowerCase(java.util.Locale.ROOT));
                    }
                }
            }
            return names;
        });
        assertThat(indexes).containsExactly("ix_payment_order_check", "ix_payment_order_created", "ix_payment_order_method");
        String plan = explain(ReconcileQueue.dueOrdersSql(false)).toLowerCase(java.util.Locale.ROOT);
        if (!db.isPostgres()) {
            // PostgreSQL may rightly scan the table when every row is unfinished, as here
            assertThat(plan).as(plan).contains("ix_payment_order_check");
        }
    }

    private String explain(String sql) {
        Instant now = clock.instant();
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
                Timestamp t = Timestamp.from(now);
                for (int i = 1; i <= 7; i++) {
                    ps.setTimestamp(i, t);
                }
                StringBuilder out = new StringBuilder();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.append(rs.getString(1)).append('\n');
                    }
                }
                return out.toString();
            }
        });
    }
}
