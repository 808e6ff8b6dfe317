package io.paygate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.broker.Messaging;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jms.connection.JmsResourceHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The gateway's {@code jms} component (Messaging) on the embedded broker, with a route of the JMS
 * entry's shape (transacted consumer, {@code CACHE_CONSUMER}, a reply sent with
 * {@code transacted=true}): the reply goes out on the session that took the request, so the two are
 * one commit. With a transaction manager (Camel's default) the reply went out on the manager's own
 * session and was committed after the request's acknowledgement: rolling back the reply's session
 * then lost the reply and kept the request taken.
 */
class TransactedSessionTest {
    private static Path dir;
    private static RouteTestSupport.Fixture fixture;
    private static Messaging messaging;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("transacted-session");
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.broker.port=0",
                "gateway.broker.user=txn-client",
                "gateway.broker.password=txn-broker-pass-4411", ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n",
                "merchants:",
                "  txn-shop:",
                "    provider: testpay",
                "    apiToken: txn-shop-token-4411",
                "    testpay: {baseUrl: 'http://127.0.0.1:9', key: txn-key-4411}", ""));
        fixture = RouteTestSupport.Fixture.load(dir, 2);
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
        CamelContext camel = new DefaultCamelContext();
        camel.addComponent("jms", messaging.component());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("jms:queue:test.txn.requests?transacted=true&cacheLevelName=CACHE_CONSUMER&disableReplyTo=true")
                        .process(ex -> deliveries.incrementAndGet())
                        .to("jms:queue:test.txn.replies?transacted=true&jmsMessageType=Text")
                        .process(ex -> {
                            Session taken = ex.getIn(JmsMessage.class).getJmsSession();
                            JmsResourceHolder bound = (JmsResourceHolder) TransactionSynchronizationManager
                                    .getResource(messaging.connectionFactory());
                            seen.add("bound session is the request's: "
                                    + (bound != null && bound.containsSession(taken)));
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
                        });
            }
        });
        camel.start();
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
     * A route that waits (a barcode PAY polling its provider, a recalled reverse) before it replies:
     * Camel's delay goes on on a timer thread unless the exchange is transacted, and there the
     * request's session is not at hand, so the reply would go out on a session of its own, committed
     * before the request's acknowledgement. The JMS entry marks its exchanges transacted
     * (JmsEntry.receive): the delay waits on the consumer's thread and the reply joins the request's commit.
     */
    @Test
    void aReplyAfterADelayIsSentOnTheRequestsSessionToo() throws Exception {
        List<String> seen = new ArrayList<>();
        CamelContext camel = new DefaultCamelContext();
        camel.addComponent("jms", messaging.component());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("jms:queue:test.txn.delayed?transacted=true&cacheLevelName=CACHE_CONSUMER&disableReplyTo=true")
                        .process(ex -> io.paygate.api.JmsEntry.markTransacted(ex))
                        .process(ex -> seen.add("consumer thread " + Thread.currentThread().getName()))
                        .delay(20)
                        .process(ex -> seen.add("after the delay " + Thread.currentThread().getName()))
                        .to("jms:queue:test.txn.delayed.replies?transacted=true&jmsMessageType=Text")
                        .process(ex -> {
                            Session taken = ex.getIn(JmsMessage.class).getJmsSession();
                            JmsResourceHolder bound = (JmsResourceHolder) TransactionSynchronizationManager
                                    .getResource(messaging.connectionFactory());
                            seen.add("bound session is the request's: " + (bound != null && bound.containsSession(taken)));
                        });
            }
        });
        camel.start();
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
}
