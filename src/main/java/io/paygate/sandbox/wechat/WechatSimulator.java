package io.paygate.sandbox.wechat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.paygate.sandbox.wechat.SimControlApi.JsonReply;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process simulator of WeChat Pay API v2, for the gateway's sandbox mode: a gateway
 * configured with its address talks to it exactly as to WeChat, and the sandbox user plays the
 * payer through the control endpoints. It listens on 127.0.0.1 only.
 *
 * <h2>WeChat API (XML, signed as WeChat signs)</h2>
 * <ul>
 *   <li>{@code POST /pay/unifiedorder} &mdash; trade_type NATIVE; answers prepay_id and code_url.</li>
 *   <li>{@code POST /pay/orderquery} &mdash; by transaction_id or out_trade_no.</li>
 * </ul>
 *
 * <h2>Control endpoints (JSON answers; parameters in the query string or a form body)</h2>
 * <ul>
 *   <li>{@code POST /sandbox/wechat/pay?out_trade_no=X[&mch_id=Y]} &mdash; the payer pays: the
 *       order becomes SUCCESS with a transaction_id and time_end. 200
 *       {@code {"out_trade_no":"X","trade_state":"SUCCESS","transaction_id":"4200..."}} (also when
 *       it was already paid); 404 {@code {"error":"no such order"}}; 409 when the order is CLOSED,
 *       or when mch_id is omitted and several merchants have that out_trade_no; 400 without
 *       out_trade_no.</li>
 *   <li>{@code POST /sandbox/wechat/close?out_trade_no=X[&mch_id=Y]} &mdash; closes an unpaid
 *       order (so ORDERCLOSED can be provoked). 200 {@code {"out_trade_no":"X","trade_state":"CLOSED"}};
 *       404 as above; 409 when it is already paid.</li>
 *   <li>{@code GET /sandbox/wechat/orders/{out_trade_no}[?mch_id=Y]} &mdash; the simulator's view
 *       of the order, WeChat field names (mch_id, appid, out_trade_no, body, total_fee,
 *       trade_type, prepay_id, code_url, trade_state, transaction_id, time_end, ...); 404/409 as
 *       above.</li>
 *   <li>{@code GET /sandbox/wechat/stats} &mdash; {@code {"calls":{"/pay/unifiedorder":N,
 *       "/pay/orderquery":M},"total":N+M}}, every API call received, failed ones included; in
 *       memory only.</li>
 *   <li>{@code POST /sandbox/wechat/faults?delay_ms=D[&count=C]} &mdash; the next C API calls
 *       (default 1) wait D ms (at most 600000) before answering.
 *       {@code POST /sandbox/wechat/faults?fail_with=SYSTEMERROR[&count=C]} &mdash; the next C
 *       authenticated API calls answer result_code FAIL with that err_code, signed. Both may be
 *       given at once. {@code DELETE /sandbox/wechat/faults} clears; {@code GET} shows the plan.
 *       Each answers the remaining plan, {@code {"delay_ms":D,"delays_left":C,"fail_with":"SYSTEMERROR",
 *       "failures_left":C}} ({@code fail_with} left out when none is planned); 400 on bad values.</li>
 * </ul>
 * Any other path answers 404; a wrong method 405.
 *
 * <p>With a state file, orders survive a restart (JSON, rewritten atomically on every change).
 */
public final class WechatSimulator implements AutoCloseable {
    static {
        // The JDK server writes an answer's headers and body separately; with Nagle's algorithm on,
        // the client's delayed ACK then stalls every call by ~40 ms. Read once by the JDK server.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }


    private static final Logger LOG = LoggerFactory.getLogger(WechatSimulator.class);
    private static final String XML_CONTENT = "text/xml; charset=UTF-8";
    private static final String JSON_CONTENT = "application/json; charset=UTF-8";
    private static final int CONTROL_BODY_LIMIT = 8 * 1024;
    /** Enough for a few delayed calls to sleep without blocking the calls a test makes meanwhile. */
    private static final int WORKER_THREADS = 8;

    /** A merchant the simulated WeChat knows; the API key signs and checks its calls. */
    public record Merchant(String mchId, String appId, String apiKey) {
        public Merchant {
            requireText(mchId, "mchId");
            requireText(appId, "appId");
            requireText(apiKey, "apiKey");
        }

        /** Never shows the API key: merchants end up in logs and assertion messages. */
        @Override
        public String toString() {
            return "Merchant[mchId=" + mchId + ", appId=" + appId + ", apiKey=<hidden>]";
        }

        private static void requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
        }
    }

