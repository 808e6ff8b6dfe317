package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.Json;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import io.paygate.events.OutboxRelay;
import io.paygate.events.RelayProbe;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two gateways' outbox relays on one store: one relays at a time, the other takes over when it stops. */
class SharedStoreRelayTest {
    private static final ObjectMapper JSON = Json.mapper();

    @TempDir
    Path dir;

    private OpenStore opened;
    private Database db;
    private LedgerTest.MutableClock clock;
    private Ledger ledger;

    @BeforeEach
    void open() {
        opened = OpenStore.at(dir, 4);
        db = opened.db();
        clock = opened.clock();
        ledger = new Ledger(db, JSON, clock);
        ledger.create(LedgerTest.pay("ORD-1", 100));
        ledger.apply(new Transition("acme", "ORD-1", PaymentStatus.SUCCESS, Source.NOTIFY, "wx-1", null, 100L, null,
                clock.instant(), null));
    }

    @AfterEach
    void close() {
        opened.close();
    }

    private OutboxRelay relay() {
        return new OutboxRelay(ledger, JSON, 100, RelayProbe.NONE, new Leases(db, clock), clock, null);
    }

    @Test
    void oneGatewayRelaysAtATimeAndAnotherTakesOverWhenItStops() {
        OutboxRelay a = relay();
        OutboxRelay b = relay();
        assertThat(a.pending()).hasSize(1);
        assertThat(b.pending()).as("a holds the relay").isEmpty();
        clock.advance(Duration.ofSeconds(10));
        assertThat(a.pending()).as("a goes on, renewing its lease").hasSize(1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(b.pending()).as("a renewed 10 s ago").isEmpty();
        // a stops (killed): once its lease has run out, b relays
        clock.advance(Duration.ofSeconds(16));
        assertThat(b.pending()).hasSize(1);
        assertThat(a.pending()).as("back, but b holds the relay now").isEmpty();
    }

    @Test
    void aGatewayAloneOnItsStoreNeedsNoLease() {
        OutboxRelay alone = new OutboxRelay(ledger, JSON, 100);
        assertThat(alone.pending()).hasSize(1);
        assertThat(relay().pending()).as("took no lease").hasSize(1);
    }
}
