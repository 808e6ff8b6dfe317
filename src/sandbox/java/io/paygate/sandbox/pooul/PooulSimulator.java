package io.paygate.sandbox.pooul;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process simulator of Pooul, classic API and API v2 on one port, for the gateway's sandbox
 * mode and its route tests. It listens on 127.0.0.1 only, keeps orders in memory, and signs with
 * keys of its own: a classic merchant's MD5 key is shared with the gateway's configuration, a v2
 * merchant is known by its public key, and the platform key pair is the sandbox's
 * ({@link #platformKeys(Path)}). Nothing here uses the gateway's provider code.
 *
 * <h2>Pooul API</h2> see {@link SimPooulApi}.
 *
 * <h2>Control endpoints (JSON answers; parameters in the query string)</h2>
 * <ul>
 *   <li>{@code POST /sandbox/pooul/pay?mch_trade_id=X[&merchant_id=Y]} &mdash; the payer pays: the
 *       order becomes trade_state 0 and its signed notification is posted to its notify_url.
 *       200 {@code {"mch_trade_id":"X","trade_state":0,"trade_id":"...","notified":200,"reply":"success"}};
 *       404 no such order; 409 when the order is closed, reversed or refunded, or when several
 *       merchants have that number and merchant_id is omitted.</li>
 *   <li>{@code POST /sandbox/pooul/notify?mch_trade_id=X[&merchant_id=Y]} &mdash; sends the paid
 *       order's notification again (as Pooul's re-sends do).</li>
 *   <li>{@code GET /sandbox/pooul/orders/{mch_trade_id}[?merchant_id=Y]} &mdash; the simulator's view of the order.</li>
 *   <li>{@code GET /sandbox/pooul/stats} &mdash; {@code {"calls":{"/v2/pay":N,...},"total":T}}, every API call.</li>
 *   <li>{@code POST /sandbox/pooul/faults?answer=bad-sign|unsigned|foreign-key|other-merchant[&count=C]}
 *       &mdash; the next C successful API answers (default 1) are spoiled that way; {@code DELETE} clears.</li>
 * </ul>
 */
public final class PooulSimulator implements AutoCloseable {
    static {
        // Before this simulator can create the JVM's first JDK HTTP server (see SandboxHttp).
        io.paygate.sandbox.SandboxHttp.noDelay();
    }

    private static final Logger LOG = LoggerFactory.getLogger(PooulSimulator.class);
    private static final String PREFIX = "/sandbox/pooul/";

    /** A merchant the simulated Pooul knows: classic with its MD5 key, or v2 with its RSA public key. */
    public record Merchant(String merchantId, String md5Key, PublicKey publicKey) {
        public Merchant {
            Objects.requireNonNull(merchantId, "merchantId");
            if ((md5Key == null) == (publicKey == null)) {
                throw new IllegalArgumentException("a merchant has an MD5 key (classic) or a public key (v2)");
            }
        }

        public static Merchant classic(String merchantId, String md5Key) {
            return new Merchant(merchantId, md5Key, null);
        }

        public static Merchant v2(String merchantId, PublicKey publicKey) {
            return new Merchant(merchantId, null, publicKey);
        }

        boolean v2() {
            return publicKey != null;
        }

        @Override
        public String toString() {
            return "Merchant[" + merchantId + ", " + (v2() ? "v2" : "classic, key=<hidden>") + "]";
        }
    }

    /** Spoiled answers planned through the control API. */
    static final class Faults {
        private String answer;
        private int left;

        synchronized void plan(String answer, int count) {
            this.answer = answer;
            this.left = count;
        }

        synchronized String take() {
            if (left <= 0) {
                return null;
            }
            left--;
            return answer;
        }

        synchronized Map<String, Object> show() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (left > 0) {
                m.put("answer", answer);
                m.put("answers_left", left);
            }
            return m;
        }
    }

    private final int requestedPort;
    private final Map<String, Merchant> merchants = new LinkedHashMap<>();
    private final KeyPair platform;
    private final Faults faults = new Faults();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper().setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);
    private HttpServer server;
    private ExecutorService workers;
    private ExecutorService notifier;
    private SimPooulApi api;
    private SimPooulNotifications notifications;

    /**
     * @param port     on 127.0.0.1, 0 for any free one
     * @param platform the platform key pair answers and v2 notifications are signed with
     */
    public PooulSimulator(int port, Collection<Merchant> merchants, KeyPair platform) {
        this.requestedPort = port;
        for (Merchant m : merchants) {
            if (this.merchants.putIfAbsent(m.merchantId(), m) != null) {
                throw new IllegalArgumentException("duplicate merchant_id " + m.merchantId());
            }
        }
        if (this.merchants.isEmpty()) {
            throw new IllegalArgumentException("at least one merchant is needed");
        }
        this.platform = Objects.requireNonNull(platform, "platform");
    }

    /**
     * The sandbox's platform key pair, kept as {@code platform-private.pem} (PKCS#8, owner-only) and
     * {@code platform-public.pem} in dir, generated on first use. A gateway's sandbox merchants name
     * the public one as their platformPublicKey.
     */
    public static KeyPair platformKeys(Path dir) throws IOException {
        return SimPooulCrypto.keyPair(dir, "platform");
    }

    /** A demo merchant key pair ({@code merchant-*.pem} in dir), generated on first use, for sandbox v2 merchants. */
    public static KeyPair demoMerchantKeys(Path dir) throws IOException {
        return SimPooulCrypto.keyPair(dir, "merchant");
    }

    /** A merchant's RSA public key from an X.509 PEM file ({@code BEGIN PUBLIC KEY}). */
    public static PublicKey readPublicKey(Path file) throws IOException {
        return SimPooulCrypto.readPublic(file);
    }

    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        notifier = Executors.newSingleThreadExecutor(daemon("sandbox-pooul-notify"));
        api = null;
        notifications = new SimPooulNotifications(json, merchants, platform.getPrivate(), () -> api.nonce());
        api = new SimPooulApi(json, merchants, platform, faults, notifications, task -> notifier.execute(() -> {
            try {
                Thread.sleep(50);
                task.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), Clock.systemUTC());
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}),
                requestedPort), 0);
        workers = Executors.newFixedThreadPool(8, daemon("sandbox-pooul"));
        http.setExecutor(workers);
        http.createContext("/", this::serve);
        http.start();
        server = http;
        LOG.info("Pooul sandbox listening on 127.0.0.1:{} for merchants {}", port(), merchants.values());
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        workers.shutdownNow();
        notifier.shutdownNow();
        server = null;
    }

    private void serve(HttpExchange ex) {
        String path = ex.getRequestURI().getPath();
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        try (ex) {
            try {
                if (SimPooulApi.serves(path)) {
                    calls.computeIfAbsent(path, k -> new AtomicLong()).incrementAndGet();
                    byte[] body = ex.getRequestBody().readNBytes(64 * 1024);
                    SimPooulApi.Reply r = "POST".equals(ex.getRequestMethod()) ? api.answer(path, query, body)
                            : new SimPooulApi.Reply(405, "text/plain", "POST only".getBytes(StandardCharsets.UTF_8));
                    send(ex, r.status(), r.contentType(), r.body());
                } else {
                    control(ex, ex.getRequestMethod(), path, query);
                }
            } catch (SimPooulApi.Refusal e) {
                sendQuietly(ex, e.code, "application/json; charset=UTF-8", error(e.getMessage()).toString()
                        .getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                LOG.warn("sandbox Pooul request {} failed", path, e);
                sendQuietly(ex, 500, "text/plain", "sandbox error".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void control(HttpExchange ex, String method, String path, Map<String, String> q) throws IOException {
        if (!path.startsWith(PREFIX)) {
            sendJson(ex, 404, error("not found"));
            return;
        }
        String what = path.substring(PREFIX.length());
        switch (what) {
            case "pay", "notify" -> {
                if (!"POST".equals(method)) {
                    sendJson(ex, 405, error("POST only"));
                    return;
                }
                String orderId = q.get("mch_trade_id");
                if (orderId == null) {
                    sendJson(ex, 400, error("mch_trade_id is required"));
                    return;
                }
                SimPooulOrder o = "pay".equals(what) ? api.markPaid(q.get("merchant_id"), orderId)
                        : api.lookup(q.get("merchant_id"), orderId);
                if (o == null) {
                    sendJson(ex, 404, error("no such order"));
                    return;
                }
                if (o.timeEnd == 0) {
                    sendJson(ex, 409, error("the order is not paid"));
                    return;
                }
                ObjectNode a = json.createObjectNode();
                a.put("mch_trade_id", o.mchTradeId);
                a.put("trade_state", 0);
                a.put("trade_id", o.tradeId);
                if (o.notifyUrl != null && !o.notifyUrl.isBlank()) {
                    SimPooulNotifications.Delivery d = notifications.payment(o);
                    a.put("notified", d.status());
                    a.put("reply", d.reply().length() > 200 ? d.reply().substring(0, 200) : d.reply());
                }
                sendJson(ex, 200, a);
            }
            case "stats" -> {
                ObjectNode a = json.createObjectNode();
                ObjectNode c = a.putObject("calls");
                long total = 0;
                for (Map.Entry<String, AtomicLong> e : new java.util.TreeMap<>(calls).entrySet()) {
                    c.put(e.getKey(), e.getValue().get());
                    total += e.getValue().get();
                }
                a.put("total", total);
                sendJson(ex, 200, a);
            }
            case "faults" -> {
                if ("DELETE".equals(method)) {
                    faults.plan(null, 0);
                } else if ("POST".equals(method)) {
                    String answer = q.get("answer");
                    if (!java.util.Set.of("bad-sign", "unsigned", "foreign-key", "other-merchant").contains(answer)) {
                        sendJson(ex, 400, error("answer must be bad-sign, unsigned, foreign-key or other-merchant"));
                        return;
                    }
                    int count;
                    try {
                        count = Integer.parseInt(q.getOrDefault("count", "1"));
                    } catch (NumberFormatException e) {
                        count = -1;
                    }
                    if (count < 1 || count > 1000) {
                        sendJson(ex, 400, error("count must be 1..1000"));
                        return;
                    }
                    faults.plan(answer, count);
                }
                sendJson(ex, 200, json.valueToTree(faults.show()));
            }
            default -> {
                if (what.startsWith("orders/") && "GET".equals(method)) {
                    SimPooulOrder o = api.lookup(q.get("merchant_id"), what.substring("orders/".length()));
                    if (o == null) {
                        sendJson(ex, 404, error("no such order"));
                    } else {
                        sendJson(ex, 200, api.view(o));
                    }
                    return;
                }
                sendJson(ex, 404, error("not found"));
            }
        }
    }

    private ObjectNode error(String message) {
        ObjectNode e = json.createObjectNode();
        e.put("error", message);
        return e;
    }

    private void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        send(ex, status, "application/json; charset=UTF-8", json.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }

    private static void sendQuietly(HttpExchange ex, int status, String type, byte[] body) {
        try {
            send(ex, status, type, body);
        } catch (IOException | RuntimeException ignored) {
            // the answer may already be under way
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
