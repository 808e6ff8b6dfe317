package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.Json;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult.HistoryEntry;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import io.paygate.store.TransitionOutcome.Kind;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
    private static final String M = "acme";
    private static final ObjectMapper JSON = Json.mapper();

    @TempDir
    Path dir;

    private TestStore store;
    private Database db;
    private MutableClock clock;
    private Ledger ledger;

    @BeforeEach
    void open() {
        store = TestStore.fresh(dir);
        db = store.open(12);
        clock = new MutableClock(Instant.parse("2026-11-22T01:30:00Z"));
        ledger = new Ledger(db, JSON, clock);
    }

    @AfterEach
    void close() {
        db.close();
        store.close();
    }

    static PaymentRequest pay(String orderId, long amount) {
        return new PaymentRequest("1", "req-" + orderId, M, "wechat", Operation.PAY, orderId, amount, "CNY",
                PayMethod.SCAN, null, "coffee", "table 7", "203.0.113.9", null, null, null, null, "POS-1", null,
                "store-1", null, null, null);
    }

    private long count(String sql, Object... args) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private List<String[]> outbox(String orderId) {
        return db.inTransaction(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT event_id, type, payload FROM outbox_event WHERE merchant = ? AND order_id = ? ORDER BY created_at, event_id")) {
                ps.setString(1, M);
                ps.setString(2, orderId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
            return out;
        });
    }

    @Test
    void createRecordsUnknownWithOneHistoryRow() {
        OrderRecord o = ledger.create(pay("O1", 1250));

        assertThat(o.status()).isEqualTo(PaymentStatus.UNKNOWN);
        assertThat(o.merchant()).isEqualTo(M);
        assertThat(o.orderId()).isEqualTo("O1");
        assertThat(o.provider()).isEqualTo("wechat");
        assertThat(o.method()).isEqualTo("SCAN");
        assertThat(o.amount()).isEqualTo(1250L);
        assertThat(o.attach()).isEqualTo("table 7");
        assertThat(o.storeId()).isEqualTo("store-1");
        assertThat(o.createdAt()).isEqualTo(clock.instant());
        assertThat(o.version()).isZero();
        assertThat(ledger.history(M, "O1")).containsExactly(
                new HistoryEntry(PaymentStatus.UNKNOWN, "2026-11-22T09:30:00+08:00", Source.REQUEST));
        assertThat(ledger.auditTrail(M, "O1")).containsExactly("null->UNKNOWN REQUEST");
        assertThat(outbox("O1")).isEmpty();
    }

    @Test
    void notPayThenSuccessMakesExactlyOneEvent() throws Exception {
        ledger.create(pay("O1", 1250));

        TransitionOutcome notpay = ledger.apply(Transition.of(M, "O1", PaymentStatus.NOTPAY, Source.RESPONSE));
        assertThat(notpay.kind()).isEqualTo(Kind.APPLIED);
        assertThat(notpay.eventId()).isNull();
        assertThat(notpay.order().status()).isEqualTo(PaymentStatus.NOTPAY);
        assertThat(outbox("O1")).isEmpty();

        clock.advance(Duration.ofSeconds(30));
        Instant paidAt = Instant.parse("2026-11-22T01:30:25Z");
        TransitionOutcome success = ledger.apply(new Transition(M, "O1", PaymentStatus.SUCCESS, Source.NOTIFY,
                "4200000001202611220000000001", null, 1250L, 0L, paidAt, null));

        String expectedId = Ledger.eventId(M, "O1", "PAYMENT_SUCCEEDED");
        assertThat(success.kind()).isEqualTo(Kind.APPLIED);
        assertThat(success.eventId()).isEqualTo(expectedId);
        assertThat(success.order().status()).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(success.order().providerTradeId()).isEqualTo("4200000001202611220000000001");
        assertThat(success.order().paidAt()).isEqualTo(paidAt);

        List<String[]> rows = outbox("O1");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)[0]).isEqualTo(expectedId);
        assertThat(rows.get(0)[1]).isEqualTo("PAYMENT_SUCCEEDED");
        JsonNode payload = JSON.readTree(rows.get(0)[2]);
        assertThat(payload.get("eventId").asText()).isEqualTo(expectedId);
        assertThat(payload.get("type").asText()).isEqualTo("PAYMENT_SUCCEEDED");
        assertThat(payload.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(payload.get("amount").isIntegralNumber()).isTrue();
        assertThat(payload.get("amount").asLong()).isEqualTo(1250L);
        assertThat(payload.get("merchant").asText()).isEqualTo(M);
        assertThat(payload.get("orderId").asText()).isEqualTo("O1");
        assertThat(payload.get("provider").asText()).isEqualTo("wechat");
        assertThat(payload.get("providerTradeId").asText()).isEqualTo("4200000001202611220000000001");
        assertThat(payload.get("paidAt").asText()).isEqualTo("2026-11-22T09:30:25+08:00");
        assertThat(payload.get("source").asText()).isEqualTo("NOTIFY");
        assertThat(payload.get("attach").asText()).isEqualTo("table 7");
        assertThat(payload.get("storeId").asText()).isEqualTo("store-1");
        assertThat(payload.get("occurredAt").asText()).isEqualTo("2026-11-22T09:30:30+08:00");
        assertThat(payload.has("refund")).isFalse();
        assertThat(rows.get(0)[2]).doesNotContain("null");

        assertThat(ledger.unpublishedEvents(10)).containsExactly(rows.get(0)[2]);
        assertThat(ledger.history(M, "O1")).extracting(HistoryEntry::status, HistoryEntry::source).containsExactly(
                org.assertj.core.groups.Tuple.tuple(PaymentStatus.UNKNOWN, Source.REQUEST),
                org.assertj.core.groups.Tuple.tuple(PaymentStatus.NOTPAY, Source.RESPONSE),
                org.assertj.core.groups.Tuple.tuple(PaymentStatus.SUCCESS, Source.NOTIFY));
    }

    @Test
    void staleNotPayAfterSuccessChangesNothingButIsAudited() {
        ledger.create(pay("O1", 100));
        ledger.apply(Transition.of(M, "O1", PaymentStatus.SUCCESS, Source.RESPONSE));
        OrderRecord before = ledger.find(M, "O1").orElseThrow();

        TransitionOutcome stale = ledger.apply(Transition.of(M, "O1", PaymentStatus.NOTPAY, Source.QUERY));

        assertThat(stale.kind()).isEqualTo(Kind.STALE);
        assertThat(stale.eventId()).isNull();
        OrderRecord after = ledger.find(M, "O1").orElseThrow();
        assertThat(after.status()).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(after.version()).isEqualTo(before.version());
        assertThat(ledger.auditTrail(M, "O1")).containsExactly(
                "null->UNKNOWN REQUEST", "UNKNOWN->SUCCESS RESPONSE", "SUCCESS->NOTPAY (stale) QUERY");
        assertThat(ledger.history(M, "O1")).extracting(HistoryEntry::status)
                .containsExactly(PaymentStatus.UNKNOWN, PaymentStatus.SUCCESS);
        assertThat(outbox("O1")).hasSize(1);
    }

    @Test
    void staleUnknownAfterNotPay() {
        ledger.create(pay("O1", 100));
        ledger.apply(Transition.of(M, "O1", PaymentStatus.NOTPAY, Source.RESPONSE));
        assertThat(ledger.apply(Transition.of(M, "O1", PaymentStatus.UNKNOWN, Source.QUERY)).kind()).isEqualTo(Kind.STALE);
        assertThat(ledger.find(M, "O1").orElseThrow().status()).isEqualTo(PaymentStatus.NOTPAY);
    }

    @Test
    void sameSuccessTwiceIsUnchangedAndStillOneEvent() {
        ledger.create(pay("O1", 100));
        Transition success = Transition.of(M, "O1", PaymentStatus.SUCCESS, Source.NOTIFY);
        assertThat(ledger.apply(success).kind()).isEqualTo(Kind.APPLIED);

        TransitionOutcome again = ledger.apply(success);

        assertThat(again.kind()).isEqualTo(Kind.UNCHANGED);
        assertThat(again.eventId()).isNull();
        assertThat(again.order().status()).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(outbox("O1")).hasSize(1);
        assertThat(count("SELECT COUNT(*) FROM order_history WHERE merchant = ? AND order_id = ? AND to_status = 'SUCCESS'",
                M, "O1")).isEqualTo(1);
    }

    @Test
    void factsFillInButNeverOverwrite() {
        ledger.create(pay("O1", 100));
        ledger.apply(new Transition(M, "O1", PaymentStatus.NOTPAY, Source.RESPONSE, null, null, null, null, null, null));
        ledger.apply(new Transition(M, "O1", PaymentStatus.SUCCESS, Source.QUERY, "T-FIRST", null, 90L, null,
                Instant.parse("2026-11-22T01:31:00Z"), null));

        TransitionOutcome later = ledger.apply(new Transition(M, "O1", PaymentStatus.SUCCESS, Source.NOTIFY, "T-SECOND",
                "CH-1", 80L, 10L, Instant.parse("2026-11-22T02:00:00Z"), null));

        assertThat(later.kind()).isEqualTo(Kind.UNCHANGED);
        OrderRecord o = ledger.find(M, "O1").orElseThrow();
        assertThat(o.providerTradeId()).isEqualTo("T-FIRST");
        assertThat(o.paidAmount()).isEqualTo(90L);
        assertThat(o.paidAt()).isEqualTo(Instant.parse("2026-11-22T01:31:00Z"));
        // unknown until now: filled in
        assertThat(o.channelTradeId()).isEqualTo("CH-1");
        assertThat(o.couponAmount()).isEqualTo(10L);
    }

    @Test
    void theOrderATransitionReturnsIsTheRowAsStored() {
        // A clock and a payment time finer than the column's microseconds: the row keeps microseconds.
        clock.advance(Duration.ofNanos(123_456_789));
        ledger.create(pay("O1", 100));
        TransitionOutcome notPay = ledger.apply(Transition.of(M, "O1", PaymentStatus.NOTPAY, Source.RESPONSE));
        assertThat(notPay.order()).isEqualTo(ledger.find(M, "O1").orElseThrow());

        clock.advance(Duration.ofNanos(1_000_999));
        TransitionOutcome paid = ledger.apply(new Transition(M, "O1", PaymentStatus.SUCCESS, Source.QUERY, "T-FIRST", null,
                90L, null, Instant.parse("2026-11-22T01:31:00.123456789Z"), null));
        assertThat(paid.kind()).isEqualTo(Kind.APPLIED);
        assertThat(paid.order()).isEqualTo(ledger.find(M, "O1").orElseThrow());
        assertThat(paid.order().paidAt()).isEqualTo(Instant.parse("2026-11-22T01:31:00.123456Z"));

        // Under the row lock, facts that fill in and facts that would overwrite, in one report.
        clock.advance(Duration.ofNanos(777));
        TransitionOutcome later = db.inTransaction(c -> ledger.applyIn(c, new Transition(M, "O1", PaymentStatus.SUCCESS,
                Source.NOTIFY, "T-SECOND", "CH-1", 80L, 10L, Instant.parse("2026-11-22T02:00:00Z"), null)));
        assertThat(later.kind()).isEqualTo(Kind.UNCHANGED);
        OrderRecord stored = ledger.find(M, "O1").orElseThrow();
        assertThat(later.order()).isEqualTo(stored);
        assertThat(stored.providerTradeId()).isEqualTo("T-FIRST");
        assertThat(stored.channelTradeId()).isEqualTo("CH-1");
        assertThat(stored.version()).isEqualTo(3);
    }

    @Test
    void aReportThatAddsNothingWritesNothing() {
        ledger.create(pay("O1", 100));
        ledger.apply(new Transition(M, "O1", PaymentStatus.SUCCESS, Source.QUERY, "T-1", null, 100L, null,
                Instant.parse("2026-11-22T01:31:00Z"), null));
        OrderRecord before = ledger.find(M, "O1").orElseThrow();
        clock.advance(Duration.ofSeconds(5));

        // the same status and facts the order has (a repeated notification, a sweep's same answer)
        TransitionOutcome same = ledger.apply(new Transition(M, "O1", PaymentStatus.SUCCESS, Source.NOTIFY, "T-1", null,
                100L, null, Instant.parse("2026-11-22T01:31:00Z"), null));

        assertThat(same.kind()).isEqualTo(Kind.UNCHANGED);
        assertThat(same.order()).isEqualTo(before);
        assertThat(ledger.find(M, "O1").orElseThrow()).isEqualTo(before);

        // a fact it lacks is written, and moves the row on
        TransitionOutcome more = ledger.apply(new Transition(M, "O1", PaymentStatus.SUCCESS, Source.NOTIFY, null, "CH-1",
                null, null, null, null));
        assertThat(more.kind()).isEqualTo(Kind.UNCHANGED);
        assertThat(more.order().channelTradeId()).isEqualTo("CH-1");
        assertThat(more.order().version()).isEqualTo(before.version() + 1);
        assertThat(more.order().updatedAt()).isAfter(before.updatedAt());
    }

    @Test
    void duplicateCreateIsRefused() {
        ledger.create(pay("O1", 100));
        assertThatThrownBy(() -> ledger.create(pay("O1", 200))).isInstanceOf(DuplicateOrderException.class)
                .hasMessageContaining("O1").hasMessageContaining(M);
        assertThat(ledger.find(M, "O1").orElseThrow().amount()).isEqualTo(100L);
        assertThat(ledger.auditTrail(M, "O1")).hasSize(1);
    }

    @Test
    void sameOrderIdOfAnotherMerchantIsAnotherOrder() {
        ledger.create(pay("O1", 100));
        PaymentRequest other = new PaymentRequest("1", "r", "other", "wechat", Operation.PAY, "O1", 5L, null,
                PayMethod.SCAN, null, "x", null, null, null, null, null, null, null, null, null, null, null, null);
        assertThat(ledger.create(other).amount()).isEqualTo(5L);
    }

    @Test
    void unknownOrderIsNoOrder() {
        TransitionOutcome o = ledger.apply(Transition.of(M, "NOPE", PaymentStatus.SUCCESS, Source.NOTIFY));
        assertThat(o.kind()).isEqualTo(Kind.NO_ORDER);
        assertThat(o.order()).isNull();
        assertThat(o.eventId()).isNull();
        assertThat(ledger.find(M, "NOPE")).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM order_history")).isZero();
    }

    @Test
    void closedThenSuccessMakesBothEvents() {
        ledger.create(pay("O1", 100));
        ledger.apply(Transition.of(M, "O1", PaymentStatus.NOTPAY, Source.RESPONSE));
        TransitionOutcome closed = ledger.apply(Transition.of(M, "O1", PaymentStatus.CLOSED, Source.RESPONSE));
        TransitionOutcome success = ledger.apply(Transition.of(M, "O1", PaymentStatus.SUCCESS, Source.NOTIFY));
        assertThat(closed.eventId()).isEqualTo(Ledger.eventId(M, "O1", "PAYMENT_CLOSED"));
        assertThat(success.eventId()).isEqualTo(Ledger.eventId(M, "O1", "PAYMENT_SUCCEEDED"));
        assertThat(outbox("O1")).extracting(r -> r[1]).containsExactlyInAnyOrder("PAYMENT_CLOSED", "PAYMENT_SUCCEEDED");
    }

    @Test
    void eventIdIsDeterministicAndDistinguishesItsParts() {
        assertThat(Ledger.eventId(M, "O1", "PAYMENT_SUCCEEDED")).isEqualTo(Ledger.eventId(M, "O1", "PAYMENT_SUCCEEDED"));
        assertThat(Ledger.eventId(M, "O1", "PAYMENT_SUCCEEDED")).isNotEqualTo(Ledger.eventId(M, "O1", "PAYMENT_CLOSED"));
        assertThat(Ledger.eventId(M, "O1", "PAYMENT_SUCCEEDED")).isNotEqualTo(Ledger.eventId(M, "O2", "PAYMENT_SUCCEEDED"));
        assertThat(Ledger.eventId("ab", "c", "T")).isNotEqualTo(Ledger.eventId("a", "bc", "T"));
    }

    @Test
    void concurrentSuccessIsAppliedExactlyOnce() throws Exception {
        ledger.create(pay("O1", 100));
        ledger.apply(Transition.of(M, "O1", PaymentStatus.NOTPAY, Source.RESPONSE));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<TransitionOutcome>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                Source source = i % 2 == 0 ? Source.NOTIFY : Source.QUERY;
                Callable<TransitionOutcome> task = () -> {
                    ready.countDown();
                    go.await();
                    return ledger.apply(new Transition(M, "O1", PaymentStatus.SUCCESS, source, "T-1", null, 100L, null,
                            null, null));
                };
                futures.add(pool.submit(task));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<Kind> kinds = new ArrayList<>();
            for (Future<TransitionOutcome> f : futures) {
                kinds.add(f.get(60, TimeUnit.SECONDS).kind());
            }
            assertThat(kinds).filteredOn(k -> k == Kind.APPLIED).hasSize(1);
            assertThat(kinds).filteredOn(k -> k == Kind.UNCHANGED).hasSize(threads - 1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(outbox("O1")).hasSize(1);
        assertThat(count("SELECT COUNT(*) FROM order_history WHERE merchant = ? AND order_id = ? AND to_status = 'SUCCESS'",
                M, "O1")).isEqualTo(1);
        assertThat(ledger.find(M, "O1").orElseThrow().status()).isEqualTo(PaymentStatus.SUCCESS);
    }

    @Test
    void theLockedReadHoldsTheRowUntilCommit() throws Exception {
        ledger.create(pay("O1", 100));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> holder = pool.submit(() -> db.inTransaction(c -> {
                assertThat(ledger.lock(c, M, "O1")).isPresent();
                locked.countDown();
                try {
                    assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            Future<PaymentStatus> waiter = pool.submit(() -> db.inTransaction(c -> ledger.lock(c, M, "O1").orElseThrow().status()));
            Thread.sleep(500);
            assertThat(waiter).as("the second locked read waits for the first transaction").isNotDone();
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(PaymentStatus.UNKNOWN);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void theLockedReadIsPreparedOncePerPooledConnectionAndDroppedWithIt() throws Exception {
        ledger.create(pay("O1", 100));
        ledger.create(pay("O2", 200));
        try (Database two = store.open(2)) { // Flyway needs two connections at start
            Ledger onTwo = new Ledger(two, JSON, clock);
            java.util.Set<java.sql.Connection> physical = new java.util.HashSet<>();
            for (int i = 0; i < 20; i++) {
                String orderId = i % 2 == 0 ? "O1" : "O2";
                Long amount = two.inTransaction(c -> {
                    physical.add(c.unwrap(java.sql.Connection.class));
                    return onTwo.lock(c, M, orderId).orElseThrow().amount();
                });
                assertThat(amount).isEqualTo(i % 2 == 0 ? 100L : 200L);
            }
            Optional<OrderRecord> none = two.inTransaction(c -> onTwo.lock(c, M, "nope"));
            assertThat(none).isEmpty();
            // Prepared once per pooled connection, not once per read.
            assertThat(two.keptStatementsPrepared()).isEqualTo(physical.size());
            assertThat(two.connectionsKeepingStatements()).isEqualTo(physical.size());

            // The pool closes its connections: their statements go with them, a new connection prepares its own.
            ((com.zaxxer.hikari.HikariDataSource) two.dataSource()).getHikariPoolMXBean().softEvictConnections();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (physical.stream().anyMatch(p -> !closed(p)) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(physical).allMatch(LedgerTest::closed);
            Long again = two.inTransaction(c -> onTwo.lock(c, M, "O1").orElseThrow().amount());
            assertThat(again).isEqualTo(100L);
            assertThat(two.connectionsKeepingStatements()).as("the closed connections' statements dropped").isEqualTo(1);
            assertThat(two.keptStatementsPrepared()).isEqualTo(physical.size() + 1);
        }
    }

    private static boolean closed(java.sql.Connection c) {
        try {
            return c.isClosed();
        } catch (java.sql.SQLException e) {
            return true;
        }
    }

    @Test
    void listPagesByCreatedAtThenOrderIdWithStatusFilter() {
        Instant t0 = clock.instant();
        // Two orders share a creation time: the order id breaks the tie.
        ledger.create(pay("B", 1));
        ledger.create(pay("A", 1));
        clock.advance(Duration.ofSeconds(1));
        ledger.create(pay("C", 1));
        clock.advance(Duration.ofSeconds(1));
        ledger.create(pay("D", 1));
        clock.advance(Duration.ofSeconds(1));
        ledger.create(pay("E", 1));
        Instant end = clock.instant();
        ledger.apply(Transition.of(M, "A", PaymentStatus.SUCCESS, Source.RESPONSE));
        ledger.apply(Transition.of(M, "D", PaymentStatus.SUCCESS, Source.RESPONSE));
        ledger.apply(Transition.of(M, "E", PaymentStatus.SUCCESS, Source.RESPONSE));

        Instant from = t0;
        Instant to = end.plusSeconds(1);
        List<OrderRecord> p1 = ledger.list(M, from, to, null, null, null, 2);
        assertThat(p1).extracting(OrderRecord::orderId).containsExactly("A", "B");
        OrderRecord last = p1.get(1);
        List<OrderRecord> p2 = ledger.list(M, from, to, null, last.createdAt(), last.orderId(), 2);
        assertThat(p2).extracting(OrderRecord::orderId).containsExactly("C", "D");
        last = p2.get(1);
        List<OrderRecord> p3 = ledger.list(M, from, to, null, last.createdAt(), last.orderId(), 2);
        assertThat(p3).extracting(OrderRecord::orderId).containsExactly("E");

        // [from, to): the end is excluded, the start included
        assertThat(ledger.list(M, from, end, null, null, null, 10)).extracting(OrderRecord::orderId)
                .containsExactly("A", "B", "C", "D");
        assertThat(ledger.list(M, t0.plusSeconds(1), to, null, null, null, 10)).extracting(OrderRecord::orderId)
                .containsExactly("C", "D", "E");

        List<OrderRecord> s1 = ledger.list(M, from, to, PaymentStatus.SUCCESS, null, null, 2);
        assertThat(s1).extracting(OrderRecord::orderId).containsExactly("A", "D");
        List<OrderRecord> s2 = ledger.list(M, from, to, PaymentStatus.SUCCESS, s1.get(1).createdAt(), s1.get(1).orderId(), 2);
        assertThat(s2).extracting(OrderRecord::orderId).containsExactly("E");
        assertThat(ledger.list(M, from, to, PaymentStatus.UNKNOWN, null, null, 10)).extracting(OrderRecord::orderId)
                .containsExactly("B", "C");
        assertThat(ledger.list("other", from, to, null, null, null, 10)).isEmpty();
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

}
