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
