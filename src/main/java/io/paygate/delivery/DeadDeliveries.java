package io.paygate.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.api.ApiAnswer;
import io.paygate.store.Ledger;
import io.paygate.store.Ledger.OutboxEvent;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * Operators' view of callbacks (routes/admin.yaml), behind their own admin tokens: list the dead
 * deliveries, replay one or all (a fresh first attempt), and resend an order's last event.
 */
public final class DeadDeliveries {
    public static final String DLQ = "payments.deliveries.DLQ";
    public static final String DELIVERIES = "payments.deliveries";

    private final ConnectionFactory jms;
    private final Ledger ledger;
    private final ObjectMapper json;
    private final List<String> adminTokens;

    public DeadDeliveries(ConnectionFactory jms, Ledger ledger, ObjectMapper json, List<String> adminTokens) {
        this.jms = jms;
        this.ledger = ledger;
        this.json = json;
        this.adminTokens = List.copyOf(adminTokens);
    }

    /** Admin bearer token check; answers 401 and returns false otherwise. */
    public boolean authorized(Exchange ex) {
        String header = ex.getMessage().getHeader("Authorization", String.class);
        boolean ok = false;
        if (header != null && header.startsWith("Bearer ")) {
            byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
            for (String t : adminTokens) {
                ok |= MessageDigest.isEqual(given, t.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!ok) {
            ApiAnswer.finish(ex, 401, "{\"error\":{\"code\":\"UNAUTHORIZED\",\"message\":\"send Authorization: Bearer "
                    + "<an admin token of gateway.admin.tokens>\",\"retryable\":false}}");
        }
        return ok;
    }

    public void list(Exchange ex) throws Exception {
        if (!authorized(ex)) {
            return;
        }
        ArrayNode dead = json.createArrayNode();
        try (Connection c = jms.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            QueueBrowser browser = s.createBrowser(s.createQueue(DLQ));
            for (Object o : Collections.list(browser.getEnumeration())) {
                Message m = (Message) o;
                ObjectNode n = dead.addObject();
                n.put("eventId", m.getStringProperty("eventId"));
                n.put("merchant", m.getStringProperty("merchant"));
                n.put("orderId", m.getStringProperty("orderId"));
                n.put("attempts", m.getIntProperty("attempts"));
                String log = m.getStringProperty("attemptLog");
                n.set("attemptLog", log == null ? json.createArrayNode() : json.readTree(log));
                n.set("event", json.readTree(((TextMessage) m).getText()));
            }
        }
        ObjectNode out = json.createObjectNode();
        out.set("deadDeliveries", dead);
        ApiAnswer.finish(ex, 200, out.toString());
    }

    /** Replays the dead delivery of {@code eventId} (header), or every one when it is absent. */
    public void replay(Exchange ex) throws Exception {
        if (!authorized(ex)) {
            return;
        }
        String eventId = ex.getMessage().getHeader("eventId", String.class);
        String selector = eventId == null ? null : "eventId = '" + eventId.replace("'", "''") + "'";
        int moved = 0;
        try (Connection c = jms.createConnection()) {
            c.start();
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer from = s.createConsumer(s.createQueue(DLQ), selector);
            MessageProducer to = s.createProducer(s.createQueue(DELIVERIES));
            Message m;
            while ((m = from.receive(500)) != null) {
                to.send(fresh(s, ((TextMessage) m).getText(), m.getStringProperty("eventId"),
                        m.getStringProperty("merchant"), m.getStringProperty("orderId")));
                moved++;
            }
            s.commit();
        }
        if (eventId != null && moved == 0) {
            ApiAnswer.finish(ex, 404, "{\"error\":{\"code\":\"INVALID_REQUEST\",\"message\":\"no dead delivery of that event\","
                    + "\"retryable\":false}}");
            return;
        }
        ApiAnswer.finish(ex, 200, "{\"replayed\":" + moved + "}");
    }

    /** Sends an order's last event to its callback again, as a fresh first attempt. */
    public void resend(Exchange ex) throws Exception {
        if (!authorized(ex)) {
            return;
        }
        String merchant = ex.getMessage().getHeader("merchant", String.class);
        String orderId = ex.getMessage().getHeader("orderId", String.class);
        Optional<OutboxEvent> last = ledger.lastEvent(merchant, orderId);
        if (last.isEmpty()) {
            ApiAnswer.finish(ex, 404, "{\"error\":{\"code\":\"ORDER_NOT_FOUND\",\"message\":\"the order has no event\","
                    + "\"retryable\":false}}");
            return;
        }
        try (Connection c = jms.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createQueue(DELIVERIES)).send(fresh(s, last.get().payload(), last.get().eventId(), merchant, orderId));
        }
        ApiAnswer.finish(ex, 200, "{\"resent\":\"" + last.get().eventId() + "\"}");
    }

    private static Message fresh(Session s, String event, String eventId, String merchant, String orderId) throws JMSException {
        TextMessage m = s.createTextMessage(event);
        m.setStringProperty("eventId", eventId);
        m.setStringProperty("merchant", merchant);
        m.setStringProperty("orderId", orderId);
        m.setIntProperty(CallbackDelivery.ATTEMPT, 1);
        return m;
    }
}
