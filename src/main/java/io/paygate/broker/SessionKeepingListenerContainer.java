package io.paygate.broker;

import jakarta.jms.Connection;
import org.apache.activemq.artemis.jms.client.ActiveMQConnection;
import org.apache.camel.component.jms.DefaultJmsMessageListenerContainer;
import org.apache.camel.component.jms.JmsEndpoint;
import org.messaginghub.pooled.jms.JmsPoolConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's listener container, except that a consumer recovering from a failed receive or commit
 * does not close the connection it shares with the endpoint's other consumers while that connection
 * still works. Spring's container closes and reopens the shared connection on every such recovery.
 * Through the pool, closing it closes the sessions of all the endpoint's consumers, also of one in
 * the middle of a message: that session is rolled back and lent out again while its thread may still
 * send on it. A reply sent in that moment went out in the session's next transaction and was committed
 * by its next user, while the request, rolled back, was delivered again and answered a second time
 * (ArtemisHaIT, 2026-12-07: an attempt answered twice after a failover, with Artemis warning of one
 * session used by two threads). The recovering consumer has closed its own session already; the
 * Artemis connection underneath rides out a failover by itself. A connection closed for good is
 * reopened as before.
 */
final class SessionKeepingListenerContainer extends DefaultJmsMessageListenerContainer {
    private static final Logger LOG = LoggerFactory.getLogger(SessionKeepingListenerContainer.class);

    SessionKeepingListenerContainer(JmsEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    protected void refreshConnectionUntilSuccessful() {
        if (sharedConnectionEnabled() && sharedConnectionWorks()) {
            LOG.info("a consumer of {} recovered on its own session; the connection it shares with the others is kept",
                    getDestinationDescription());
            return;
        }
        super.refreshConnectionUntilSuccessful();
    }

    /** The shared connection's Artemis connection is open (connected, or reconnecting after a failover). */
    private boolean sharedConnectionWorks() {
        try {
            Connection shared = getSharedConnection();
            Connection provider = shared instanceof JmsPoolConnection pooled ? pooled.getConnection() : shared;
            return provider instanceof ActiveMQConnection artemis && !artemis.getSessionFactory().isClosed();
        } catch (Exception e) {
            return false;
        }
    }
}
