package io.paygate.it;

import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A steady JMS load for the live-change tests: PAY request-reply over the Artemis CORE client, a few
 * a second, one at a time on one temporary reply queue. Each reply must come within 30 s, carry the
 * request's correlation id and answer NOTPAY; a reply with another id (a duplicate or a stray) is a
 * failure, and so is any reply still arriving after the load stops (each request answered exactly once).
 */
final class JmsPayLoad implements Runnable {
    final AtomicBoolean stop = new AtomicBoolean();
    final List<String> failures = new CopyOnWriteArrayList<>();
    /** Per answered request: {start nanos, latency nanos}. */
    final List<long[]> samples = new CopyOnWriteArrayList<>();
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger replies = new AtomicInteger();
    final AtomicInteger leftOver = new AtomicInteger();
    private final int brokerPort;
    private final String user;
    private final String password;
    private final String token;
    private final String prefix;
    private final Function<String, String> payBody;

    /**
     * @param payBody the PAY request (JSON) for an order id; the answer must be NOTPAY
     * @param prefix the order ids' prefix
     */
    JmsPayLoad(int brokerPort, String user, String password, String token, String prefix, Function<String, String> payBody) {
        this.brokerPort = brokerPort;
        this.user = user;
        this.password = password;
        this.token = token;
        this.prefix = prefix;
        this.payBody = payBody;
    }

    @Override
    public void run() {
        try (JmsClient c = new JmsClient(brokerPort, user, password)) {
            TemporaryQueue replyQueue = c.session.createTemporaryQueue();
            MessageConsumer consumer = c.session.createConsumer(replyQueue);
            MessageProducer producer = c.session.createProducer(c.session.createQueue("payments.requests"));
            while (!stop.get()) {
                String orderId = prefix + sent.incrementAndGet();
                String correlation = "corr-" + orderId;
                TextMessage m = c.session.createTextMessage(payBody.apply(orderId));
                m.setStringProperty("Authorization", "Bearer " + token);
                m.setJMSReplyTo(replyQueue);
                m.setJMSCorrelationID(correlation);
                long t0 = System.nanoTime();
                producer.send(m);
                Message reply = consumer.receive(30_000);
                long took = System.nanoTime() - t0;
                if (reply == null) {
                    failures.add("JMS PAY " + orderId + ": no reply within 30 s");
                    continue;
                }
                replies.incrementAndGet();
                samples.add(new long[] {t0, took});
                String body = ((TextMessage) reply).getText();
                if (!correlation.equals(reply.getJMSCorrelationID())) {
                    failures.add("JMS PAY " + orderId + ": reply for " + reply.getJMSCorrelationID());
                } else if (!body.contains("\"NOTPAY\"") || body.contains("\"error\"")) {
                    failures.add("JMS PAY " + orderId + ": " + body);
                }
                Thread.sleep(250);
            }
            Message extra;
            while ((extra = consumer.receive(2_000)) != null) {
                leftOver.incrementAndGet();
                failures.add("JMS: an extra reply for " + extra.getJMSCorrelationID());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failures.add("JMS load: " + e);
        }
    }

    /** Latencies of the requests sent in [from, to). */
    List<Long> latencies(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (long[] s : samples) {
            if (s[0] >= from && s[0] < to) {
                l.add(s[1]);
            }
        }
        return l;
    }
}
