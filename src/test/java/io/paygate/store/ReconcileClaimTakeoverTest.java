package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways' sweeps on one store (docs/deployment.md, "Several gateways"): a claim of a sweep of
 * a gateway that died is taken over once that gateway's heartbeat is older than the idempotency
 * lease, not only when the claim lapses; a live gateway's claim and a till's request hold are kept.
 */
class ReconcileClaimTakeoverTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final Duration LEASE = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private OpenStore opened;
    private Database db;
    private LedgerTest.MutableClock clock;

    @BeforeEach
    void open() {
        opened = OpenStore.at(dir, 4);
        db = opened.db();
        clock = opened.clock();
        Ledger ledger = new Ledger(db, JSON, clock);
        ledger.create(LedgerTest.pay("ORD-1", 100));
        ledger.create(LedgerTest.pay("ORD-2", 100));
    }

    @AfterEach
    void close() {
        opened.close();
    }

    @Test
    void aDeadGatewaysSweepClaimIsTakenOverOnceItsHeartbeatIsStale() {
        IdempotencyStore deadProcess = new IdempotencyStore(db, clock, "process-dead", LEASE);
        IdempotencyStore liveProcess = new IdempotencyStore(db, clock, "process-live", LEASE);
        ReconcileQueue dead = new ReconcileQueue(db, deadProcess.owner(), LEASE);
        ReconcileQueue live = new ReconcileQueue(db, liveProcess.owner(), LEASE);
        Instant now = clock.instant();
        String deadOwner = "sweep:" + java.util.UUID.randomUUID() + dead.ownerSuffix();
        assertThat(dead.claimOrder("acme", "ORD-1", deadOwner, now, now.plusSeconds(120))).isTrue();
        // a till's request holds ORD-2 (its owner carries no process): never taken before it lapses
        assertThat(live.claimOrder("acme", "ORD-2", ReconcileQueue.requestOwner("acme", "r@2"), now, now.plusSeconds(120)))
                .isTrue();

        String liveOwner = "sweep:" + java.util.UUID.randomUUID() + live.ownerSuffix();
        assertThat(live.claimOrder("acme", "ORD-1", liveOwner, now, now.plusSeconds(120)))
                .as("the other gateway is alive: its claim holds").isFalse();
        assertThat(live.dueOrders(now.plusSeconds(1), now.plusSeconds(1), now.plusSeconds(1), now.minusSeconds(3600), false, 10))
                .isEmpty();

        clock.advance(LEASE.plusSeconds(1));
        liveProcess.heartbeat(); // the live one beats, the dead one no longer
        Instant later = clock.instant();
        assertThat(live.dueOrders(later, later, later, now.minusSeconds(3600), false, 10)).extracting(ReconcileQueue.DueOrder::orderId)
                .containsExactly("ORD-1");
        assertThat(live.claimOrder("acme", "ORD-2", liveOwner, later, later.plusSeconds(120)))
                .as("a till's hold lapses only at its time").isFalse();
        assertThat(live.claimOrder("acme", "ORD-1", liveOwner, later, later.plusSeconds(120)))
                .as("the dead gateway's claim is taken over").isTrue();
        assertThat(dead.renewOrder("acme", "ORD-1", deadOwner, later.plusSeconds(120)))
                .as("the dead one, come back, no longer holds it").isFalse();
        String otherLive = "sweep:" + java.util.UUID.randomUUID() + live.ownerSuffix();
        assertThat(live.claimOrder("acme", "ORD-1", otherLive, later, later.plusSeconds(120)))
                .as("the live gateway's own claim holds").isFalse();
    }

    @Test
    void aTillsHoldOfLongIdsFitsTheClaimAndIsTheSameForTheSameRequest() {
        String merchant = "m".repeat(64);
        String requestId = "r".repeat(64);
        String owner = ReconcileQueue.requestOwner(merchant, requestId);
        assertThat(owner).startsWith("request:").hasSizeLessThanOrEqualTo(80)
                .isEqualTo(ReconcileQueue.requestOwner(merchant, requestId))
                .isNotEqualTo(ReconcileQueue.requestOwner(merchant, "r".repeat(63) + "s"));
        assertThat(ReconcileQueue.requestOwner("acme", "r-1")).isEqualTo("request:acme:r-1");
        ReconcileQueue queue = new ReconcileQueue(db);
        Instant now = clock.instant();
        assertThat(queue.claimOrder("acme", "ORD-1", owner, now, now.plusSeconds(60))).isTrue();
        assertThat(queue.renewOrder("acme", "ORD-1", ReconcileQueue.requestOwner(merchant, requestId), now.plusSeconds(90)))
                .as("the same request's owner holds it").isTrue();
    }

    @Test
    void aStatementTheStoreRefusesForGoodIsARefusalNotAnOutage() {
        // A value longer than its column (SQLState 22001): no retry changes it (routes/errors.yaml).
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> db.inTransaction(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement("UPDATE payment_order SET claim_owner = ? WHERE order_id = ?")) {
                ps.setString(1, "x".repeat(200));
                ps.setString(2, "ORD-1");
                return ps.executeUpdate();
            }
        })).isInstanceOf(StoreRefusedException.class).isInstanceOf(StoreException.class);
    }
}
