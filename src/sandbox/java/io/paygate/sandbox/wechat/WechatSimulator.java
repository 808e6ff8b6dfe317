package io.paygate.sandbox.wechat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.paygate.sandbox.wechat.SimCertificates.ClientCheck;
import io.paygate.sandbox.wechat.SimControlApi.JsonReply;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process simulator of WeChat Pay API v2, for the gateway's sandbox mode: a gateway
 * configured with its address talks to it exactly as to WeChat, and the sandbox user plays the
 * payer (and WeChat's back office) through the control endpoints. It listens on 127.0.0.1 only:
 * plain HTTP on {@link #port()} and, when given a TLS directory, HTTPS on {@link #tlsPort()}.
 * This javadoc is the sandbox's reference.
 *
 * <h2>Transport and certificates</h2>
 * Both ports serve every path below. {@code /secapi/...} paths need the merchant's client
 * certificate, as at WeChat: on the HTTPS port the caller must present a certificate issued by
 * the sandbox CA whose CN is the request's mch_id; otherwise, and always on the plain HTTP port,
 * the answer is an unsigned {@code return_code=FAIL} with a {@code return_msg} saying what is wrong
 * (no certificate, not the sandbox CA's, expired, or another merchant's). On its first start the
 * simulator makes in the TLS directory: {@code ca.pem} (the CA a gateway trusts), {@code ca-key.pem},
 * {@code server.pem}/{@code server-key.pem} (for 127.0.0.1 and localhost), and per merchant
 * {@code <mch_id>.p12} (PKCS12, password = mch_id, WeChat's default); later starts reuse them.
 * TLS 1.2 and 1.3.
 *
 * <h2>WeChat API (XML, signed as WeChat signs)</h2>
 * Every call: unsigned {@code return_code=FAIL} for a non-POST, bad XML (DOCTYPE refused),
 * missing or unknown mch_id ({@code MCHID_NOT_EXIST}), certificate problems, an unknown sign_type,
 * a wrong signature ({@code SIGNERROR}); then signed answers, {@code result_code=FAIL} with
 * {@code APPID_NOT_EXIST}, {@code PARAM_ERROR} (naming the field), a planned fault, or the
 * endpoint's own codes below. {@code sub_mch_id}/{@code sub_appid} (service-provider mode) are
 * accepted and echoed; orders are kept per mch_id.
 * <ul>
 *   <li>{@code POST /pay/unifiedorder} &mdash; trade_type NATIVE (needs product_id; answers
 *       code_url), JSAPI (needs openid), APP, MWEB (needs scene_info; answers mweb_url); answers
 *       prepay_id. The same out_trade_no again: same prepay_id when body, total_fee and trade_type
 *       match, else OUT_TRADE_NO_USED; ORDERPAID / ORDERCLOSED / ORDERREVERSED for ended orders.</li>
 *   <li>{@code POST /pay/micropay} &mdash; barcode payment (body, out_trade_no, total_fee,
 *       spbill_create_ip, auth_code; device_info, attach, fee_type, time_expire, scene_info... accepted).
 *       The auth_code decides (see {@link SimAuthCode}): not 18 digits starting 10..15 &rarr;
 *       AUTH_CODE_INVALID; ends {@code 0000} &rarr; USERPAYING, the 2nd orderquery finds it paid;
 *       ends {@code 1111} &rarr; USERPAYING until the control pay/close or a reverse; ends {@code 2222}
 *       &rarr; SYSTEMERROR although the order is paid; ends {@code 3333} &rarr; NOTENOUGH, order
 *       PAYERROR (a micropay with the same out_trade_no tries again); ends {@code 4444} &rarr;
 *       AUTHCODEEXPIRE; ends {@code 5555} &rarr; SYSTEMERROR and no order; any other valid code
 *       &rarr; SUCCESS with transaction_id, time_end, total_fee, cash_fee, bank_type, openid,
 *       trade_type MICROPAY. Repeats: ORDERPAID, ORDERCLOSED, ORDERREVERSED, USERPAYING (still
 *       waiting), OUT_TRADE_NO_USED (other terms, or a unified order's number).</li>
 *   <li>{@code POST /pay/orderquery} &mdash; by transaction_id (preferred) or out_trade_no;
 *       trade_state NOTPAY, USERPAYING, SUCCESS, REFUND, CLOSED, REVOKED or PAYERROR with
 *       trade_state_desc, trade_type; transaction_id, time_end, cash_fee, bank_type, openid once
 *       paid; ORDERNOTEXIST.</li>
 *   <li>{@code POST /pay/closeorder} &mdash; NOTPAY, USERPAYING or PAYERROR &rarr; CLOSED;
 *       ORDERPAID for SUCCESS and REFUND, ORDERCLOSED, ORDERREVERSED, ORDERNOTEXIST.</li>
 *   <li>{@code POST /secapi/pay/reverse} (certificate) &mdash; by transaction_id or out_trade_no;
 *       any order without refunds becomes REVOKED (a paid one is paid back), answered with
 *       {@code recall=N}, also when already reversed; ORDERNOTEXIST (recall=N); TRADE_STATE_ERROR for
 *       an order with refunds (recall=N). The planned recall fault answers SYSTEMERROR, recall=Y,
 *       and reverses nothing; a planned fail_with fault answers with recall=Y too.</li>
 *   <li>{@code POST /secapi/pay/refund} (certificate) &mdash; transaction_id or out_trade_no,
 *       out_refund_no, total_fee (must be the order's), refund_fee, refund_desc, notify_url
 *       optional. The order must be SUCCESS or REFUND (else TRADE_STATE_ERROR); the refunds not
 *       closed may add up to total_fee (else INVALID_REQUEST "申请退款金额超过订单可退金额" naming
 *       what is left); the same out_refund_no again with the same order and amounts answers the
 *       same refund (same refund_id), with other terms INVALID_REQUEST; total_fee other than the
 *       order's INVALID_REQUEST; ORDERNOTEXIST. Answers transaction_id, out_trade_no,
 *       out_refund_no, refund_id, refund_fee, total_fee, cash_fee, cash_refund_fee. A refund
 *       starts PROCESSING and becomes SUCCESS after the refund delay ({@link #refundDelay}; 1 s by
 *       default; 0 = before the answer; negative = only by the control endpoints). The first time
 *       it reaches a final state the order becomes REFUND (on SUCCESS) and, if it has a
 *       notify_url, WeChat's refund notification is sent there: unsigned {@code <xml>} with
 *       return_code, appid, mch_id, nonce_str, req_info = base64(AES-256-ECB/PKCS7, key = lowercase
 *       hex MD5 of the API key) of {@code <root>} with transaction_id, out_trade_no, refund_id,
 *       out_refund_no, total_fee, refund_fee, settlement_refund_fee, refund_status, success_time
 *       ({@code yyyy-MM-dd HH:mm:ss}, SUCCESS only), refund_recv_accout, refund_account,
 *       refund_request_source; re-sent after 1, 2, 5, 15, 30, 60 s until the reply's return_code
 *       is SUCCESS.</li>
 *   <li>{@code POST /pay/refundquery} &mdash; by refund_id, out_refund_no, transaction_id or
 *       out_trade_no (that precedence); answers transaction_id, out_trade_no, total_fee, cash_fee,
 *       refund_fee (sum of refunds not closed), total_refund_count, refund_count and per refund
 *       {@code $n} (from 0): out_refund_no_$n, refund_id_$n, refund_channel_$n (ORIGINAL),
 *       refund_fee_$n, settlement_refund_fee_$n, refund_status_$n (PROCESSING, SUCCESS,
 *       REFUNDCLOSE, CHANGE), refund_account_$n, refund_recv_accout_$n, refund_success_time_$n
 *       (SUCCESS only). By order, 10 refunds a page from {@code offset}. REFUNDNOTEXIST when there
 *       is no such refund, the order has none, or offset is beyond them.</li>
 * </ul>
 * Each path is also served under WeChat's sandbox prefix, {@code /sandboxnew} (e.g.
 * {@code POST /sandboxnew/pay/orderquery}), answered the same way (same orders and keys; WeChat's
 * sandbox signing key, {@code /sandboxnew/pay/getsignkey}, is not imitated) and counted (and logged
 * in the call log) under its own path.
 *
 * <h2>Control endpoints (JSON answers; parameters in the query string or a form body)</h2>
 * Where mch_id is optional, it is needed only when several merchants have the same number (409).
 * <ul>
 *   <li>{@code POST /sandbox/wechat/pay?out_trade_no=X[&mch_id=Y]} &mdash; the payer pays: a
 *       NOTPAY or USERPAYING order becomes SUCCESS with a transaction_id and time_end. 200
 *       {@code {"out_trade_no":"X","trade_state":"SUCCESS","transaction_id":"4200..."}} (also when
 *       it was already paid); 404 {@code {"error":"no such order"}}; 409 when the order is CLOSED,
 *       REVOKED or PAYERROR; 400 without out_trade_no.</li>
 *   <li>{@code POST /sandbox/wechat/notify?out_trade_no=X[&mch_id=Y][&sign_type=HMAC-SHA256]}
 *       &mdash; pays the order if needed and sends the signed pay notification to its notify_url;
 *       answers the order plus {@code gateway_status} and {@code gateway_reply}.</li>
 *   <li>{@code POST /sandbox/wechat/close?out_trade_no=X[&mch_id=Y]} &mdash; closes an unpaid
 *       (NOTPAY, USERPAYING, PAYERROR) order. 200 {@code {"out_trade_no":"X","trade_state":"CLOSED"}};
 *       404 as above; 409 when it is paid or reversed.</li>
 *   <li>{@code GET /sandbox/wechat/orders/{out_trade_no}[?mch_id=Y]} &mdash; the simulator's view
 *       of the order, WeChat field names; 404/409 as above.</li>
 *   <li>{@code POST /sandbox/wechat/refunds/succeed?out_refund_no=X[&mch_id=Y]},
 *       {@code .../refunds/fail} (REFUNDCLOSE), {@code .../refunds/change} (CHANGE: the payer's
 *       account could not take the money) &mdash; finishes a PROCESSING refund (and notifies, as
 *       above). 200 with the refund view; the same state again is a no-op 200; 409 when it already
 *       has another final state; 404 {@code {"error":"no such refund"}}.</li>
 *   <li>{@code POST /sandbox/wechat/refunds/notify?out_refund_no=X[&mch_id=Y]} &mdash; sends the
 *       refund notification of a finished refund once more, now; answers the refund view plus
 *       gateway_status and gateway_reply; 409 without notify_url or while PROCESSING.</li>
 *   <li>{@code GET /sandbox/wechat/refunds/{out_refund_no}[?mch_id=Y]} &mdash; the refund view:
 *       mch_id, out_trade_no, transaction_id, out_refund_no, refund_id, total_fee, refund_fee,
 *       refund_status, success_time, notify_url, notify_attempts, notify_result.</li>
 *   <li>{@code POST /sandbox/wechat/refunds/delay?delay_ms=D} &mdash; the refund delay for new
 *       refunds: -1 manual, 0 immediate, up to 600000.</li>
 *   <li>{@code GET /sandbox/wechat/stats} &mdash; {@code {"calls":{"/pay/unifiedorder":N,...},"total":T}}
 *       per API path (unifiedorder, orderquery, closeorder, micropay, reverse, refund, refundquery,
 *       then the same seven under {@code /sandboxnew}), every API call received on either port, failed
 *       ones included; in memory only.</li>
 *   <li>{@code GET /sandbox/wechat/calls[?out_trade_no=X]} &mdash; {@code {"calls":[{"at":epochMillis,
 *       "path":"/pay/orderquery","out_trade_no":"X","out_refund_no":null},...],"dropped":N}}: the
 *       API calls whose XML could be read and that named an order or a refund, oldest first, the
 *       last 100000 kept (dropped counts the older ones); in memory only. For counting the calls
 *       per order, e.g. that no order was charged twice.</li>
 *   <li>{@code POST /sandbox/wechat/faults?delay_ms=D[&count=C]} &mdash; the next C API calls
 *       (default 1) wait D ms (at most 600000) before answering.
 *       {@code POST /sandbox/wechat/faults?fail_with=SYSTEMERROR[&count=C]} &mdash; the next C
 *       authenticated API calls answer result_code FAIL with that err_code, signed.
 *       {@code POST /sandbox/wechat/faults?recall=N} &mdash; the next N reverses answer SYSTEMERROR
 *       with recall=Y and reverse nothing. Several may be given at once. {@code DELETE} clears;
 *       {@code GET} shows the plan. Each answers the remaining plan, {@code {"delay_ms":D,
 *       "delays_left":C,"fail_with":"SYSTEMERROR","failures_left":C,"recalls_left":N}}
 *       ({@code fail_with} left out when none is planned); 400 on bad values.</li>
 * </ul>
 * Any other path answers 404; a wrong method 405.
 *
 * <p>With a state file, orders and refunds survive a restart (JSON lines: one appended per change,
 * the file compacted when it grows past a few lines per order, see {@code SimOrderStore}); refunds
 * left PROCESSING go on after the restart.
 */
public final class WechatSimulator implements AutoCloseable {
    static {
        io.paygate.sandbox.SandboxHttp.noDelay();
    }


    private static final Logger LOG = LoggerFactory.getLogger(WechatSimulator.class);
    private static final String XML_CONTENT = "text/xml; charset=UTF-8";
    private static final String JSON_CONTENT = "application/json; charset=UTF-8";
    private static final int CONTROL_BODY_LIMIT = 8 * 1024;
    /** Enough for a few delayed calls to sleep without blocking the calls a test makes meanwhile. */
    private static final int WORKER_THREADS = 8;
    /** How long a refund stays PROCESSING unless told otherwise: long enough to see PROCESSING, short enough for a demo. */
    public static final Duration DEFAULT_REFUND_DELAY = Duration.ofSeconds(1);

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
    private final int requestedTlsPort;
    private final Path tlsDir;
    private final Map<String, Merchant> merchantsById;
    private final Path stateFile;
    private final SimCallCounter calls = new SimCallCounter(SimTradeApi.paths());
    private final SimFaults faults = new SimFaults();
    private final SimIdentifiers identifiers = new SimIdentifiers(Clock.systemUTC());
    private final ObjectMapper json = new ObjectMapper()
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private HttpServer server;
    private HttpsServer tlsServer;
    private SimCertificates certificates;
    private ExecutorService workers;
    private SimTradeApi tradeApi;
    private SimControlApi controlApi;
    private SimRefundSettlement settlement;
    private SimOrderStore store;
    private volatile Duration refundDelay = DEFAULT_REFUND_DELAY;

    /**
     * A simulator on plain HTTP only: {@code /secapi} paths are refused for want of a certificate.
     *
     * @param port      the port on 127.0.0.1, 0 for any free one (see {@link #port()})
     * @param merchants at least one; mch_id must be unique
     * @param stateFile where orders are kept across restarts, or null to keep them in memory only
     */
    public WechatSimulator(int port, Collection<Merchant> merchants, Path stateFile) {
        this(port, merchants, stateFile, 0, null);
    }

    /**
     * A simulator on plain HTTP and, with a TLS directory, HTTPS with client certificates.
     *
     * @param tlsPort the HTTPS port on 127.0.0.1, 0 for any free one (see {@link #tlsPort()})
     * @param tlsDir  where the CA, server and client certificates are made on the first start and
     *                found on later ones; null for no HTTPS listener. mch_ids must then be file-safe
     *                (letters, digits, '_', '-').
     */
    public WechatSimulator(int port, Collection<Merchant> merchants, Path stateFile, int tlsPort, Path tlsDir) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (tlsPort < 0 || tlsPort > 65_535) {
            throw new IllegalArgumentException("TLS port out of range: " + tlsPort);
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
        this.requestedTlsPort = tlsPort;
        this.tlsDir = tlsDir;
        this.merchantsById = Collections.unmodifiableMap(byId);
        this.stateFile = stateFile;
    }

    /**
     * Loads the state file (if any), makes or loads the certificates (with a TLS directory), binds
     * 127.0.0.1 and starts serving.
     */
    /**
     * Makes (or keeps) the CA and the merchants' client certificates in {@code tlsDir} as
     * {@link #start()} does, without binding anything ({@code --check-config} in sandbox mode).
     */
    public static void makeCertificates(Path tlsDir, Collection<String> mchIds) throws IOException {
        SimCertificates.loadOrCreate(tlsDir, mchIds);
    }

    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        SimOrderStore orders = SimOrderStore.open(stateFile, json);
        SimNotifier notifier = new SimNotifier(merchantsById, identifiers);
        SimCertificates tls = tlsDir == null ? null : SimCertificates.loadOrCreate(tlsDir, merchantsById.keySet());
        SimRefundSettlement refunds = new SimRefundSettlement(orders, notifier, identifiers, refundDelay);
        tradeApi = new SimTradeApi(merchantsById, orders, faults, identifiers, calls, refunds);
        controlApi = new SimControlApi(orders, faults, identifiers, calls, notifier, refunds);
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        ExecutorService pool = Executors.newFixedThreadPool(WORKER_THREADS, workerThreads());
        HttpServer http = null;
        HttpsServer https = null;
        try {
            http = HttpServer.create(new InetSocketAddress(loopback, requestedPort), 0);
            http.setExecutor(pool);
            http.createContext("/", exchange -> serve(exchange, SimTradeApi.PLAIN_HTTP));
            if (tls != null) {
                https = HttpsServer.create(new InetSocketAddress(loopback, requestedTlsPort), 0);
                https.setHttpsConfigurator(configurator(tls.serverContext()));
                https.setExecutor(pool);
                https.createContext("/", exchange -> serve(exchange,
                        () -> tls.check(((HttpsExchange) exchange).getSSLSession())));
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (http != null) {
                http.stop(0);
            }
            pool.shutdownNow();
            refunds.close();
            orders.close();
            throw e instanceof IOException io ? io : new IOException("cannot start the WeChat sandbox", e);
        }
        http.start();
        if (https != null) {
            https.start();
        }
        workers = pool;
        server = http;
        tlsServer = https;
        certificates = tls;
        settlement = refunds;
        store = orders;
        refunds.resume();
        LOG.info("WeChat Pay sandbox listening on 127.0.0.1:{}{} for merchants {}{}", port(),
                https == null ? "" : " and TLS 127.0.0.1:" + tlsPort() + " (certificates in " + tlsDir + ")",
                merchantsById.keySet(), stateFile == null ? "" : ", state file " + stateFile);
    }

    private static HttpsConfigurator configurator(SSLContext context) {
        return new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = context.getDefaultSSLParameters();
                ssl.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                // Asked for, not demanded: without one the caller still gets WeChat's XML refusal.
                ssl.setWantClientAuth(true);
                params.setSSLParameters(ssl);
            }
        };
    }

    /** The bound port; only meaningful after {@link #start()}. */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /** The bound HTTPS port; only meaningful after {@link #start()} with a TLS directory. */
    public synchronized int tlsPort() {
        if (tlsServer == null) {
            throw new IllegalStateException(server == null ? "not started" : "started without a TLS directory");
        }
        return tlsServer.getAddress().getPort();
    }

    /** The sandbox CA ({@code ca.pem}) a gateway must trust for the HTTPS port; after {@link #start()}. */
    public synchronized Path caCertificate() {
        return requireCertificates().caFile();
    }

    /** The merchant's client certificate, PKCS12 with the password mch_id; after {@link #start()}. */
    public synchronized Path clientCertificate(String mchId) {
        if (!merchantsById.containsKey(mchId)) {
            throw new IllegalArgumentException("no merchant " + mchId + " in this sandbox");
        }
        return requireCertificates().clientFile(mchId);
    }

    /**
     * How long new refunds stay PROCESSING before they succeed on their own: zero finishes them
     * before the refund call is answered, a negative value leaves them to the control endpoints.
     * May be changed at any time; applies to refunds requested afterwards.
     */
    public void refundDelay(Duration delay) {
        refundDelay = java.util.Objects.requireNonNull(delay, "delay");
        SimRefundSettlement current;
        synchronized (this) {
            current = settlement;
        }
        if (current != null) {
            current.delay(delay);
        }
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        if (tlsServer != null) {
            tlsServer.stop(0);
        }
        settlement.close();
        // Interrupts calls still sleeping on a planned delay.
        workers.shutdownNow();
        try {
            store.close();
        } catch (IOException e) {
            LOG.warn("cannot close the WeChat sandbox state file: {}", e.toString());
        }
        server = null;
        tlsServer = null;
    }

    private SimCertificates requireCertificates() {
        if (certificates == null) {
            throw new IllegalStateException(server == null ? "not started" : "started without a TLS directory");
        }
        return certificates;
    }

    /** API calls received per WeChat endpoint, as {@code GET /sandbox/wechat/stats} reports them. */
    public Map<String, Long> calls() {
        return calls.snapshot();
    }

    private void serve(HttpExchange exchange, Supplier<ClientCheck> certificate) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        boolean api = tradeApi.serves(path);
        try (exchange) {
            try {
                if (api) {
                    byte[] body = exchange.getRequestBody().readNBytes(SimXml.MAX_BYTES + 1);
                    String answer = tradeApi.answer(path, method, body, certificate);
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
