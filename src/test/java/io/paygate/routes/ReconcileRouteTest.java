package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.PaymentStatus;
import io.paygate.reconcile.Reconciler;
import io.paygate.reconcile.Reconciler.Task;
import io.paygate.sandbox.wechat.WechatSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconciliation routes (routes/reconcile.yaml) with the real payment routes against the WeChat
 * simulator: timings of seconds, sweeps run by hand (and once by their Quartz trigger).
 */
class ReconcileRouteTest extends RouteTestSupport {
    private static final String TOKEN = "reconcile-test-token-0001";
    private static final String KEY = "reconcilekey000000000000000000ab";

    private static Path dir;
    private static Fixture fixture;
    private static WechatSimulator sim;

    @BeforeAll
    static void startProvider() throws Exception {
        dir = Files.createTempDirectory("reconcile-test");
        sim = new WechatSimulator(0, List.of(new WechatSimulator.Merchant("2001", "wxrecon", KEY)), null);
        sim.start();
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=https://gw.example.com",
                "gateway.provider.read-timeout=2",
                "gateway.reconcile.enabled=false",
                "gateway.reconcile.cron=* * * * * ?",
                "gateway.reconcile.min-age=0",
                "gateway.reconcile.backoff=1,2,3",
                "gateway.order.min-close-age=0",
                "gateway.order.default-lifetime=3600", ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  shop:",
                "    provider: wechat",
                "    apiToken: " + TOKEN,
                "    wechat: {baseUrl: 'http://127.0.0.1:" + sim.port() + "', appId: wxrecon, mchId: '2001', apiKey: " + KEY + "}",
                ""));
        fixture = Fixture.load(dir, 8);
    }

    @AfterAll
    static void stopProvider() {
        sim.close();
        fixture.close();
    }

    @Override
    protected Fixture fixture() {
        return fixture;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("payment-api.yaml", "provider-operations.yaml", "wechat.yaml", "errors.yaml", "reconcile.yaml");
    }

    private JsonNode call(String body) throws Exception {
        return call(TOKEN, body).body();
    }

    private JsonNode pay(String orderId, String expireAt) throws Exception {
        return call("{\"requestId\":\"req-" + orderId + "\",\"merchant\":\"shop\",\"operation\":\"PAY\",\"orderId\":\""
                + orderId + "\",\"amount\":100,\"method\":\"SCAN\",\"subject\":\"Tea\""
                + (expireAt == null ? "" : ",\"expireAt\":\"" + expireAt + "\"") + "}");
    }

    private JsonNode sim(String method, String path) throws Exception {
        return wechatSim(sim.port(), method, path);
    }

    private long simCalls(String path) throws Exception {
        return wechatSimCalls(sim.port(), path);
    }

    private PaymentStatus status(String orderId) {
        return beans.ledger().find("shop", orderId).orElseThrow().status();
    }

    @Test
    void anOrderPaidWithoutANotificationIsFoundByQueryAndItsEventWritten() throws Exception {
        assertThat(pay("RC-1", null).path("status").asText()).isEqualTo("NOTPAY");
        sim("POST", "/sandbox/wechat/pay?out_trade_no=RC-1");
        sweep();
        assertThat(status("RC-1")).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(events("RC-1")).singleElement().satisfies(e -> {
            assertThat(e.path("type").asText()).isEqualTo("PAYMENT_SUCCEEDED");
            assertThat(e.path("source").asText()).isEqualTo("QUERY");
        });
        // final: never queried again
        long queries = simCalls("/pay/orderquery");
        sweep();
        assertThat(simCalls("/pay/orderquery")).isEqualTo(queries);
    }

    @Test
    void anUnpaidOrderIsQueriedAgainOnlyAfterItsBackoff() throws Exception {
        pay("RC-2", null);
        List<Task> first = sweep();
        assertThat(first).extracting(Task::orderId).contains("RC-2");
        assertThat(status("RC-2")).isEqualTo(PaymentStatus.NOTPAY);
        assertThat(sweep()).extracting(Task::orderId).doesNotContain("RC-2");
        Thread.sleep(1200);
        assertThat(sweep()).extracting(Task::orderId).contains("RC-2");
    }

    @Test
    void anExpiredOrderIsClosedAtTheProvider() throws Exception {
        String expireAt = OffsetDateTime.now(ZoneOffset.ofHours(8)).plusSeconds(1).withNano(0).toString();
        pay("RC-3", expireAt);
        Thread.sleep(2100);
        long closes = simCalls("/pay/closeorder");
        sweep();
        assertThat(simCalls("/pay/closeorder")).isEqualTo(closes + 1);
        assertThat(status("RC-3")).isEqualTo(PaymentStatus.CLOSED);
        assertThat(sim("GET", "/sandbox/wechat/orders/RC-3").path("trade_state").asText()).isEqualTo("CLOSED");
        assertThat(events("RC-3")).extracting(e -> e.path("type").asText()).containsExactly("PAYMENT_CLOSED");
        assertThat(beans.ledger().auditTrail("shop", "RC-3")).contains("NOTPAY->CLOSED RESPONSE");
    }

    @Test
    void anExpiredOrderPaidMeanwhileIsRecordedAsPaidNotClosed() throws Exception {
        String expireAt = OffsetDateTime.now(ZoneOffset.ofHours(8)).plusSeconds(1).withNano(0).toString();
        pay("RC-4", expireAt);
        sim("POST", "/sandbox/wechat/pay?out_trade_no=RC-4");
        Thread.sleep(2100);
        long closes = simCalls("/pay/closeorder");
        sweep();
        assertThat(status("RC-4")).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(simCalls("/pay/closeorder")).isEqualTo(closes);
    }

    @Test
    void twoOverlappingSweepsQueryEachOrderOnce() throws Exception {
        for (int i = 0; i < 6; i++) {
            pay("RC-O" + i, null);
        }
        long before = simCalls("/pay/orderquery");
        Reconciler reconciler = reconciler();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Task>>> sweeps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            sweeps.add(pool.submit(() -> {
                go.await();
                List<Task> tasks = reconciler.dueOrders(null);
                for (Task t : tasks) {
                    template.sendBody("direct:reconcile-task", t);
                }
                return tasks;
            }));
        }
        go.countDown();
        List<String> claimed = new ArrayList<>();
        for (Future<List<Task>> f : sweeps) {
            f.get().stream().map(Task::orderId).filter(id -> id.startsWith("RC-O")).forEach(claimed::add);
        }
        pool.shutdown();
        // Both sweeps may find all six due; each order is claimed (and queried) by one of them only.
        assertThat(claimed).hasSizeBetween(6, 12);
        assertThat(simCalls("/pay/orderquery") - before).isEqualTo(6);
        assertThat(claimed.stream().distinct()).hasSize(6);
        finish("RC-O", 6);
    }

    @Test
    @SuppressWarnings("unchecked")
    void twoOverlappingChunkedSweepsQueryEachOrderOnce() throws Exception {
        // 23 orders: chunks of 10, 10 and 3, claimed a chunk at a time, gateway.reconcile.concurrency chunks at once.
        for (int i = 0; i < 23; i++) {
            pay("RC-C" + i, null);
        }
        long before = simCalls("/pay/orderquery");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Task>>> sweeps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            sweeps.add(pool.submit(() -> {
                go.await();
                return (List<Task>) template.requestBody("direct:reconcile-sweep", null, List.class);
            }));
        }
        go.countDown();
        List<String> found = new ArrayList<>();
        for (Future<List<Task>> f : sweeps) {
            f.get().stream().map(Task::orderId).filter(id -> id.startsWith("RC-C")).forEach(found::add);
        }
        pool.shutdown();
        // Both sweeps may find all 23 due; each order is queried once, by whichever claimed it.
        assertThat(found).hasSizeBetween(23, 46);
        assertThat(found.stream().distinct()).hasSize(23);
        assertThat(simCalls("/pay/orderquery") - before).isEqualTo(23);
        finish("RC-C", 23);
    }

    /** The ledger's row of an order: who holds its claim (null when none). */
    private String claimOwner(String orderId) {
        return fixture.db().inTransaction(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement(
                    "SELECT claim_owner FROM payment_order WHERE merchant = 'shop' AND order_id = ?")) {
                ps.setString(1, orderId);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
    }

    /** The order's claim runs out now, as when its holder died {@code gateway.reconcile.claim-lease} ago. */
    private void lapse(String orderId) {
        fixture.db().inTransaction(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement(
                    "UPDATE payment_order SET claim_until = ? WHERE merchant = 'shop' AND order_id = ?")) {
                ps.setObject(1, OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1));
                ps.setString(2, orderId);
                return ps.executeUpdate();
            }
        });
    }

    /** Each order is SUCCESS with one history row NOTPAY->SUCCESS by query and one PAYMENT_SUCCEEDED event. */
    private void paidOnce(String orderId) throws Exception {
        assertThat(status(orderId)).as(orderId).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(beans.ledger().auditTrail("shop", orderId)).as(orderId).containsExactly("null->UNKNOWN REQUEST",
                "UNKNOWN->NOTPAY RESPONSE", "NOTPAY->SUCCESS QUERY");
        assertThat(events(orderId)).as(orderId).extracting(e -> e.path("type").asText()).containsExactly("PAYMENT_SUCCEEDED");
        assertThat(claimOwner(orderId)).as(orderId).isNull();
    }

    @Test
    void aChunksAnswersAreRecordedTogetherAtItsEndEachTransitionOnce() throws Exception {
        for (int i = 0; i < 6; i++) {
            pay("RC-G" + i, null);
            if (i % 2 == 0) {
                sim("POST", "/sandbox/wechat/pay?out_trade_no=RC-G" + i);
            }
        }
        Reconciler reconciler = reconciler();
        List<Task> due = reconciler.dueOrders(null).stream().filter(t -> t.orderId().startsWith("RC-G")).toList();
        assertThat(due).hasSize(6);
        org.apache.camel.Exchange chunk = new org.apache.camel.support.DefaultExchange(context);
        List<Task> run = reconciler.claimChunk(due, chunk);
        assertThat(run).hasSize(6);
        long queries = simCalls("/pay/orderquery");
        for (Task t : run) {
            template.send("direct:reconcile-task", e -> {
                e.setProperty("reconcileChunk", chunk.getProperty("reconcileChunk"));
                e.getMessage().setBody(t);
            });
        }
        // Every order was asked; nothing is recorded yet and every claim is still held.
        assertThat(simCalls("/pay/orderquery") - queries).isEqualTo(6);
        for (int i = 0; i < 6; i++) {
            assertThat(status("RC-G" + i)).isEqualTo(PaymentStatus.NOTPAY);
            assertThat(events("RC-G" + i)).isEmpty();
            assertThat(claimOwner("RC-G" + i)).isNotNull();
        }
        reconciler.commitChunk(chunk);
        for (int i = 0; i < 6; i += 2) {
            paidOnce("RC-G" + i);
        }
        for (int i = 1; i < 6; i += 2) {
            assertThat(status("RC-G" + i)).isEqualTo(PaymentStatus.NOTPAY);
            assertThat(claimOwner("RC-G" + i)).isNull();
            assertThat(events("RC-G" + i)).isEmpty();
        }
        // Released with their next look: not due again at once, and committing again changes nothing.
        reconciler.commitChunk(chunk);
        assertThat(sweep()).extracting(Task::orderId).noneMatch(id -> id.startsWith("RC-G"));
        for (int i = 0; i < 6; i += 2) {
            paidOnce("RC-G" + i);
        }
        finish("RC-G", 6);
    }

    @Test
    void aCrashBeforeTheChunksCommitLeavesItsOrdersForTheNextSweep() throws Exception {
        for (int i = 0; i < 3; i++) {
            pay("RC-K" + i, null);
            sim("POST", "/sandbox/wechat/pay?out_trade_no=RC-K" + i);
        }
        Reconciler reconciler = reconciler();
        List<Task> due = reconciler.dueOrders(null).stream().filter(t -> t.orderId().startsWith("RC-K")).toList();
        org.apache.camel.Exchange chunk = new org.apache.camel.support.DefaultExchange(context);
        for (Task t : reconciler.claimChunk(due, chunk)) {
            template.send("direct:reconcile-task", e -> {
                e.setProperty("reconcileChunk", chunk.getProperty("reconcileChunk"));
                e.getMessage().setBody(t);
            });
        }
        // kill -9 here: the answers were never recorded; the claims stay until they lapse.
        for (int i = 0; i < 3; i++) {
            assertThat(status("RC-K" + i)).isEqualTo(PaymentStatus.NOTPAY);
            assertThat(events("RC-K" + i)).isEmpty();
        }
        assertThat(sweep()).extracting(Task::orderId).noneMatch(id -> id.startsWith("RC-K"));
        for (int i = 0; i < 3; i++) {
            lapse("RC-K" + i);
        }
        long queries = simCalls("/pay/orderquery");
        assertThat(sweep()).extracting(Task::orderId).contains("RC-K0", "RC-K1", "RC-K2");
        assertThat(simCalls("/pay/orderquery") - queries).isGreaterThanOrEqualTo(3);
        for (int i = 0; i < 3; i++) {
            paidOnce("RC-K" + i);
        }
    }

    @Test
    void anAnswerThatCannotBeStoredLosesNoneOfItsChunksOthers() throws Exception {
        // The ledger refuses the history row of one order (a database-side failure of its answer only).
        for (int i = 0; i < 4; i++) {
            pay("RC-F" + i, null);
            sim("POST", "/sandbox/wechat/pay?out_trade_no=RC-F" + i);
        }
        pay("RC-FX", null);
        sim("POST", "/sandbox/wechat/pay?out_trade_no=RC-FX");
        refuseHistoryOf("RC-FX", true);
        try {
            sweep();
            for (int i = 0; i < 4; i++) {
                paidOnce("RC-F" + i);
            }
            assertThat(status("RC-FX")).isEqualTo(PaymentStatus.NOTPAY);
            assertThat(events("RC-FX")).isEmpty();
            // Its claim is kept until it lapses: no sweep asks again before.
            assertThat(claimOwner("RC-FX")).isNotNull();
            assertThat(sweep()).extracting(Task::orderId).doesNotContain("RC-FX");
        } finally {
            refuseHistoryOf("RC-FX", false);
        }
        lapse("RC-FX");
        assertThat(sweep()).extracting(Task::orderId).contains("RC-FX");
        paidOnce("RC-FX");
        for (int i = 0; i < 4; i++) {
            paidOnce("RC-F" + i);
        }
    }

    /** Adds (or drops) a trigger that fails every history row written for the order. */
    private void refuseHistoryOf(String orderId, boolean on) {
        boolean pg = fixture.db().isPostgres();
        fixture.db().inTransaction(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                if (!on) {
                    st.execute(pg ? "DROP TRIGGER refuse_history ON order_history" : "DROP TRIGGER refuse_history");
                } else if (pg) {
                    st.execute("CREATE OR REPLACE FUNCTION refuse_history() RETURNS trigger AS $$ BEGIN "
                            + "IF NEW.order_id = '" + orderId + "' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
                            + "RETURN NEW; END $$ LANGUAGE plpgsql");
                    st.execute("CREATE TRIGGER refuse_history BEFORE INSERT ON order_history FOR EACH ROW "
                            + "EXECUTE FUNCTION refuse_history()");
                } else {
                    RefuseHistory.orderId = orderId;
                    st.execute("CREATE TRIGGER refuse_history BEFORE INSERT ON order_history FOR EACH ROW CALL '"
                            + RefuseHistory.class.getName() + "'");
                }
            }
            return null;
        });
    }

    /** H2's side of {@link #refuseHistoryOf}. */
    public static final class RefuseHistory implements org.h2.api.Trigger {
        static volatile String orderId;

        @Override
        public void fire(java.sql.Connection c, Object[] oldRow, Object[] newRow) throws java.sql.SQLException {
            if (newRow != null && orderId != null && orderId.equals(newRow[2])) {
                throw new java.sql.SQLException("refused by the test");
            }
        }
    }

    /**
     * Pays a test's orders at the simulator and sweeps until they are final, so that they are not
     * due again (backoff 1 s) in another test that counts the simulator's queries.
     */
    private void finish(String prefix, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            sim("POST", "/sandbox/wechat/pay?out_trade_no=" + prefix + i);
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            sweep();
            boolean open = false;
            for (int i = 0; i < n; i++) {
                open |= status(prefix + i) != PaymentStatus.SUCCESS;
            }
            if (!open) {
                return;
            }
            Thread.sleep(1100);
        }
        throw new AssertionError(prefix + " orders still open");
    }

    @Test
    void theQuartzTriggerRunsTheSweep() throws Exception {
        pay("RC-Q", null);
        sim("POST", "/sandbox/wechat/pay?out_trade_no=RC-Q");
        context.getRouteController().startRoute("reconcile-sweep");
        try {
            long deadline = System.currentTimeMillis() + 15_000;
            while (status("RC-Q") != PaymentStatus.SUCCESS && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
        } finally {
            context.getRouteController().stopRoute("reconcile-sweep");
        }
        assertThat(status("RC-Q")).isEqualTo(PaymentStatus.SUCCESS);
    }
}
