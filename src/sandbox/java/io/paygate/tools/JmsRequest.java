package io.paygate.tools;

import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.List;
import java.util.UUID;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * A command-line JMS client of the gateway, as a merchant system would be: sends one
 * PaymentRequest to {@code payments.requests} and prints the reply, or prints the events of the
 * merchant's durable queue. A plain Artemis JMS client over TCP.
 *
 * <pre>
 * java -cp payment-gateway.jar io.paygate.tools.JmsRequest --user U --password P --token T '{"requestId":…}'
 * java -cp payment-gateway.jar io.paygate.tools.JmsRequest --user U --password P --events demo-shop [--count N]
 * </pre>
 */
public final class JmsRequest {
    private JmsRequest() {
    }

    public static void main(String[] args) throws Exception {
        ToolOptions o = new ToolOptions(args, java.util.Set.of("url", "user", "password", "token", "events", "count", "timeout"));
        String url = o.get("url", "tcp://127.0.0.1:61616");
        String user = o.get("user", null);
        String password = o.get("password", null);
        String token = o.get("token", null);
        String events = o.get("events", null);
        int count = o.intValue("count", 1);
        long timeoutMs = o.intValue("timeout", 30) * 1000L;
        List<String> rest = o.positional();
        if (user == null || password == null || (events == null && (token == null || rest.size() != 1))) {
            System.err.println("usage: JmsRequest [--url tcp://host:port] --user U --password P "
                    + "(--token T '<PaymentRequest JSON>' | --events <merchant> [--count N]) [--timeout seconds]");
            System.exit(2);
        }
        int code;
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url);
             Connection connection = cf.createConnection(user, password)) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            code = events != null ? printEvents(session, events, count, timeoutMs)
                    : request(session, token, rest.get(0), timeoutMs);
        }
        System.exit(code);
    }

    private static int request(Session session, String token, String json, long timeoutMs) throws Exception {
        Destination replies = session.createTemporaryQueue();
        TextMessage m = session.createTextMessage(json);
        m.setStringProperty("Authorization", "Bearer " + token);
        m.setJMSReplyTo(replies);
        m.setJMSCorrelationID(UUID.randomUUID().toString());
        MessageProducer producer = session.createProducer(session.createQueue("payments.requests"));
        producer.send(m);
        MessageConsumer consumer = session.createConsumer(replies);
        Message reply = consumer.receive(timeoutMs);
        if (reply == null) {
            System.err.println("no reply within " + timeoutMs / 1000 + " s");
            return 1;
        }
        if (!m.getJMSCorrelationID().equals(reply.getJMSCorrelationID())) {
            System.err.println("reply with another correlation id: " + reply.getJMSCorrelationID());
            return 1;
        }
        System.out.println(((TextMessage) reply).getText());
        return 0;
    }

    private static int printEvents(Session session, String merchant, int count, long timeoutMs) throws Exception {
        // The merchant's durable queue on the events topic (fully qualified name address::queue).
        MessageConsumer consumer = session.createConsumer(
                session.createQueue("payments.events::payments.events." + merchant));
        for (int i = 0; i < count; i++) {
            Message event = consumer.receive(timeoutMs);
            if (event == null) {
                System.err.println("no event within " + timeoutMs / 1000 + " s");
                return 1;
            }
            System.out.println(((TextMessage) event).getText());
        }
        return 0;
    }
}
