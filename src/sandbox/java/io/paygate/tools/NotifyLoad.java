package io.paygate.tools;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A load harness for provider notifications: creates {@code --orders} new orders of the sandbox
 * merchant over the HTTP API (not timed), then sends one signed WeChat Pay payment notification per
 * order to {@code /notify/wechat/<merchant>} with {@code --concurrency} workers sharing one
 * {@link HttpClient}, timing each request. An answer counts as a success only when it is a 200 with
 * WeChat's {@code SUCCESS} reply. Prints notifications per second and latency percentiles.
 *
 * <p>{@code --warmup M} first creates and notifies M further orders, untimed. {@code --duplicates K}
 * sends each notification K times in a row (the K-1 repeats find the order already paid). The
 * signed bodies are all made before the timed phase, so the senders only send.
 * {@code --callback-port P} answers the merchant callbacks ({@code notifyUrl}) with 200 on
 * 127.0.0.1:P (16 threads, nothing but counting, so it is never the bottleneck); it waits for the
 * warm-up's callbacks before the timed phase, then reports the callbacks of the timed orders that
 * arrived during the timed phase (their rate next to the notifications'), the backlog (timed orders
 * paid but not yet called back) when the last notification was answered, and how long the rest took.
 * {@code --pg-url jdbc:postgresql://...} (a gateway on that PostgreSQL database) also reports the
 * database's committed transactions ({@code pg_stat_database.xact_commit}) per timed notification,
 * during the timed phase (approximate: backends report their counts late) and until the last callback;
 * on a server with {@code autovacuum = off} it runs {@code ANALYZE} after the warm-up, as autovacuum
 * would have.
 *
 * <pre>
 * java -cp payment-gateway.jar io.paygate.tools.NotifyLoad [--url http://127.0.0.1:8080] [--orders 2000]
 *      [--concurrency 8] [--duplicates 1] [--warmup 0] [--callback-port P] [--pg-url J] [--merchant demo-shop]
 *      [--token sandbox-demo-token-0001] [--appid wxd930ea5d5a258f4f] [--mch-id 10000100]
 *      [--api-key 192006250b4c09247ec02edce69f6a2d]
 * </pre>
 */
public final class NotifyLoad {
    private static final DateTimeFormatter WECHAT_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final String WECHAT_SUCCESS = "<return_code><![CDATA[SUCCESS]]></return_code>";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpClient http;
    private final String url;
    private final String merchant;
    private final String token;
    private final String appId;
    private final String mchId;
    private final String apiKey;
    private final String run;
    private final String tradePrefix;
    private final AtomicLong errors = new AtomicLong();
    private final AtomicInteger reported = new AtomicInteger();

    private NotifyLoad(ToolOptions o) {
        this.url = o.get("url", "http://127.0.0.1:8080").replaceAll("/+$", "");
        this.merchant = o.get("merchant", "demo-shop");
        this.token = o.get("token", "sandbox-demo-token-0001");
        this.appId = o.get("appid", "wxd930ea5d5a258f4f");
        this.mchId = o.get("mch-id", "10000100");
        this.apiKey = o.get("api-key", "192006250b4c09247ec02edce69f6a2d");
        long now = System.currentTimeMillis();
        this.run = Long.toString(now, 36);
        // transaction_id: 28 digits, "4200" + epoch seconds (10) + order number (14): unique per run and order.
        this.tradePrefix = "4200" + String.format("%010d", now / 1000 % 10_000_000_000L);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static void main(String[] args) throws Exception {
        ToolOptions o = new ToolOptions(args, Set.of("url", "orders", "concurrency", "duplicates", "warmup",
                "callback-port", "pg-url", "merchant", "token", "appid", "mch-id", "api-key"));
        int orders = o.intValue("orders", 2000);
        int concurrency = o.intValue("concurrency", 8);
        int duplicates = o.intValue("duplicates", 1);
        int warmup = o.intValue("warmup", 0);
        int callbackPort = o.intValue("callback-port", 0);
        if (orders < 1 || concurrency < 1 || duplicates < 1 || warmup < 0) {
            System.err.println("usage: NotifyLoad [--url U] [--orders N>0] [--concurrency C>0] [--duplicates K>0] "
                    + "[--warmup M] [--callback-port P]");
            System.exit(2);
        }
        AtomicLong callbacks = new AtomicLong();
        NotifyLoad load = new NotifyLoad(o);
        // The timed orders whose callback arrived (each counted once: delivery is at least once).
        java.util.concurrent.atomic.AtomicIntegerArray called = new java.util.concurrent.atomic.AtomicIntegerArray(warmup + orders);
        AtomicInteger calledOrders = new AtomicInteger();
        java.util.regex.Pattern orderOf = java.util.regex.Pattern.compile(
                "\"orderId\"\\s*:\\s*\"" + java.util.regex.Pattern.quote("NL" + load.run + "-") + "(\\d+)\"");
        HttpServer callbackServer = null;
        if (callbackPort > 0) {
            callbackServer = HttpServer.create(new InetSocketAddress("127.0.0.1", callbackPort), 256);
            callbackServer.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                if ("POST".equals(exchange.getRequestMethod())) {
                    callbacks.incrementAndGet();
                    var m = orderOf.matcher(new String(body, StandardCharsets.UTF_8));
                    if (m.find()) {
                        int i = Integer.parseInt(m.group(1));
                        if (i < called.length() && called.compareAndSet(i, 0, 1)) {
                            calledOrders.incrementAndGet();
                        }
                    }
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            callbackServer.setExecutor(Executors.newFixedThreadPool(16));
            callbackServer.start();
        }
        String pgUrl = o.get("pg-url", "");
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            int total = warmup + orders;
            // 1. Orders (not timed): warm-up orders first, then the measured ones.
            load.forEach(pool, concurrency, total, load::createOrder);
            if (load.errors.get() > 0) {
                System.err.println("order creation failed " + load.errors.get() + " times; stopping");
                System.exit(1);
            }
            // 2. Warm-up notifications (not timed, not counted), then their callbacks.
            byte[][] bodies = new byte[total][];
            for (int i = 0; i < total; i++) {
                bodies[i] = load.notification(i).getBytes(StandardCharsets.UTF_8);
            }
            if (warmup > 0) {
                load.forEach(pool, concurrency, warmup, i -> {
                    for (int k = 0; k < duplicates; k++) {
                        load.notifyOrder(i, bodies[i]);
                    }
                });
                long failed = load.errors.getAndSet(0);
                if (failed > 0) {
                    System.err.println("warm-up: " + failed + " notifications failed");
                }
                if (callbackServer != null) {
                    long until = System.nanoTime() + 60_000_000_000L;
                    while (calledOrders.get() < warmup && System.nanoTime() < until) {
                        Thread.sleep(50);
                    }
                }
            }
            // What autovacuum would have done by now: without it the ledger keeps plans made on empty tables.
            analyzeIfAutovacuumOff(pgUrl);
            // 3. Measured notifications.
            long[] first = new long[orders];
            long[] repeats = new long[orders * (duplicates - 1)];
            long commits0 = commits(pgUrl);
            int called0 = calledOrders.get();
            long start = System.nanoTime();
            load.forEach(pool, concurrency, orders, i -> {
                first[i] = load.notifyOrder(warmup + i, bodies[warmup + i]);
                for (int k = 1; k < duplicates; k++) {
                    repeats[i * (duplicates - 1) + k - 1] = load.notifyOrder(warmup + i, bodies[warmup + i]);
                }
            });
            int calledDuring = calledOrders.get() - called0;
            long commits1 = commits(pgUrl);
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] all = new long[first.length + repeats.length];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(repeats, 0, all, first.length, repeats.length);
            Arrays.sort(all);
            Arrays.sort(first);
            Arrays.sort(repeats);
            System.out.printf("notifications=%d concurrency=%d seconds=%.2f rate=%.1f/s p50=%.1fms p99=%.1fms max=%.1fms "
                            + "errors=%d%n", all.length, concurrency, seconds, all.length / seconds, pct(all, 0.50),
                    pct(all, 0.99), all[all.length - 1] / 1e6, load.errors.get());
            if (duplicates > 1) {
                System.out.printf("  first sends: %d p50=%.1fms p99=%.1fms; repeats: %d p50=%.1fms p99=%.1fms%n",
                        first.length, pct(first, 0.50), pct(first, 0.99), repeats.length, pct(repeats, 0.50),
                        pct(repeats, 0.99));
            }
            if (callbackServer != null) {
                // Callbacks are delivered asynchronously (outbox relay, delivery queue): wait up to 60 s.
                long until = System.nanoTime() + 60_000_000_000L;
                while (calledOrders.get() < total && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                double drained = (System.nanoTime() - start) / 1e9 - seconds;
                System.out.printf("callbacks during the timed phase: %d of %d timed orders, %.1f/s (notifications %.1f/s); "
                                + "backlog when the last notification was answered: %d%n", calledDuring, orders,
                        calledDuring / seconds, orders / seconds, orders - calledDuring);
                System.out.printf("callbacks=%d of %d paid orders (%d POSTs), the last %.1f s after the last notification; "
                                + "callbacks of timed orders %.1f/s over the whole time%n", calledOrders.get(), total,
                        callbacks.get(), drained, (calledOrders.get() - called0) / (seconds + drained));
            }
            if (!pgUrl.isEmpty()) {
                Thread.sleep(11_000); // a PostgreSQL 15 backend reports its counts within 10 s of going idle
                long commits2 = commits(pgUrl);
                System.out.printf("database commits (pg_stat_database.xact_commit) per timed notification: %.2f during the "
                        + "timed phase, %.2f until the last callback%n", (commits1 - commits0) / (double) orders,
                        (commits2 - commits0) / (double) orders);
            }
        } finally {
            pool.shutdownNow();
            if (callbackServer != null) {
                callbackServer.stop(0);
                ((ExecutorService) callbackServer.getExecutor()).shutdownNow();
            }
        }
        System.exit(0);
    }

    /**
     * {@code ANALYZE} on a server that runs with {@code autovacuum = off} (this machine kind's
     * PostgreSQL): production's autovacuum analyzes the tables as they grow; without it the
     * gateway's statements keep the plans made while the tables were empty.
     */
    private static void analyzeIfAutovacuumOff(String pgUrl) throws java.sql.SQLException {
        if (pgUrl.isEmpty()) {
            return;
        }
        try (var c = java.sql.DriverManager.getConnection(pgUrl);
             var st = c.createStatement();
             var rs = st.executeQuery("SELECT setting FROM pg_settings WHERE name = 'autovacuum'")) {
            if (rs.next() && "off".equals(rs.getString(1))) {
                st.execute("ANALYZE");
                System.out.println("autovacuum is off on this server: ANALYZE run after the warm-up, as autovacuum would have");
            }
        }
    }

    /** The database's committed transactions so far (its own statistics), or 0 without --pg-url. */
    private static long commits(String pgUrl) throws java.sql.SQLException {
        if (pgUrl.isEmpty()) {
            return 0;
        }
        try (var c = java.sql.DriverManager.getConnection(pgUrl);
             var st = c.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()");
            try (var rs = st.executeQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private interface Task {
        void run(int i) throws Exception;
    }

    /** Runs task(0..count-1) on {@code workers} workers of the pool, each taking the next index. */
    private void forEach(ExecutorService pool, int workers, int count, Task task) throws Exception {
        AtomicInteger next = new AtomicInteger();
        var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
        for (int w = 0; w < workers; w++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    try {
                        task.run(i);
                    } catch (Exception e) {
                        error("#" + i + ": " + e);
                    }
                }
                return null;
            }));
        }
        for (var f : futures) {
            f.get();
        }
    }

    private String orderId(int i) {
        return "NL" + run + "-" + i;
    }

    private void createOrder(int i) throws IOException, InterruptedException {
        String id = orderId(i);
        String body = "{\"requestId\":\"" + id + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\","
                + "\"orderId\":\"" + id + "\",\"amount\":100,\"method\":\"SCAN\",\"subject\":\"x\"}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/payments"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().contains("\"status\":\"NOTPAY\"")) {
            error("order " + id + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** Sends the pay notification of order i; returns its time in ns (counted as an error unless SUCCESS). */
    private long notifyOrder(int i, byte[] body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/notify/wechat/" + merchant))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        long took = System.nanoTime() - start;
        if (r.statusCode() != 200 || !r.body().contains(WECHAT_SUCCESS)) {
            error("notification of " + orderId(i) + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return took;
    }

    private String notification(int i) {
        Map<String, String> f = new TreeMap<>();
        f.put("return_code", "SUCCESS");
        f.put("appid", appId);
        f.put("mch_id", mchId);
        f.put("nonce_str", HexFormat.of().formatHex(nonce()));
        f.put("result_code", "SUCCESS");
        f.put("openid", "o1");
        f.put("trade_type", "NATIVE");
        f.put("bank_type", "CMC");
        f.put("total_fee", "100");
        f.put("cash_fee", "100");
        f.put("transaction_id", tradePrefix + String.format("%014d", i));
        f.put("out_trade_no", orderId(i));
        f.put("time_end", LocalDateTime.now(ZoneId.of("Asia/Shanghai")).format(WECHAT_TIME));
        f.put("sign", sign(f, apiKey));
        StringBuilder xml = new StringBuilder("<xml>");
        for (Map.Entry<String, String> e : f.entrySet()) {
            xml.append('<').append(e.getKey()).append("><![CDATA[").append(e.getValue()).append("]]></")
                    .append(e.getKey()).append('>');
        }
        return xml.append("</xml>").toString();
    }

    private static byte[] nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * WeChat Pay v2 HMAC-SHA256 signature: without {@code sign} and empty values, keys in ASCII order,
     * {@code k=v} joined with {@code &}, then {@code &key=<API key>}; HMAC-SHA256 keyed with the API
     * key, upper-case hex.
     */
    static String sign(Map<String, String> fields, String apiKey) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(fields).entrySet()) {
            if (!e.getKey().equals("sign") && e.getValue() != null && !e.getValue().isEmpty()) {
                s.append(e.getKey()).append('=').append(e.getValue()).append('&');
            }
        }
        s.append("key=").append(apiKey);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(apiKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().withUpperCase().formatHex(mac.doFinal(s.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void error(String what) {
        errors.incrementAndGet();
        if (reported.incrementAndGet() <= 10) {
            System.err.println(what.length() > 300 ? what.substring(0, 300) : what);
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
