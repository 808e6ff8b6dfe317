package io.paygate.testpay;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The test provider's side of the wire, with its own HMAC code (independent of
 * {@link TestPayModule}'s): it checks each request line's signature, keeps its orders, and signs its
 * answers. Under {@code /forged} it signs with a key that is not the merchant's; under {@code /slow}
 * it answers after 2.5 s.
 */
public final class TestPayProvider implements AutoCloseable {
    private final String key;
    private final HttpServer server;
    /** The provider's orders: orderId to OPEN or PAID. */
    public final Map<String, String> orders = new ConcurrentHashMap<>();
    /** The headers of every request it had. */
    public final List<Headers> seen = new CopyOnWriteArrayList<>();
    /** The path of every request it had. */
    public final List<String> paths = new CopyOnWriteArrayList<>();

    public TestPayProvider(String key) throws IOException {
        this.key = key;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            seen.add(ex.getRequestHeaders());
            String path = ex.getRequestURI().getPath();
            paths.add(path);
            if (path.startsWith("/slow")) {
                try {
                    Thread.sleep(2500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String[] line = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("\\|");
            int status = 200;
            String answer;
            if (line.length != 4 || !hmac(key, line[0] + "|" + line[1] + "|" + line[2]).equals(line[3])) {
                status = 400;
                answer = "bad signature";
            } else {
                String state = line[0].equals("PAY") ? orders.computeIfAbsent(line[1], o -> "OPEN")
                        : orders.getOrDefault(line[1], "NONE");
                String signWith = path.startsWith("/forged") ? "not-the-merchants-key" : key;
                answer = line[1] + "|" + state + "|" + hmac(signWith, line[1] + "|" + state);
            }
            byte[] b = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public static String hmac(String key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
