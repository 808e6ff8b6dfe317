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
 * {@code --seconds} after a warm-up. Prints requests per second and latency percentiles. The URL's
 * scheme picks the protocol: CORE, AMQP 1.0 or STOMP ({@link #caller}).
 *
 * <pre>
 * java -cp payment-gateway.jar io.paygate.tools.JmsLoad --user U --password P --token T --merchant M
 *      [--url tcp://127.0.0.1:61616 | amqp://127.0.0.1:61616 | stomp://127.0.0.1:61616] [--clients 8] [--seconds 20] [--warmup 5]
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
        for (int c = 0; c < clients; c++) {
            long[] latencies = new long[2_000_000];
            perClient.add(latencies);
            int client = c;
            Thread th = new Thread(() -> {
                try (Caller caller = caller(url, user, password, "L" + run + "-" + client + "-")) {
                    int n = 0;
                    int measured = 0;
                    while (System.nanoTime() < end) {
                        String id = "L" + run + "-" + client + "-" + n++;
                        String json = "{\"requestId\":\"" + id + "\",\"merchant\":\"" + merchant
                                + "\",\"operation\":\"PAY\",\"orderId\":\"" + id + "\",\"amount\":1,\"method\":\"SCAN\","
                                + "\"subject\":\"load\"}";
                        long start = System.nanoTime();
                        String reply = caller.call(id, json, "Bearer " + token);
                        long took = System.nanoTime() - start;
                        if (reply == null || !reply.contains("\"NOTPAY\"")) {
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
        long[] all = perClient.stream().flatMapToLong(l -> Arrays.stream(l, 0, (int) l[l.length - 1])).sorted().toArray();
        double rps = all.length / (double) seconds;
        System.out.printf("clients=%d seconds=%d requests=%d errors=%d rps=%.1f p50=%.1fms p99=%.1fms max=%.1fms%n",
                clients, seconds, all.length, errors.get(), rps, pct(all, 0.50), pct(all, 0.99),
                all.length == 0 ? 0.0 : all[all.length - 1] / 1e6);
    }

    /** One client connection: sends a request with correlation id {@code id}, returns the reply's body (null: none in 30 s). */
    interface Caller extends AutoCloseable {
        String call(String id, String json, String authorization) throws Exception;
    }

    /**
     * By the URL's scheme: {@code tcp://} CORE (Artemis JMS client), {@code amqp://} AMQP 1.0 (Qpid
     * JMS, which must be on the class path: scripts/bench-protocols.sh puts it there), both with a
     * temporary reply queue; {@code stomp://host:port} STOMP 1.2 on a socket, the replies on
     * payments.results selected by this client's correlation id prefix.
     */
    static Caller caller(String url, String user, String password, String prefix) throws Exception {
        if (url.startsWith("stomp://")) {
            return new StompCaller(java.net.URI.create(url), user, password, prefix);
        }
        jakarta.jms.ConnectionFactory cf = url.startsWith("amqp://")
                ? (jakarta.jms.ConnectionFactory) Class.forName("org.apache.qpid.jms.JmsConnectionFactory")
                        .getConstructor(String.class).newInstance(url)
                : new ActiveMQConnectionFactory(url);
        Connection connection = cf.createConnection(user, password);
        connection.start();
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TemporaryQueue replies = session.createTemporaryQueue();
        MessageProducer producer = session.createProducer(session.createQueue("payments.requests"));
        MessageConsumer consumer = session.createConsumer(replies);
        return new Caller() {
            @Override
            public String call(String id, String json, String authorization) throws Exception {
                TextMessage msg = session.createTextMessage(json);
                msg.setStringProperty("Authorization", authorization);
                msg.setJMSReplyTo(replies);
                msg.setJMSCorrelationID(id);
                producer.send(msg);
                TextMessage reply = (TextMessage) consumer.receive(30_000);
                return reply == null ? null : reply.getText();
            }

            @Override
            public void close() throws Exception {
                connection.close();
            }
        };
    }

    /** STOMP 1.2 frames on a socket (no receipts: the broker handles a connection's frames in order). */
    static final class StompCaller implements Caller {
        private final java.net.Socket socket;
        private final java.io.InputStream in;
        private final java.io.OutputStream out;

        StompCaller(java.net.URI uri, String user, String password, String prefix) throws Exception {
            socket = new java.net.Socket(uri.getHost(), uri.getPort());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = new java.io.BufferedOutputStream(socket.getOutputStream());
            frame("CONNECT\naccept-version:1.2\nhost:" + uri.getHost() + "\nlogin:" + user + "\npasscode:" + password
                    + "\nheart-beat:0,0\n\n");
            String connected = read();
            if (connected == null || !connected.startsWith("CONNECTED")) {
                throw new java.io.IOException("STOMP login refused: " + connected);
            }
            frame("SUBSCRIBE\nid:r\ndestination:/queue/payments.results\nack:auto\nselector:JMSCorrelationID LIKE '"
                    + prefix + "%'\n\n");
        }

        @Override
        public String call(String id, String json, String authorization) throws Exception {
            // persistent:true, as CORE and AMQP send by default: without it the broker keeps the request in memory only.
            frame("SEND\ndestination:/queue/payments.requests\npersistent:true\ncorrelation-id:" + id + "\nAuthorization:" + authorization
                    + "\n\n" + json);
            String reply = read();
            if (reply == null || !reply.startsWith("MESSAGE")) {
                return null;
            }
            return reply.substring(reply.indexOf("\n\n") + 2);
        }

        private void frame(String text) throws java.io.IOException {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.write(0);
            out.flush();
        }

        /** One frame up to its NUL, heart-beat newlines skipped. */
        private String read() throws java.io.IOException {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == 0) {
                    return b.toString(java.nio.charset.StandardCharsets.UTF_8);
                }
                if (b.size() == 0 && (c == '\n' || c == '\r')) {
                    continue;
                }
                b.write(c);
            }
            return null;
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
