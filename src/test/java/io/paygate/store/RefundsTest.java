package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Json;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RefundsTest {
    private static final String M = "acme";
    private static final ObjectMapper JSON = Json.mapper();

    @TempDir
    Path dir;

    private TestStore store;
    private Database db;
    private Ledger ledger;
    private Refunds refunds;

    @BeforeEach
    void open() {
        store = TestStore.fresh(dir);
        db = store.open(12);
        LedgerTest.MutableClock clock = new LedgerTest.MutableClock(Instant.parse("2026-11-22T01:30:00Z"));
        ledger = new Ledger(db, JSON, clock);
        refunds = new Refunds(db, ledger, clock);
    }

    @AfterEach
    void close() {
        db.close();
        store.close();
    }

    private void paidOrder(String orderId, long amount) {
        ledger.create(LedgerTest.pay(orderId, amount));
        ledger.apply(new Transition(M, orderId, PaymentStatus.SUCCESS, Source.NOTIFY, "wx-" + orderId, null, amount,
                null, Instant.parse("2026-11-22T01:31:00Z"), null));
    }

    private Optional<String> report(String orderId, RefundInfo r, Source source) {
        return db.inTransaction(c -> refunds.applyIn(c, M, orderId, r, source));
    }

    private List<JsonNode> events(String orderId, String type) {
        return db.inTransaction(c -> {
            List<JsonNode> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT payload FROM outbox_event WHERE order_id = ? AND type = ?")) {
                ps.setString(1, orderId);
                ps.setString(2, type);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(JSON.readTree(rs.getString(1)));
                    }
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return out;
        });
    }

    @Test
    void partialRefundsUpToThePaidAmountAndNotOneFenMore() {
        paidOrder("o1", 1000);
        assertThat(refunds.reserve(M, "o1", "r1", 600, "broken cup", "q1").refused()).isEmpty();
        assertThat(refunds.reserve(M, "o1", "r2", 400, null, "q2").refused()).isEmpty();
        Optional<PaymentError> third = refunds.reserve(M, "o1", "r3", 1, null, "q3").refused();
        assertThat(third).get().extracting(PaymentError::code).isEqualTo(ErrorCode.REFUND_EXCEEDS_PAID);
        assertThat(refunds.of(M, "o1")).extracting(RefundInfo::refundId).containsExactly("r1", "r2");
        assertThat(refunds.of(M, "o1")).extracting(RefundInfo::status).containsOnly(Refunds.PROCESSING);
    }

    @Test
    void aFailedRefundFreesItsAmount() {
        paidOrder("o2", 1000);
        refunds.reserve(M, "o2", "r1", 1000, null, "q1");
        assertThat(refunds.reserve(M, "o2", "r2", 1, null, "q2").refused()).isPresent();
        report("o2", new RefundInfo("r1", "wxr-1", 1000L, Refunds.FAILED, null), Source.QUERY);
        assertThat(refunds.reserve(M, "o2", "r2", 1000, null, "q2").refused()).isEmpty();
    }

    @Test
    void theSameRefundSentAgainIsAcceptedAnotherUnderItsIdIsNot() {
        paidOrder("o3", 1000);
        refunds.reserve(M, "o3", "r1", 300, null, "q1");
        assertThat(refunds.reserve(M, "o3", "r1", 300, null, "q9").refused()).isEmpty();
        assertThat(refunds.reserve(M, "o3", "r1", 300, null, "q9").sentBefore()).as("asked after, never sent twice").isTrue();
        assertThat(refunds.reserve(M, "o3", "r1", 301, null, "q9").refused()).get()
                .satisfies(e -> assertThat(e.fields()).extracting(f -> f.field()).containsExactly("refund.refundId"));
        paidOrder("o4", 1000);
        assertThat(refunds.reserve(M, "o4", "r1", 300, null, "q9").refused()).isPresent();
        assertThat(refunds.reserve(M, "nope", "r5", 300, null, "q9").refused()).get().extracting(PaymentError::code)
                .isEqualTo(ErrorCode.ORDER_NOT_FOUND);
    }

    @Test
    void aRefundThatFailedCannotBeSentAgainUnderItsId() {
        paidOrder("o9", 1000);
        assertThat(refunds.reserve(M, "o9", "r1", 100, null, "q1").sentBefore()).isFalse();
        report("o9", new RefundInfo("r1", "x-1", 100L, Refunds.FAILED, null), Source.QUERY);
        assertThat(refunds.reserve(M, "o9", "r1", 100, null, "q2").refused()).get()
                .satisfies(e -> assertThat(e.fields()).extracting(f -> f.field()).containsExactly("refund.refundId"));
    }

    @Test
    void aRefundKnownOnlyByTheProvidersIdBindsToTheOneUnboundRefundOfThatAmount() {
        paidOrder("o10", 1000);
        refunds.reserve(M, "o10", "g1", 100, null, "q1");
        refunds.reserve(M, "o10", "g2", 200, null, "q2");
        report("o10", new RefundInfo(null, "pooul-77", 200L, Refunds.SUCCESS, null), Source.QUERY);
        assertThat(refunds.find(M, "g2").orElseThrow()).satisfies(r -> {
            assertThat(r.providerRefundId()).isEqualTo("pooul-77");
            assertThat(r.status()).isEqualTo("SUCCESS");
        });
        assertThat(refunds.find(M, "g1").orElseThrow().status()).isEqualTo("PROCESSING");
        refunds.reserve(M, "o10", "g3", 100, null, "q3");
        // two unbound refunds of 100: nothing is guessed
        assertThat(report("o10", new RefundInfo(null, "pooul-78", 100L, Refunds.SUCCESS, null), Source.QUERY)).isEmpty();
    }

    @Test
    void concurrentRefundsCannotBothPassTheAmountCheck() throws Exception {
        paidOrder("o5", 1000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Optional<PaymentError>>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = "r" + i;
            Callable<Optional<PaymentError>> task = () -> {
                go.await();
                return refunds.reserve(M, "o5", id, 400, null, "q" + id).refused();
            };
            results.add(pool.submit(task));
        }
        go.countDown();
        int accepted = 0;
        for (Future<Optional<PaymentError>> f : results) {
            if (f.get().isEmpty()) {
                accepted++;
            }
        }
        pool.shutdown();
        assertThat(accepted).isEqualTo(2);
    }

    @Test
    void successMovesTheOrderToRefundAndMakesOneEventWhateverToldTheGateway() {
        paidOrder("o6", 1000);
        refunds.reserve(M, "o6", "r1", 250, null, "q1");
        assertThat(report("o6", new RefundInfo("r1", "wxr-1", 250L, Refunds.PROCESSING, null), Source.RESPONSE)).isEmpty();
        Optional<String> first = report("o6", new RefundInfo("r1", "wxr-1", 250L, Refunds.SUCCESS,
                "2026-11-22T09:40:00+08:00"), Source.NOTIFY);
        Optional<String> again = report("o6", new RefundInfo("r1", "wxr-1", 250L, Refunds.SUCCESS,
                "2026-11-22T09:40:00+08:00"), Source.QUERY);
        Optional<String> stale = report("o6", new RefundInfo("r1", "wxr-1", 250L, Refunds.FAILED, null), Source.QUERY);
        assertThat(first).isPresent();
        assertThat(again).isEmpty();
        assertThat(stale).isEmpty();
        assertThat(ledger.find(M, "o6").orElseThrow().status()).isEqualTo(PaymentStatus.REFUND);
        List<JsonNode> events = events("o6", "REFUND_SUCCEEDED");
        assertThat(events).hasSize(1);
        JsonNode e = events.get(0);
        assertThat(e.path("eventId").asText()).isEqualTo(first.get())
                .isEqualTo(Refunds.eventId(M, "o6", "r1", "REFUND_SUCCEEDED"));
        assertThat(e.path("refund").path("refundId").asText()).isEqualTo("r1");
        assertThat(e.path("refund").path("providerRefundId").asText()).isEqualTo("wxr-1");
        assertThat(e.path("refund").path("amount").asLong()).isEqualTo(250);
        assertThat(e.path("refund").path("status").asText()).isEqualTo("SUCCESS");
        assertThat(e.path("refund").path("refundedAt").asText()).isEqualTo("2026-11-22T09:40:00+08:00");
        assertThat(e.path("status").asText()).isEqualTo("REFUND");
        assertThat(e.path("source").asText()).isEqualTo("NOTIFY");
        assertThat(events("o6", "PAYMENT_SUCCEEDED")).hasSize(1);
        assertThat(refunds.find(M, "r1").orElseThrow().status()).isEqualTo("SUCCESS");
    }

    @Test
    void aRefundMadeElsewhereIsRecordedWhenAQueryReportsIt() {
        paidOrder("o7", 1000);
        report("o7", new RefundInfo("desk-1", "wxr-9", 100L, Refunds.SUCCESS, null), Source.QUERY);
        assertThat(refunds.of(M, "o7")).containsExactly(new RefundInfo("desk-1", "wxr-9", 100L, "SUCCESS", null));
        assertThat(events("o7", "REFUND_SUCCEEDED")).hasSize(1);
        // counts against what is left
        assertThat(refunds.reserve(M, "o7", "r2", 901, null, "q2").refused()).isPresent();
        assertThat(refunds.reserve(M, "o7", "r2", 900, null, "q2").refused()).isEmpty();
    }

    @Test
    void releaseDropsOnlyTheRequestsOwnUnacknowledgedReservation() {
        paidOrder("o8", 1000);
        refunds.reserve(M, "o8", "r1", 100, null, "q1");
        refunds.reserve(M, "o8", "r2", 100, null, "q2");
        report("o8", new RefundInfo("r2", "wxr-2", 100L, Refunds.PROCESSING, null), Source.RESPONSE);
        db.inTransaction(c -> {
            refunds.releaseIn(c, M, "r1", "other-request");
            refunds.releaseIn(c, M, "r2", "q2");
            return null;
        });
        assertThat(refunds.of(M, "o8")).extracting(RefundInfo::refundId).containsExactly("r1", "r2");
        db.inTransaction(c -> {
            refunds.releaseIn(c, M, "r1", "q1");
            return null;
        });
        assertThat(refunds.of(M, "o8")).extracting(RefundInfo::refundId).containsExactly("r2");
        assertThat(refunds.processing(10)).extracting(Refunds.Pending::refundId).containsExactly("r2");
    }
}
