package io.paygate.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.store.Ledger;
import io.paygate.store.Ledger.OutboxEvent;
import io.paygate.store.Leases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.camel.Exchange;

/**
 * Publishes the ledger's outbox to topic {@code payments.events} (routes/events.yaml): read the
 * pending rows, send each with the contract's properties, then mark it sent. A crash between the
 * send and the mark sends the event again after the restart with the same {@code eventId} and the
 * same Artemis duplicate-detection id, so the broker drops the copy: exactly once in effect.
 *
 * <p>On a store shared by several gateways, one relays at a time: the one holding the lease
 * {@value #LEASE_KEY} ({@link Leases}), renewed while it relays. The events keep their order, and
 * when that gateway dies another takes over once its lease has run out. A relay that stalls past
 * its lease and sends again is still covered by the duplicate detection.
 */
public final class OutboxRelay {
    /** Artemis's duplicate detection property. */
    public static final String DUPLICATE_ID = "_AMQ_DUPL_ID";
    /** The properties of an event message to select by (beside {@link #DUPLICATE_ID}); docs/asyncapi.yaml documents each. */
    public static final List<String> EVENT_PROPERTIES = List.of("merchant", "orderId", "type", "status", "storeId", "eventId");

    private final Ledger ledger;
    private final ObjectMapper json;
    private final int batch;
    private final RelayProbe probe;
    private final Leases leases;
    private final Clock clock;
    private final String holder = UUID.randomUUID().toString();
    /** Until when this relay holds the lease, as far as it knows (renewed at half its time). */
    private volatile Instant heldUntil = Instant.EPOCH;

    /** The lease on a shared store; who holds it relays. */
    public static final String LEASE_KEY = "outbox-relay";
    static final Duration LEASE = Duration.ofSeconds(15);

    public OutboxRelay(Ledger ledger, ObjectMapper json, int batch) {
        this(ledger, json, batch, RelayProbe.NONE, null, Clock.systemUTC());
    }

    /**
     * @param probe  told before each send and after it ({@link RelayProbe#NONE} in production)
     * @param leases the store's leases when several gateways share it; null: this gateway alone relays
     */
    public OutboxRelay(Ledger ledger, ObjectMapper json, int batch, RelayProbe probe, Leases leases, Clock clock) {
        this.ledger = ledger;
        this.json = json;
        this.batch = batch;
        this.probe = probe == null ? RelayProbe.NONE : probe;
        this.leases = leases;
        this.clock = clock;
    }

    /** The events to publish now: none while another gateway on the store holds the relay's lease. */
    public List<OutboxEvent> pending() {
        if (!holdsLease()) {
            return List.of();
        }
        return ledger.pendingEvents(batch);
    }

    private boolean holdsLease() {
        if (leases == null) {
            return true;
        }
        Instant now = clock.instant();
        if (now.isBefore(heldUntil.minus(LEASE.dividedBy(2)))) {
            return true;
        }
        Instant until = now.plus(LEASE);
        if (leases.tryTake(LEASE_KEY, holder, until)) {
            heldUntil = until;
            return true;
        }
        heldUntil = Instant.EPOCH;
        return false;
    }

    /** One event as a message: its JSON, its id for duplicate detection, and the properties to select by. */
    public void prepare(Exchange ex) throws Exception {
        OutboxEvent e = ex.getMessage().getBody(OutboxEvent.class);
        JsonNode event = json.readTree(e.payload());
        ex.getMessage().getHeaders().clear();
        io.paygate.route.RouteProperties.OUTBOX_EVENT_ID.set(ex, e.eventId());
        io.paygate.route.LogContext.event(ex, e.eventId(), text(event, "merchant"), text(event, "orderId"), text(event, "provider"));
        ex.getMessage().setHeader(DUPLICATE_ID, e.eventId());
        for (String p : EVENT_PROPERTIES) {
            if (event.path(p).isTextual()) {
                ex.getMessage().setHeader(p, event.get(p).asText());
            }
        }
        ex.getMessage().setBody(e.payload());
        probe.beforeSend(e.eventId());
    }

    private static String text(JsonNode event, String field) {
        return event.path(field).isTextual() ? event.get(field).asText() : null;
    }

    public void published(Exchange ex) {
        String eventId = io.paygate.route.RouteProperties.OUTBOX_EVENT_ID.get(ex);
        probe.afterSend(eventId);
        ledger.markPublished(eventId);
    }
}