    private final int requestedPort;
    private final Map<String, Merchant> merchantsById;
    private final Path stateFile;
    private final SimCallCounter calls = new SimCallCounter(SimTradeApi.paths());
    private final SimFaults faults = new SimFaults();
    private final SimIdentifiers identifiers = new SimIdentifiers(Clock.systemUTC());
    private final ObjectMapper json = new ObjectMapper()
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private HttpServer server;
    private ExecutorService workers;
    private SimTradeApi tradeApi;
    private SimControlApi controlApi;

    /**
     * @param port      the port on 127.0.0.1, 0 for any free one (see {@link #port()})
     * @param merchants at least one; mch_id must be unique
     * @param stateFile where orders are kept across restarts, or null to keep them in memory only
     */
    public WechatSimulator(int port, Collection<Merchant> merchants, Path stateFile) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        Objects.requireNonNull(merchants, "merchants");
        if (merchants.isEmpty()) {
            throw new IllegalArgumentException("at least one merchant is needed");
        }
        Map<String, Merchant> byId = new LinkedHashMap<>();
        for (Merchant merchant : merchants) {
            if (byId.putIfAbsent(merchant.mchId(), merchant) != null) {
                throw new IllegalArgumentException("duplicate mch_id " + merchant.mchId());
            }
        }
        this.requestedPort = port;
        this.merchantsById = Collections.unmodifiableMap(byId);
        this.stateFile = stateFile;
    }

    /** Loads the state file (if any), binds 127.0.0.1 and starts serving. */
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        SimOrderStore orders = SimOrderStore.open(stateFile, json);
        tradeApi = new SimTradeApi(merchantsById, orders, faults, identifiers, calls);
        controlApi = new SimControlApi(orders, faults, identifiers, calls, new SimNotifier(merchantsById, identifiers));
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        HttpServer http = HttpServer.create(new InetSocketAddress(loopback, requestedPort), 0);
        workers = Executors.newFixedThreadPool(WORKER_THREADS, workerThreads());
        http.setExecutor(workers);
        http.createContext("/", this::serve);
        http.start();
        server = http;
        LOG.info("WeChat Pay sandbox listening on 127.0.0.1:{} for merchants {}{}", port(),
                merchantsById.keySet(), stateFile == null ? "" : ", state file " + stateFile);
    }

    /** The bound port; only meaningful after {@link #start()}. */
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
        // Interrupts calls still sleeping on a planned delay.
        workers.shutdownNow();
        server = null;
    }

    /** API calls received per WeChat endpoint, as {@code GET /sandbox/wechat/stats} reports them. */
    public Map<String, Long> calls() {
        return calls.snapshot();
    }

    private void serve(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        boolean api = tradeApi.serves(path);
        try (exchange) {
            try {
                if (api) {
                    byte[] body = exchange.getRequestBody().readNBytes(SimXml.MAX_BYTES + 1);
                    String answer = tradeApi.answer(path, method, body);
                    send(exchange, 200, XML_CONTENT, answer.getBytes(StandardCharsets.UTF_8));
                } else {
                    sendJson(exchange, control(exchange, method, path));
                }
            } catch (InterruptedException e) {
                // The simulator is closing: leave the call unanswered, as a dying server would.
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                LOG.warn("sandbox WeChat request {} {} failed", method, path, e);
                answerInternalError(exchange, api);
            }
        }
    }

    private JsonReply control(HttpExchange exchange, String method, String path) throws IOException {
        if (!path.startsWith(SimControlApi.PREFIX)) {
            return SimControlApi.error(404, "not found");
        }
        byte[] body = exchange.getRequestBody().readNBytes(CONTROL_BODY_LIMIT + 1);
        if (body.length > CONTROL_BODY_LIMIT) {
            return SimControlApi.error(413, "body too large");
        }
        return controlApi.handle(method, path, exchange.getRequestURI().getRawQuery(),
                new String(body, StandardCharsets.UTF_8));
    }

    private void sendJson(HttpExchange exchange, JsonReply reply) throws IOException {
        send(exchange, reply.status(), JSON_CONTENT, json.writeValueAsBytes(reply.body()));
    }

    private void answerInternalError(HttpExchange exchange, boolean api) {
        try {
            if (api) {
                Map<String, String> failure = new LinkedHashMap<>();
                failure.put("return_code", "FAIL");
                failure.put("return_msg", "系统错误");
                String answer = SimXml.write(failure);
                send(exchange, 500, XML_CONTENT, answer.getBytes(StandardCharsets.UTF_8));
            } else {
                sendJson(exchange, SimControlApi.error(500, "internal error"));
            }
        } catch (IOException | RuntimeException ignored) {
            // Headers were already sent or the client left; closing the exchange is all that is left.
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static ThreadFactory workerThreads() {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "sandbox-wechat-" + number.incrementAndGet());
            // A simulator left open by a test must not keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        };
    }
}
