package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.broker.EmbeddedBroker;
import io.paygate.broker.Messaging;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.Session;
import java.util.Optional;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQDestination;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jms.support.destination.DestinationResolver;

/**
 * Where the gateway sends a reply on the embedded broker ({@link Messaging}): a queue the broker has
 * now is a destination the Artemis client need not ask the broker about before the send (it asks
 * two or three blocking questions otherwise); a name the broker does not have, and a topic, are left
 * to the client's own check; a temporary queue that is gone has no reply destination at all.
 */
class ReplyDestinationsTest {
    private static final String USER = "reply-client";
    private static final String PASSWORD = "reply-broker-pass-5512";
    private static RouteTestSupport.Fixture fixture;
    private static Messaging messaging;

    @BeforeAll
    static void start() throws Exception {
        fixture = RouteTestSupport.Fixture.onBroker("reply", USER, PASSWORD);
        messaging = Messaging.start(fixture.settings(), fixture.merchants());
    }

    @AfterAll
    static void stop() {
        messaging.close();
        fixture.close();
    }

    private static boolean checked(Destination d) {
        return d instanceof ActiveMQDestination a && a.isCreated();
    }

    @Test
    void theQueuesTheRoutesNameAreSentToWithoutAskingTheBroker() throws Exception {
        DestinationResolver resolver = messaging.component().getConfiguration().getDestinationResolver();
        try (Connection c = messaging.connectionFactory().createConnection()) {
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            for (String queue : java.util.List.of("payments.results", "payments.requests.invalid", "payments.deliveries")) {
                Destination d = resolver.resolveDestinationName(s, queue, false);
                assertThat(d).as(queue).isInstanceOf(jakarta.jms.Queue.class);
                assertThat(((jakarta.jms.Queue) d).getQueueName()).isEqualTo(queue);
                assertThat(checked(d)).as(queue + " is one the client need not ask about").isTrue();
            }
            Destination unknown = resolver.resolveDestinationName(s, "erp.replies.unknown", false);
            assertThat(checked(unknown)).as("a queue the broker does not have: the client checks it").isFalse();
            Destination topic = resolver.resolveDestinationName(s, "payments.events", true);
            assertThat(topic).isInstanceOf(jakarta.jms.Topic.class);
            assertThat(checked(topic)).as("a topic: the client checks it").isFalse();
        }
    }

    @Test
    void aReplyToALiveTemporaryQueueIsSentAsCheckedAndToAGoneOneNotAtAll() throws Exception {
        ActiveMQConnectionFactory clients = new ActiveMQConnectionFactory(EmbeddedBroker.IN_VM_URL, USER, PASSWORD);
        String name;
        try (Connection client = clients.createConnection()) {
            name = client.createSession(false, Session.AUTO_ACKNOWLEDGE).createTemporaryQueue().getQueueName();
            // As the gateway gets it: the request's JMSReplyTo, a new object.
            Optional<Destination> live = messaging.replyDestination(ActiveMQDestination.createTemporaryQueue(name));
            assertThat(live).hasValueSatisfying(d -> assertThat(checked(d)).isTrue());
        }
        // The broker removes a closed connection's temporary queues right after the close, not in it.
        Optional<Destination> gone = messaging.replyDestination(ActiveMQDestination.createTemporaryQueue(name));
        for (long until = System.nanoTime() + 5_000_000_000L; gone.isPresent() && System.nanoTime() < until; ) {
            Thread.sleep(20);
            gone = messaging.replyDestination(ActiveMQDestination.createTemporaryQueue(name));
        }
        assertThat(gone).as("its client has gone, and the queue with it").isEmpty();

        ActiveMQDestination named = ActiveMQDestination.createQueue("erp.replies.unknown");
        assertThat(messaging.replyDestination(named)).as("a named queue the broker does not have: sent as it is")
                .hasValueSatisfying(d -> assertThat(checked(d)).isFalse());
        ActiveMQDestination topic = ActiveMQDestination.createTopic("erp.replies.topic");
        assertThat(messaging.replyDestination(topic)).containsSame(topic);
    }
}
