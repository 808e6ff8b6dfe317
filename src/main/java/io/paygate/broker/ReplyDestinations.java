package io.paygate.broker;

import jakarta.jms.Destination;
import java.util.Optional;

/** What the JMS entry needs to know of the broker to answer a request ({@link Messaging} is it). */
public interface ReplyDestinations {
    /**
     * The login that created a temporary queue: the login's name on the embedded broker, empty
     * when the queue is not a temporary one there, and {@link Messaging#UNKNOWN_OWNER} on an
     * external broker, which does not tell.
     */
    Optional<String> temporaryQueueOwner(String queue);

    /**
     * Where a reply to the request's {@code JMSReplyTo} goes: that destination (perhaps as an object
     * the broker need not be asked about first), or empty when it is a temporary queue that is gone
     * (its client disconnected before the answer), so that nothing is sent.
     */
    Optional<Destination> replyDestination(Destination replyTo);
}
