package io.paygate.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.canonical.Json;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.wechat.WechatNotifications;
import io.paygate.provider.wechat.WechatSettings;
import io.paygate.provider.wechat.WechatSigner;
import io.paygate.route.RouteProperties;
import io.paygate.store.Database;
import io.paygate.store.Ledger;
import io.paygate.store.Refunds;
import io.paygate.store.StoreException;
import io.paygate.store.StoreRefusedException;
import io.paygate.store.TestStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intake's group commit with real concurrency on the real store (H2, or PostgreSQL with
 * -Ppostgres) and WeChat Pay's real codec: concurrent notifications share commits, each sender gets
 * its own outcome, a duplicate in the same batch is UNCHANGED, a forgery is rejected, one order's
 * SQL failure fails only its sender, and a failure of the whole batch falls back to one commit per
 * notification. To make the senders meet in one batch, the test holds the row lock of a first
 * order: its notification's commit is under way (waiting for the lock) while the others queue.
 */
class NotificationIntakeTest {
    private static final String KEY = "intaketestkey0000000000000000001";
    private static final String M = "shop";

    @TempDir
    Path dir;

    private TestStore store;
    private Database db;
    private Ledger ledger;
    private NotificationIntake intake;
    private CamelContext camel;
    private ExecutorService pool;

    @BeforeEach
    void open() {
        store = TestStore.fresh(dir);
        db = store.open(24);
        Clock clock = Clock.systemUTC();
        ledger = new Ledger(db, Json.mapper(), clock);
        MerchantProfile profile = new MerchantProfile(M, "wechat", "token-000000000000", null, null, List.of(), List.of(),
                Map.of("wechat", MerchantProfile.Section.of(new WechatSettings("http://127.0.0.1:1", "wxapp", "1001", KEY,
                        "HMAC-SHA256", null, null, null, null, null, null))));
        intake = new NotificationIntake(Map.of("wechat", new WechatNotifications()), null,
                new MerchantDirectory(Map.of(M, profile)), db, ledger, new Refunds(db, ledger, clock), clock, 16 * 1024);
        camel = new DefaultCamelContext();
        pool = Executors.newFixedThreadPool(16);
    }

    @AfterEach
    void close() throws Exception {
        pool.shutdownNow();
        camel.close();
        db.close();
        store.close();
    }

    private void order(String orderId) {
        ledger.create(new PaymentRequest("1", "req-" + orderId, M, "wechat", Operation.PAY, orderId, 100L, "CNY",
                PayMethod.SCAN, null, "coffee", null, "203.0.113.9", null, null, null, null, null, null, null, null,
                null, null));
    }

    private static byte[] paid(String orderId, long totalFee, boolean tamper) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("appid", "wxapp");
        f.put("mch_id", "1001");
        f.put("nonce_str", "nonce" + orderId);
        f.put("result_code", "SUCCESS");
        f.put("trade_type", "NATIVE");
        f.put("total_fee", Long.toString(totalFee));
        f.put("cash_fee", Long.toString(totalFee));
        f.put("transaction_id", "4200" + Math.abs(orderId.hashCode()));
        f.put("out_trade_no", orderId);
        f.put("time_end", "20261206093000");
        f.put("sign_type", "HMAC-SHA256");
        f.put("sign", WechatSigner.sign(f, KEY, "HMAC-SHA256"));
        if (tamper) {
            f.put("total_fee", "1");
        }
        StringBuilder sb = new StringBuilder("<xml>");
        f.forEach((k, v) -> sb.append('<').append(k).append("><![CDATA[").append(v).append("]]></").append(k).append('>'));
        return sb.append("</xml>").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One POST /notify/wechat/shop through the intake; the outcome it answers with. */
    private String notify(byte[] body) {
        Exchange ex = new DefaultExchange(camel);
        ex.getMessage().setHeader("provider", "wechat");
        ex.getMessage().setHeader("merchant", M);
        ex.getMessage().setBody(body);
        intake.receive(ex);
        return RouteProperties.NOTIFY_OUTCOME.get(ex);
    }

