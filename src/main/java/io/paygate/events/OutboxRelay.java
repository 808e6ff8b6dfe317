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
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

/**
 * Publishes the ledger's outbox to topic {@code payments.events} (routes/events.yaml): read a batch
 * of pending rows (oldest first), send them with the contract's properties in one JMS transaction,
 * then mark the batch sent in one ledger transaction; a full batch is followed at once by the next
 * one, so a backlog is drained without waiting for the timer. A crash between the send and the
 * mark sends the events again after the restart with the same {@code eventId} and the same Artemis
 * duplicate-detection id, so the broker drops the copies: exactly once in effect. A crash before
 * the JMS commit sends nothing of the batch. (Artemis refuses a whole transaction holding such a
 * copy, so a refused batch is sent again one event at a time, where each copy alone is dropped.)
 *
 * <p>On a store shared by several gateways, one relays at a time: the one holding the lease
 * {@value #LEASE_KEY} ({@link Leases}), renewed while it relays. The events keep their order, and
 * when that gateway dies another takes over once its lease has run out. A relay that stalls past
 * its lease and sends again is still covered by the duplicate detection.
 */
public final class OutboxRelay {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OutboxRelay.class);
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
    private final ConnectionFactory broker;
    private final String holder = UUID.randomUUID().toString();
    /** Until when this relay holds the lease, as far as it knows (renewed at half its time). */
    private volatile Instant heldUntil = Instant.EPOCH;

    /** The lease on a shared store; who holds it relays. */
    public static final String LEASE_KEY = "outbox-relay";
    static final Duration LEASE = Duration.ofSeconds(15);

    public OutboxRelay(Ledger ledger, ObjectMapper json, int batch) {
        this(ledger, json, batch, RelayProbe.NONE, null, Clock.systemUTC(), null);
    }

    /**
     * @param probe  told before each send and after it ({@link RelayProbe#NONE} in production)
     * @param leases the store's leases when several gateways share it; null: this gateway alone relays
     * @param broker where {@link #relay()} sends (null: only {@link #pending()} and the per-event steps work)
     */
    public OutboxRelay(Ledger ledger, ObjectMapper json, int batch, RelayProbe probe, Leases leases, Clock clock,
                       ConnectionFactory broker) {
        this.broker = broker;
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

    /**
     * Relays until the outbox has no pending event (or the lease is lost): each batch sent in one
     * JMS transaction, then marked sent in one ledger transaction. Returns how many were sent.
     */
    public int relay() throws Exception {
        int sent = 0;
        while (true) {
            List<OutboxEvent> events = pending();
            if (events.isEmpty()) {
                return sent;
            }
            publish(events);
            List<String> ids = events.stream().map(OutboxEvent::eventId).toList();
            ids.forEach(probe::afterSend);
            ledger.markPublished(ids);
            sent += events.size();
            if (events.size() < batch) {
                return sent;
            }
        }
    }

    private void publish(List<OutboxEvent> events) throws Exception {
        try (Connection connection = broker.createConnection()) {
            try (Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
                send(session, events);
                session.commit();
                return;
            } catch (JMSException e) {
                // Artemis refuses a whole transaction that holds a duplicate (an event sent before a crash and
                // not marked): such a batch goes again one event at a time, where a duplicate is only dropped.
                LOG.info("a batch of {} events was refused as a transaction ({}); sending it one event at a time",
                        events.size(), e.getMessage() == null ? e.getClass().getSimpleName() : cut(e.getMessage()));
            }
            try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                send(session, events);
            }
        }
    }

    private static String cut(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80);
    }

    private void send(Session session, List<OutboxEvent> events) throws Exception {
        try (MessageProducer producer = session.createProducer(session.createTopic(io.paygate.broker.Destinations.EVENTS))) {
            for (OutboxEvent e : events) {
                TextMessage m = session.createTextMessage(e.payload());
                m.setStringProperty(DUPLICATE_ID, e.eventId());
                JsonNode event = json.readTree(e.payload());
                for (String p : EVENT_PROPERTIES) {
                    if (event.path(p).isTextual()) {
                        m.setStringProperty(p, event.get(p).asText());
                    }
                }
                probe.beforeSend(e.eventId());
                producer.send(m, jakarta.jms.DeliveryMode.PERSISTENT, jakarta.jms.Message.DEFAULT_PRIORITY,
                        jakarta.jms.Message.DEFAULT_TIME_TO_LIVE);
            }
        }
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
}
