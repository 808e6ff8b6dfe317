package io.paygate.tools;

import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * A load harness for the JMS entry: {@code --clients} connections each send PAY requests (new
 * orders) to {@code payments.requests} and wait for each reply on their temporary queue, for
 * {@code --seconds} after a warm-up. Prints requests per second and latency percentiles.
 *
 * <pre>
 * java -cp payment-gateway.jar io.paygate.tools.JmsLoad --user U --password P --token T --merchant M
 *      [--url tcp://127.0.0.1:61616] [--clients 8] [--seconds 20] [--warmup 5]
 * </pre>
 */
public final class JmsLoad {
    private JmsLoad() {
    }

    public static void main(String[] args) throws Exception {
        ToolOptions o = new ToolOptions(args, java.util.Set.of("url", "user", "password", "token", "merchant", "clients",
                "seconds", "warmup"));
        String url = o.get("url", "tcp://127.0.0.1:61616");
        String user = o.get("user", null);
        String password = o.get("password", null);
        String token = o.get("token", null);
        String merchant = o.get("merchant", null);
        int clients = o.intValue("clients", 8);
        int seconds = o.intValue("seconds", 20);
        int warmup = o.intValue("warmup", 5);
        if (user == null || password == null || token == null || merchant == null) {
            System.err.println("usage: JmsLoad --user U --password P --token T --merchant M [--url ..] [--clients N] "
                    + "[--seconds S] [--warmup W]");
            System.exit(2);
        }
        String run = Long.toString(System.currentTimeMillis(), 36);
        long warmupEnd = System.nanoTime() + warmup * 1_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        AtomicLong errors = new AtomicLong();
        List<long[]> perClient = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url)) {
            for (int c = 0; c < clients; c++) {
                long[] latencies = new long[2_000_000];
                perClient.add(latencies);
                int client = c;
                String u = user;
                String p = password;
                String t = token;
                String m = merchant;
                Thread th = new Thread(() -> {
                    try (Connection connection = cf.createConnection(u, p)) {
                        connection.start();
                        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                        TemporaryQueue replies = session.createTemporaryQueue();
                        MessageProducer producer = session.createProducer(session.createQueue("payments.requests"));
                        MessageConsumer consumer = session.createConsumer(replies);
                        int n = 0;
                        int measured = 0;
                        while (System.nanoTime() < end) {
                            String id = "L" + run + "-" + client + "-" + n++;
                            TextMessage msg = session.createTextMessage("{\"requestId\":\"" + id + "\",\"merchant\":\"" + m
                                    + "\",\"operation\":\"PAY\",\"orderId\":\"" + id + "\",\"amount\":1,\"method\":\"SCAN\","
                                    + "\"subject\":\"load\"}");
                            msg.setStringProperty("Authorization", "Bearer " + t);
                            msg.setJMSReplyTo(replies);
                            msg.setJMSCorrelationID(id);
                            long start = System.nanoTime();
                            producer.send(msg);
                            TextMessage reply = (TextMessage) consumer.receive(30_000);
                            long took = System.nanoTime() - start;
                            if (reply == null || !reply.getText().contains("\"NOTPAY\"")) {
                                errors.incrementAndGet();
                            } else if (start > warmupEnd && measured < latencies.length) {
                                latencies[measured++] = took;
                            }
                        }
                        latencies[latencies.length - 1] = measured;
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        System.err.println("client " + client + ": " + e);
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
        }
        long[] all = perClient.stream().flatMapToLong(l -> Arrays.stream(l, 0, (int) l[l.length - 1])).sorted().toArray();
        double rps = all.length / (double) seconds;
        System.out.printf("clients=%d seconds=%d requests=%d errors=%d rps=%.1f p50=%.1fms p99=%.1fms max=%.1fms%n",
                clients, seconds, all.length, errors.get(), rps, pct(all, 0.50), pct(all, 0.99),
                all.length == 0 ? 0.0 : all[all.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