    private long count(String sql, String orderId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, orderId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private PaymentStatus status(String orderId) {
        return ledger.find(M, orderId).orElseThrow().status();
    }

    /**
     * Holds the order's row lock, starts its notification (whose commit then waits for the lock),
     * starts the others, waits until they queue behind it, releases the lock. The futures: the
     * held order's first.
     */
    private List<Future<String>> meetInOneBatch(String held, List<byte[]> others) throws Exception {
        List<Future<String>> out = new ArrayList<>();
        try (Connection hold = db.dataSource().getConnection()) {
            hold.setAutoCommit(false);
            assertThat(ledger.lock(hold, M, held)).isPresent();
            out.add(pool.submit(() -> notify(paid(held, 100, false))));
            Thread.sleep(300); // its commit is under way, blocked on the lock
            List<Thread> senders = new ArrayList<>();
            for (byte[] body : others) {
                out.add(pool.submit(() -> {
                    synchronized (senders) {
                        senders.add(Thread.currentThread());
                    }
                    return notify(body);
                }));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!queued(senders, others.size())) {
                assertThat(System.nanoTime()).as("senders queued behind the held commit").isLessThan(until);
                Thread.sleep(10);
            }
            hold.rollback();
        }
        return out;
    }

    private static boolean queued(List<Thread> senders, int n) {
        synchronized (senders) {
            return senders.size() == n && senders.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                    && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().endsWith("GroupCommit")));
        }
    }

    @Test
    void concurrentNotificationsShareCommitsEachGetsItsOwnOutcomeAndADuplicateIsUnchanged() throws Exception {
        List<String> orders = List.of("GC-1", "GC-2", "GC-3", "GC-4", "GC-5", "GC-6");
        order("GC-0");
        orders.forEach(this::order);
        List<byte[]> bodies = new ArrayList<>();
        orders.forEach(o -> bodies.add(paid(o, 100, false)));
        bodies.add(paid("GC-2", 100, false)); // the same notification again, in the same batch
        bodies.add(paid("GC-3", 100, true)); // a forgery: rejected before any of this
        bodies.add(paid("GC-4", 99, false)); // genuine, but not the order's amount
        long before = intake.commits();
        List<Future<String>> f = meetInOneBatch("GC-0", bodies);
        assertThat(f.get(0).get(20, TimeUnit.SECONDS)).isEqualTo("APPLIED");
        List<String> outcomes = new ArrayList<>();
        for (int i = 1; i < f.size(); i++) {
            outcomes.add(f.get(i).get(20, TimeUnit.SECONDS));
        }
        // GC-2 twice: whichever of the two the batch ran first moved the order, the other found it moved
        assertThat(List.of(outcomes.get(1), outcomes.get(6))).as("GC-2, twice").containsExactlyInAnyOrder("APPLIED", "UNCHANGED");
        assertThat(List.of(outcomes.get(0), outcomes.get(2), outcomes.get(3), outcomes.get(4), outcomes.get(5)))
                .as("GC-1, 3..6").containsOnly("APPLIED");
        assertThat(outcomes.get(7)).as("forged GC-3").isEqualTo("REJECTED");
        assertThat(outcomes.get(8)).as("GC-4 for 99 fen").isEqualTo("MISMATCH");
        assertThat(intake.commits() - before).as("commits for %d notifications", f.size()).isEqualTo(2);
        for (String o : orders) {
            assertThat(status(o)).isEqualTo(PaymentStatus.SUCCESS);
            assertThat(count("SELECT COUNT(*) FROM outbox_event WHERE order_id = ?", o)).as(o + " events").isEqualTo(1);
            assertThat(count("SELECT COUNT(*) FROM order_history WHERE order_id = ? AND to_status = 'SUCCESS' AND applied = TRUE",
                    o)).as(o + " moves").isEqualTo(1);
        }
        assertThat(count("SELECT COUNT(*) FROM notification_log WHERE order_id = ?", "GC-2")).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM notification_log WHERE outcome = ?", "REJECTED")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM notification_log WHERE outcome = ?", "MISMATCH")).isEqualTo(1);
    }

    @Test
    void oneOrdersSqlFailureFailsOnlyItsSenderAndTheOthersCommitTogether() throws Exception {
        order("GC-0");
        List<String> orders = List.of("GC-1", "GC-2", "FAIL-1", "GC-3", "GC-4");
        orders.forEach(this::order);
        // a real refusal by the database for this one order (SQLState 23513), as bad data would be
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE order_history ADD CONSTRAINT injected_failure CHECK (order_id <> 'FAIL-1' "
                        + "OR to_status <> 'SUCCESS')");
            }
            return null;
        });
        long before = intake.commits();
        List<Future<String>> f = meetInOneBatch("GC-0", orders.stream().map(o -> paid(o, 100, false)).toList());
        assertThat(f.get(0).get(20, TimeUnit.SECONDS)).isEqualTo("APPLIED");
        for (int i = 0; i < orders.size(); i++) {
            Future<String> one = f.get(i + 1);
            if (orders.get(i).equals("FAIL-1")) {
                assertThatThrownBy(() -> one.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreRefusedException.class);
            } else {
                assertThat(one.get(20, TimeUnit.SECONDS)).isEqualTo("APPLIED");
                assertThat(status(orders.get(i))).isEqualTo(PaymentStatus.SUCCESS);
            }
        }
        assertThat(status("FAIL-1")).isEqualTo(PaymentStatus.UNKNOWN);
        assertThat(count("SELECT COUNT(*) FROM outbox_event WHERE order_id = ?", "FAIL-1")).isZero();
        assertThat(count("SELECT COUNT(*) FROM notification_log WHERE order_id = ?", "FAIL-1")).isZero();
        assertThat(intake.commits() - before).isEqualTo(2);
    }

    @Test
    void aFailureOfTheWholeBatchFallsBackToOneCommitPerNotification() throws Exception {
        order("GC-0");
        List<String> orders = List.of("GC-1", "GC-2", "FAIL-1", "GC-3", "GC-4");
        orders.forEach(this::order);
        // a failure that is not the unit's own (as a deadlock or a serialization failure would be)
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                if (db.isPostgres()) {
                    s.execute("CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                            + "IF NEW.order_id = 'FAIL-1' AND NEW.to_status = 'SUCCESS' THEN "
                            + "RAISE EXCEPTION 'injected serialization failure' USING ERRCODE = '40001'; END IF; "
                            + "RETURN NEW; END $$");
                    s.execute("CREATE TRIGGER injected_failure BEFORE INSERT ON order_history FOR EACH ROW "
                            + "EXECUTE FUNCTION injected_failure()");
                } else {
                    s.execute("CREATE TRIGGER injected_failure BEFORE INSERT ON order_history FOR EACH ROW CALL '"
                            + FailOne.class.getName() + "'");
                }
            }
            return null;
        });
        long before = intake.commits();
        List<Future<String>> f = meetInOneBatch("GC-0", orders.stream().map(o -> paid(o, 100, false)).toList());
        assertThat(f.get(0).get(20, TimeUnit.SECONDS)).isEqualTo("APPLIED");
        for (int i = 0; i < orders.size(); i++) {
            Future<String> one = f.get(i + 1);
            if (orders.get(i).equals("FAIL-1")) {
                assertThatThrownBy(() -> one.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class);
            } else {
                assertThat(one.get(20, TimeUnit.SECONDS)).isEqualTo("APPLIED");
                assertThat(status(orders.get(i))).isEqualTo(PaymentStatus.SUCCESS);
                assertThat(count("SELECT COUNT(*) FROM outbox_event WHERE order_id = ?", orders.get(i))).isEqualTo(1);
                assertThat(count("SELECT COUNT(*) FROM notification_log WHERE order_id = ?", orders.get(i))).isEqualTo(1);
            }
        }
        assertThat(status("FAIL-1")).isEqualTo(PaymentStatus.UNKNOWN);
        // GC-0's own, then the four others alone (FAIL-1 failed again alone)
        assertThat(intake.commits() - before).isEqualTo(1 + 4);
    }

    /** H2's side of the injected failure (PostgreSQL's is PL/pgSQL). */
    public static final class FailOne implements org.h2.api.Trigger {
        @Override
        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            if ("FAIL-1".equals(String.valueOf(newRow[2])) && "SUCCESS".equals(String.valueOf(newRow[4]))) {
                throw new SQLException("injected serialization failure", "40001");
            }
        }
    }
}
