package io.paygate.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.store.Ledger;
import io.paygate.store.Ledger.OutboxEvent;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * Publishes the ledger's outbox to topic {@code payments.events} (routes/events.yaml): read the
 * pending rows, send each with the contract's properties, then mark it sent. A crash between the
 * send and the mark sends the event again after the restart with the same {@code eventId} and the
 * same Artemis duplicate-detection id, so the broker drops the copy: exactly once in effect.
 */
public final class OutboxRelay {
    /** Artemis's duplicate detection property. */
    public static final String DUPLICATE_ID = "_AMQ_DUPL_ID";

    private final Ledger ledger;
    private final ObjectMapper json;
    private final int batch;
    private final RelayProbe probe;

    public OutboxRelay(Ledger ledger, ObjectMapper json, int batch) {
        this(ledger, json, batch, RelayProbe.NONE);
    }

    /** @param probe told before each send and after it ({@link RelayProbe#NONE} in production) */
    public OutboxRelay(Ledger ledger, ObjectMapper json, int batch, RelayProbe probe) {
        this.ledger = ledger;
        this.json = json;
        this.batch = batch;
        this.probe = probe == null ? RelayProbe.NONE : probe;
    }

    public List<OutboxEvent> pending() {
        return ledger.pendingEvents(batch);
    }

    /** One event as a message: its JSON, its id for duplicate detection, and the properties to select by. */
    public void prepare(Exchange ex) throws Exception {
        OutboxEvent e = ex.getMessage().getBody(OutboxEvent.class);
        JsonNode event = json.readTree(e.payload());
        ex.getMessage().getHeaders().clear();
        io.paygate.route.RouteProperties.OUTBOX_EVENT_ID.set(ex, e.eventId());
        io.paygate.route.LogContext.event(ex, e.eventId(), text(event, "merchant"), text(event, "orderId"), text(event, "provider"));
        ex.getMessage().setHeader(DUPLICATE_ID, e.eventId());
        for (String p : List.of("merchant", "orderId", "type", "status", "storeId", "eventId")) {
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
