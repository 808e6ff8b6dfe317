package io.paygate.it;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A merchant's callback endpoint for the tests: records every call, checks its signature with its
 * own HMAC code, and answers with the status planned for the order (default 200).
 */
final class CallbackServer implements AutoCloseable {
    record Call(String eventId, String orderId, String body, boolean signatureValid, String query) {
    }

    private final HttpServer server;
    private final String secret;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** orderId → statuses to answer in turn; the last one repeats. */
    final Map<String, List<Integer>> plans = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();

    CallbackServer(String secret) throws Exception {
        this.secret = secret;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/events", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String text = new String(body, StandardCharsets.UTF_8);
            String orderId = text.replaceAll(".*\"orderId\":\"([^\"]+)\".*", "$1");
            boolean valid = verify(ex.getRequestHeaders().getFirst("X-Payment-Signature"), body);
            calls.add(new Call(ex.getRequestHeaders().getFirst("X-Payment-Event-Id"), orderId, text, valid,
                    ex.getRequestURI().getRawQuery()));
            List<Integer> plan = plans.getOrDefault(orderId, List.of(200));
            int n = seen.computeIfAbsent(orderId, k -> new AtomicInteger()).getAndIncrement();
            int status = plan.get(Math.min(n, plan.size() - 1));
            ex.sendResponseHeaders(status, 2);
            try (OutputStream o = ex.getResponseBody()) {
                o.write("ok".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<Call> callsFor(String orderId) {
        return calls.stream().filter(c -> c.orderId().equals(orderId)).toList();
    }

    /** t=<seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>, checked independently of the gateway. */
    private boolean verify(String header, byte[] body) {
        if (header == null || !header.matches("t=\\d+,v1=[0-9a-f]{64}")) {
            return false;
        }
        String t = header.substring(2, header.indexOf(','));
        String v1 = header.substring(header.indexOf("v1=") + 3);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = mac.doFinal(body);
            return MessageDigest.isEqual(expected, HexFormat.of().parseHex(v1))
                    && Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(t)) < 300;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
