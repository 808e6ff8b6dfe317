package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.broker.Messaging;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.messaginghub.pooled.jms.JmsPoolSession;

/**
 * A consumer whose commit fails (here: Artemis refuses a duplicate id sent in its transaction, as a
 * failover rolls a transaction back) recovers without closing the session of another consumer of
 * the same endpoint that is in the middle of a message. Spring's container closed the connection the
 * consumers share, and with it, through the pool, the other consumer's session: its message was
 * rolled back and delivered again while the first delivery still ran, and the session, back in the
 * pool, could carry a reply sent in that moment into its next user's commit (ArtemisHaIT saw an
 * attempt answered twice). With the gateway's container the busy consumer's session stays open, its
 * message is delivered once and answered once.
 */
class ConsumerRecoveryTest {
    private static final String DUPLICATE_ID = "consumer-recovery-dup-1";
    private static Path dir;
    private static RouteTestSupport.Fixture fixture;
    private static Messaging messaging;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("consumer-recovery");
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.broker.port=0",
                "gateway.broker.user=recovery-client",
                "gateway.broker.password=recovery-broker-pass-5512", ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  recovery-shop:",
                "    provider: testpay",
                "    apiToken: recovery-shop-token-5512",
                "    testpay: {baseUrl: 'http://127.0.0.1:9', key: recovery-key-5512}", ""));
        fixture = RouteTestSupport.Fixture.load(dir, 2);
        messaging = Messaging.start(fixture.settings(), fixture.merchants());
    }

    @AfterAll
    static void stop() {
        messaging.close();
        fixture.close();
    }

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
            try (MessageProducer p = s.createProducer(s.createQueue("test.recovery.side"))) {
                TextMessage m = s.createTextMessage("first");
                m.setStringProperty("_AMQ_DUPL_ID", DUPLICATE_ID);
                p.send(m);
            }
        }
        CamelContext camel = new DefaultCamelContext();
        camel.addComponent("jms", messaging.component());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("jms:queue:test.recovery.requests?transacted=true&cacheLevelName=CACHE_CONSUMER&concurrentConsumers=2"
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
                                        try (MessageProducer p = session.createProducer(session.createQueue("test.recovery.side"))) {
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
                        .to("jms:queue:test.recovery.replies?transacted=true&jmsMessageType=Text");
            }
        });
        camel.start();
        try {
            ProducerTemplate producer = camel.createProducerTemplate();
            producer.sendBody("jms:queue:test.recovery.requests", "warm");
            producer.sendBody("jms:queue:test.recovery.requests", "warm");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (warm.get() < 2 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(warm.get()).as("both consumers warmed up").isEqualTo(2);
            producer.sendBody("jms:queue:test.recovery.requests", "slow");
            assertThat(slowStarted.await(15, TimeUnit.SECONDS)).isTrue();
            producer.sendBody("jms:queue:test.recovery.requests", "fail");
            List<String> replies = new CopyOnWriteArrayList<>();
            try (Connection c = messaging.connectionFactory().createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try (MessageConsumer replyConsumer = s.createConsumer(s.createQueue("test.recovery.replies"))) {
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

    private static boolean closed(Session session) {
        try {
            ((JmsPoolSession) session).getInternalSession();
            return false;
        } catch (Exception e) {
            return true;
        }
    }
}
