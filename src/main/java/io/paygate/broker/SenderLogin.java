package io.paygate.broker;

import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.utils.CompositeAddress;

/**
 * A broker plugin that tells the gateway who sent a request: every message sent to
 * {@code payments.requests} gets the property {@value #PROPERTY} set to the login the broker
 * validated for the sending connection, whatever the client put there; on every other address a
 * client's value is removed. The gateway trusts nothing else about the sender: a JMS client may
 * set {@code JMSXUserID} and an AMQP client the {@code user-id} as it likes, and the broker's own
 * {@code populate-validated-user} is ignored for AMQP messages, so a forged
 * {@code _AMQ_VALIDATED_USER} would pass through (docs/messaging.md, "Who may do what").
 *
 * <p>The embedded broker registers it; an external broker needs this class on its classpath and
 * {@code <broker-plugins>} naming it (docs/broker.xml). Depends on nothing but artemis-server.
 */
public final class SenderLogin implements ActiveMQServerMessagePlugin {
    /** The property holding the validated login of a request's sender. */
    public static final String PROPERTY = "_paygate_login";
    private static final SimpleString KEY = SimpleString.of(PROPERTY);

    @Override
    public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct,
                           boolean noAutoCreateQueue) throws ActiveMQException {
        boolean request = Destinations.REQUESTS.equals(bareAddress(message.getAddress()));
        boolean present = message.containsProperty(KEY);
        if (!request && !present) {
            return;
        }
        message.removeProperty(KEY);
        String login = session == null ? null : session.getValidatedUser();
        if (login == null && session != null) {
            login = session.getUsername();
        }
        if (request && login != null) {
            message.putStringProperty(KEY, SimpleString.of(login));
        }
        // An AMQP message keeps its encoded form until told; a core message is re-encoded lazily.
        message.reencode();
    }

    /** The address without a STOMP/AMQP prefix (/queue/, queue://) or a fully qualified queue name. */
    static String bareAddress(String address) {
        if (address == null) {
            return null;
        }
        String a = CompositeAddress.extractAddressName(address);
        int slash = a.lastIndexOf('/');
        return slash < 0 ? a : a.substring(slash + 1);
    }
}
