package io.paygate.it;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/** A plain Artemis JMS client over TCP with the configured credentials, as a merchant system has. */
final class JmsClient implements AutoCloseable {
    final Connection connection;
    final Session session;
    private final ActiveMQConnectionFactory factory;

    JmsClient(int port, String user, String password) throws JMSException {
        this("tcp://127.0.0.1:" + port + "?reconnectAttempts=0", user, password);
    }

    /** The same with a broker URL of its own, e.g. a primary/backup pair's failover URL. */
    JmsClient(String url, String user, String password) throws JMSException {
        factory = new ActiveMQConnectionFactory(url);
        connection = factory.createConnection(user, password);
        connection.start();
        session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    static List<String> propertyNames(Message m) throws JMSException {
        List<String> names = new ArrayList<>();
        for (Object n : Collections.list((Enumeration<?>) m.getPropertyNames())) {
            names.add((String) n);
        }
        return names;
    }

    @Override
    public void close() throws JMSException {
        connection.close();
        factory.close();
    }
}
