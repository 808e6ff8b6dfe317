package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.broker.Messaging;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.messaginghub.pooled.jms.JmsPoolSession;
import org.springframework.jms.connection.JmsResourceHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The gateway's {@code jms} component (Messaging) on the embedded broker, with a route of the JMS
 * entry's shape (transacted consumer, {@code CACHE_CONSUMER}, a reply sent with
 * {@code transacted=true}): the reply goes out on the session that took the request, so the two are
 * one commit. With a transaction manager (Camel's default) the reply went out on the manager's own
 * session and was committed after the request's acknowledgement: rolling back the reply's session
 * then lost the reply and kept the request taken. It stays one commit after a delay in the route,
 * and when another consumer of the endpoint fails its commit and recovers.
 */
class TransactedSessionTest {
    private static final String DUPLICATE_ID = "transacted-session-dup-1";
    private static RouteTestSupport.Fixture fixture;
    private static Messaging messaging;

    @BeforeAll
    static void start() throws Exception {
        fixture = RouteTestSupport.Fixture.onBroker("txn", "txn-client", "txn-broker-pass-4411");
        messaging = Messaging.start(fixture.settings(), fixture.merchants());
    }

    @AfterAll
    static void stop() {
        messaging.close();
        fixture.close();
    }

    @Test
    void theReplyIsSentOnTheRequestsSessionAndRollsBackWithIt() throws Exception {
        AtomicInteger deliveries = new AtomicInteger();
        List<String> seen = new ArrayList<>();
        CamelContext camel = started(r -> r.from("jms:queue:test.txn.requests?transacted=true&cacheLevelName=CACHE_CONSUMER&disableReplyTo=true")
                        .process(ex -> deliveries.incrementAndGet())
                        .to("jms:queue:test.txn.replies?transacted=true&jmsMessageType=Text")
                        .process(ex -> {
                            JmsResourceHolder bound = bound();
                            seen.add(boundIsTheRequests(ex));
                            // The reply is not visible before the consumer's commit: the producer
                            // did not commit a session of its own.
                            try (Connection c = messaging.connectionFactory().createConnection()) {
                                c.start();
                                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                                try (MessageConsumer peek = s.createConsumer(s.createQueue("test.txn.replies"))) {
                                    seen.add("reply visible before commit: " + (peek.receive(200) != null));
                                }
                            }
                            if (deliveries.get() == 1 && bound != null) {
                                // What a failover does to the session the reply went out on.
                                bound.getSession().rollback();
                            }
                        }));
        try {
            ProducerTemplate producer = camel.createProducerTemplate();
            producer.sendBody("jms:queue:test.txn.requests", "request-1");
            List<String> replies = new ArrayList<>();
            try (Connection c = messaging.connectionFactory().createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try (MessageConsumer replyConsumer = s.createConsumer(s.createQueue("test.txn.replies"))) {
                    TextMessage first = (TextMessage) replyConsumer.receive(15_000);
                    if (first != null) {
                        replies.add(first.getText());
                        TextMessage second = (TextMessage) replyConsumer.receive(1_500);
                        if (second != null) {
                            replies.add(second.getText());
                        }
                    }
                }
            }
            assertThat(replies).as("the rolled-back reply went with its request; the request's second delivery replied once")
                    .containsExactly("request-1");
            assertThat(deliveries.get()).as("the request came back after the rollback").isEqualTo(2);
            assertThat(seen).as("what the route saw").contains("bound session is the request's: true")
                    .doesNotContain("reply visible before commit: true", "bound session is the request's: false");
        } finally {
            camel.close();
        }
    }

    /**
     * A reply to a queue the broker does not have, and may not make (payments.*), leaves the
     * request's transaction whole: the request is taken once. Messaging's destination resolver spares
     * the client's questions to the broker only for queues the broker has. A destination marked as
     * checked that the broker does not have would pass the send, and the broker would refuse the
     * whole transaction at its commit ("Address Does Not Exist"), so the request would come back
     * again and again. (Asked, the Artemis client does not fail here either: it falls back to the
     * 1.x name jms.queue.payments.nowhere, which the broker makes, and the reply goes there.)
     */
    @Test
    void aReplyToAQueueTheBrokerDoesNotHaveLeavesTheRequestsTransactionWhole() throws Exception {
        AtomicInteger deliveries = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        CamelContext camel = started(r -> r.from("jms:queue:test.txn.nowhere?transacted=true&cacheLevelName=CACHE_CONSUMER&disableReplyTo=true")
                        .process(ex -> deliveries.incrementAndGet())
                        .setHeader("CamelJmsDestinationName", r.constant("payments.nowhere"))
                        .doTry()
                            .to("jms:queue:payments.results?transacted=true&jmsMessageType=Text")
                        .doCatch(Exception.class)
                            .process(ex -> failures.add(String.valueOf(ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class))))
                        .end()
                        .removeHeader("CamelJmsDestinationName")
                        .to("jms:queue:test.txn.nowhere.done?transacted=true"));
        try {
            camel.createProducerTemplate().sendBody("jms:queue:test.txn.nowhere", "request-n");
            List<String> done = new ArrayList<>();
            try (Connection c = messaging.connectionFactory().createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try (MessageConsumer consumer = s.createConsumer(s.createQueue("test.txn.nowhere.done"))) {
                    for (TextMessage m = (TextMessage) consumer.receive(15_000); m != null; m = (TextMessage) consumer.receive(2_000)) {
                        done.add(m.getText());
                    }
                }
            }
            assertThat(done).as("the request's transaction committed once").containsExactly("request-n");
            assertThat(deliveries.get()).as("the request was taken at its first delivery").isEqualTo(1);
            assertThat(failures).as("the reply's send did not fail").isEmpty();
        } finally {
            camel.close();
        }
    }

    /**
     * A route that waits (a barcode PAY polling its provider, a recalled reverse) before it replies:
     * Camel's delay goes on on a timer thread unless the exchange is transacted, and there the
     * request's session is not at hand, so the reply would go out on a session of its own, committed
     * before the request's acknowledgement. The JMS entry marks its exchanges transacted
     * (JmsEntry.receive): the delay waits on the consumer's thread and the reply joins the request's commit.
     */
    @Test
    void aReplyAfterADelayIsSentOnTheRequestsSessionToo() throws Exception {
        List<String> seen = new ArrayList<>();
        CamelContext camel = started(r -> r.from("jms:queue:test.txn.delayed?transacted=true&cacheLevelName=CACHE_CONSUMER&disableReplyTo=true")
                        .process(ex -> io.paygate.api.JmsEntry.markTransacted(ex))
                        .process(ex -> seen.add("consumer thread " + Thread.currentThread().getName()))
                        .delay(20)
                        .process(ex -> seen.add("after the delay " + Thread.currentThread().getName()))
                        .to("jms:queue:test.txn.delayed.replies?transacted=true&jmsMessageType=Text")
                        .process(ex -> seen.add(boundIsTheRequests(ex))));
        try {
            camel.createProducerTemplate().sendBody("jms:queue:test.txn.delayed", "request-2");
            try (Connection c = messaging.connectionFactory().createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try (MessageConsumer replyConsumer = s.createConsumer(s.createQueue("test.txn.delayed.replies"))) {
                    TextMessage reply = (TextMessage) replyConsumer.receive(15_000);
                    assertThat(reply).isNotNull();
                    assertThat(reply.getText()).isEqualTo("request-2");
                }
            }
            assertThat(seen).hasSize(3);
            assertThat(seen.get(1)).as("the delay waited on the consumer's thread")
                    .isEqualTo(seen.get(0).replace("consumer thread", "after the delay"));
            assertThat(seen.get(2)).isEqualTo("bound session is the request's: true");
        } finally {
            camel.close();
        }
    }

    /**
     * A consumer whose commit fails (here: Artemis refuses a duplicate id sent in its transaction, as
     * a failover rolls a transaction back) recovers without closing the session of another consumer
     * of the same endpoint that is in the middle of a message. Spring's container closed the
     * connection the consumers share, and with it, through the pool, the other consumer's session:
     * its message was rolled back and delivered again while the first delivery still ran, and the
     * session, back in the pool, could carry a reply sent in that moment into its next user's commit
     * (ArtemisHaIT saw an attempt answered twice). With the gateway's container
     * (SessionKeepingListenerContainer) the busy consumer's session stays open, its message is
     * delivered once and answered once.
     */
    @Test
    void aConsumersFailedCommitLeavesTheOtherConsumersSessionAndMessageAlone() throws Exception {
        AtomicInteger warm = new AtomicInteger();
        AtomicInteger slowDeliveries = new AtomicInteger();
        AtomicInteger failDeliveries = new AtomicInteger();
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch failHandled = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Connection c = messaging.connectionFactory().createConnection()) {
            // The id the failing consumer sends again: a duplicate in a transaction makes its commit fail.
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (MessageProducer p = s.createProducer(s.createQueue("test.txn.recovery.side"))) {
                TextMessage m = s.createTextMessage("first");
                m.setStringProperty("_AMQ_DUPL_ID", DUPLICATE_ID);
                p.send(m);
            }
        }
        CamelContext camel = started(r -> r.from("jms:queue:test.txn.recovery.requests?transacted=true&cacheLevelName=CACHE_CONSUMER&concurrentConsumers=2"
                        + "&disableReplyTo=true&receiveTimeout=200")
                        .process(ex -> {
                            String body = ex.getIn().getBody(String.class);
                            Session session = ex.getIn(JmsMessage.class).getJmsSession();
                            switch (body) {
                                case "warm" -> warm.incrementAndGet();
                                case "slow" -> {
                                    slowDeliveries.incrementAndGet();
                                    slowStarted.countDown();
                                    // Busy with its message while the other consumer fails and recovers.
                                    boolean failed = failHandled.await(10, TimeUnit.SECONDS);
                                    seen.add("the other consumer took the failing message: " + failed);
                                    boolean closed = false;
                                    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3); !closed && System.nanoTime() < end; ) {
                                        closed = closed(session);
                                        Thread.sleep(20);
                                    }
                                    seen.add("session closed under the busy consumer: " + closed);
                                }
                                case "fail" -> {
                                    if (failDeliveries.incrementAndGet() == 1) {
                                        try (MessageProducer p = session.createProducer(session.createQueue("test.txn.recovery.side"))) {
                                            TextMessage m = session.createTextMessage("again");
                                            m.setStringProperty("_AMQ_DUPL_ID", DUPLICATE_ID);
                                            p.send(m);
                                        }
                                        failHandled.countDown();
                                    }
                                }
                                default -> throw new IllegalStateException(body);
                            }
                        })
                        .to("jms:queue:test.txn.recovery.replies?transacted=true&jmsMessageType=Text"));
        try {
            ProducerTemplate producer = camel.createProducerTemplate();
            producer.sendBody("jms:queue:test.txn.recovery.requests", "warm");
            producer.sendBody("jms:queue:test.txn.recovery.requests", "warm");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (warm.get() < 2 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(warm.get()).as("both consumers warmed up").isEqualTo(2);
            producer.sendBody("jms:queue:test.txn.recovery.requests", "slow");
            assertThat(slowStarted.await(15, TimeUnit.SECONDS)).isTrue();
            producer.sendBody("jms:queue:test.txn.recovery.requests", "fail");
            List<String> replies = new CopyOnWriteArrayList<>();
            try (Connection c = messaging.connectionFactory().createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try (MessageConsumer replyConsumer = s.createConsumer(s.createQueue("test.txn.recovery.replies"))) {
                    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                         System.nanoTime() < end && !(replies.contains("fail") && replies.contains("slow")); ) {
                        TextMessage m = (TextMessage) replyConsumer.receive(500);
                        if (m != null) {
                            replies.add(m.getText());
                        }
                    }
                    TextMessage late;
                    while ((late = (TextMessage) replyConsumer.receive(1_500)) != null) {
                        replies.add(late.getText());
                    }
                }
            }
            assertThat(seen).as("what the busy consumer saw").containsExactly(
                    "the other consumer took the failing message: true", "session closed under the busy consumer: false");
            assertThat(failDeliveries.get()).as("the failing message's commit failed, so it came again").isEqualTo(2);
            assertThat(slowDeliveries.get()).as("the busy consumer's message was delivered once").isEqualTo(1);
            assertThat(replies.stream().filter(r -> !r.equals("warm")).sorted().toList())
                    .as("one reply to each message, the failed commit's reply rolled back").containsExactly("fail", "slow");
        } finally {
            camel.close();
        }
    }

    /** A Camel context with the gateway's {@code jms} component and these routes, started. */
    private static CamelContext started(Consumer<RouteBuilder> routes) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.addComponent("jms", messaging.component());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                routes.accept(this);
            }
        });
        camel.start();
        return camel;
    }

    /** The session bound to this thread for the producers: the listener's, while it handles a message. */
    private static JmsResourceHolder bound() {
        return (JmsResourceHolder) TransactionSynchronizationManager.getResource(messaging.connectionFactory());
    }

    private static String boundIsTheRequests(Exchange ex) {
        JmsResourceHolder bound = bound();
        return "bound session is the request's: " + (bound != null && bound.containsSession(ex.getIn(JmsMessage.class).getJmsSession()));
    }

    private static boolean closed(Session session) {
        try {
            ((JmsPoolSession) session).getInternalSession();
            return false;
        } catch (Exception e) {
            return true;
        }
    }
}
