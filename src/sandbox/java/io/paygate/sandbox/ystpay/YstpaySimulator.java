package io.paygate.sandbox.ystpay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process simulator of Ystpay's {@code unitive.api}, for the gateway's sandbox mode and tests.
 * It listens on 127.0.0.1 only and implements the envelope and crypto with its own code.
 *
 * <h2>API: {@code POST /ystpay/service/unitive.api}</h2>
 * Every request type of the document: unitive_pay_request (barcode), unitive_native_pay_request,
 * unitive_js_pay_request, unitive_h5_pay_request, unitive_query_pay_request,
 * unitive_native_query_pay_request, unitive_refund_request, unitive_query_refund_request,
 * unitive_revoke_request. The account, DSN and signature are checked; answers are enveloped,
 * encrypted with the DSN key and signed. Barcode auth codes: ending in {@code 0000} the buyer is
 * still paying (status W, until {@code /sandbox/ystpay/pay} or {@code /fail}); ending in
 * {@code 4444} refused (result N, code E21004, an undocumented code); otherwise paid at once. The
 * wallet follows the code's prefix (10-15 WeChat, 25-30 Alipay, 91 QQ, 51 Bestpay). Refusals use
 * invented codes (the document has no code table): E10001 signature, E10002 duplicate req_seq,
 * E10003 bad field, E10404 no such order, E13001 refund exceeds, E13002 order not paid.
 *
 * <h2>Control endpoints (JSON)</h2>
 * <ul>
 *   <li>{@code POST /sandbox/ystpay/pay?req_seq=X} &mdash; the buyer pays the order whose payment
 *       req_seq is X.</li>
 *   <li>{@code POST /sandbox/ystpay/fail?req_seq=X} &mdash; a waiting payment fails (status F).</li>
 *   <li>{@code POST /sandbox/ystpay/notify?req_seq=X[&form=plain|envelope]} &mdash; pays (if not
 *       paid) and posts native_order_notice to the merchant's registered notify URL; answers the
 *       gateway's status and reply. plain (default) is the document's bare {@code <data>}.</li>
 *   <li>{@code GET /sandbox/ystpay/orders/X} &mdash; the simulator's view of the order.</li>
 *   <li>{@code GET /sandbox/ystpay/stats} &mdash; API calls per request_type and total.</li>
 *   <li>{@code POST /sandbox/ystpay/faults?delay_ms=D[&count=C]} &mdash; the next C calls wait D ms;
 *       {@code DELETE} clears.</li>
 * </ul>
 */
public final class YstpaySimulator implements AutoCloseable {
    static {
        // Before this simulator can create the JVM's first JDK HTTP server (see SandboxHttp).
        io.paygate.sandbox.SandboxHttp.noDelay();
    }

    private static final Logger LOG = LoggerFactory.getLogger(YstpaySimulator.class);
    public static final String API_PATH = "/ystpay/service/unitive.api";
    private static final String CONTROL = "/sandbox/ystpay/";
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter SERVER_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss:SSS");
    private static final DateTimeFormatter SEQ_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss");
    private static final List<String> TYPES = List.of("unitive_pay_request", "unitive_native_pay_request",
            "unitive_js_pay_request", "unitive_h5_pay_request", "unitive_query_pay_request",
            "unitive_native_query_pay_request", "unitive_refund_request", "unitive_query_refund_request",
            "unitive_revoke_request");

    /**
     * A device account the simulated Ystpay knows. requestKey first16 | utf8 | base64, pkcs7 false =
     * zero padding, as the gateway's merchant settings. notifyUrl: where notices go (ops register it).
     */
    public record Merchant(String account, String password, String privateKey, String requestKey, boolean pkcs7,
                           boolean lowerInnerMd5, String notifyUrl) {
        public Merchant(String account, String password, String privateKey, String notifyUrl) {
            this(account, password, privateKey, "first16", false, false, notifyUrl);
        }

        @Override
        public String toString() {
            return "Merchant[account=" + account + ", keys=<hidden>]";
        }
    }

    private record Reply(int status, Object body) {
    }

    private final int requestedPort;
    private final Map<String, Merchant> merchants = new LinkedHashMap<>();
    private final Map<String, SimYstOrder> orders = new LinkedHashMap<>();
    private final Map<String, SimYstOrder> byTransSeq = new LinkedHashMap<>();
    private final Map<String, Long> calls = new LinkedHashMap<>();
    private final AtomicLong serial = new AtomicLong();
    private final SecureRandom random = new SecureRandom();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private long delayMs;
    private int delaysLeft;
    private HttpServer server;
    private ExecutorService workers;

    public YstpaySimulator(int port, List<Merchant> merchants) {
        this.requestedPort = port;
        for (Merchant m : merchants) {
            if (this.merchants.putIfAbsent(m.account(), m) != null) {
                throw new IllegalArgumentException("duplicate account " + m.account());
            }
        }
        TYPES.forEach(t -> calls.put(t, 0L));
    }

    public synchronized void start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}),
                requestedPort), 0);
        workers = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "sandbox-ystpay");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(workers);
        s.createContext("/", this::serve);
        s.start();
        server = s;
        LOG.info("Ystpay sandbox listening on 127.0.0.1:{} for accounts {}", port(), merchants.keySet());
    }

    public synchronized int port() {
        return server.getAddress().getPort();
    }

    /** The URL a merchant profile's baseUrl names. */
    public String apiUrl() {
        return "http://127.0.0.1:" + port() + API_PATH;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            workers.shutdownNow();
            server = null;
        }
    }

    private void serve(HttpExchange ex) {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            byte[] body = ex.getRequestBody().readNBytes(SimYstXml.MAX_BYTES + 1);
            if (path.equals(API_PATH) && "POST".equals(ex.getRequestMethod())) {
                long delay = takeDelay();
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                send(ex, 200, "text/xml; charset=UTF-8", api(new String(body, StandardCharsets.UTF_8)));
            } else if (path.startsWith(CONTROL)) {
                Map<String, String> q = params(ex.getRequestURI().getRawQuery());
                Reply r = control(ex.getRequestMethod(), path.substring(CONTROL.length()), q);
                send(ex, r.status(), "application/json", json.writeValueAsString(r.body()));
            } else {
                send(ex, 404, "text/plain", "not found");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("sandbox Ystpay request failed: {}", e.toString());
        }
    }

    // ---- the API

    private String api(String body) throws Exception {
        Map<String, String> outer = SimYstXml.parse(body, "request");
        Merchant m = outer == null ? null : merchants.get(outer.get("account"));
        if (m == null) {
            // Without a known account there is no DSN to answer with: an unsigned, empty envelope.
            return "<response><timestamp></timestamp><data></data><signature></signature></response>";
        }
        String dsn = SimYstCrypto.dsn(m);
        Map<String, String> answer = new LinkedHashMap<>();
        String data = outer.getOrDefault("data", "");
        if (!dsn.equals(outer.get("dsn"))
                || !SimYstCrypto.sameHex(SimYstCrypto.md5Upper(m.privateKey() + dsn + data), outer.get("signature"))) {
            answer.put("result", "N");
            answer.put("code", "E10001");
            answer.put("msg", "签名错误");
            return envelope(m, dsn, answer);
        }
        String plain = SimYstCrypto.decrypt(data, SimYstCrypto.requestKey(m), m.pkcs7());
        Map<String, String> f = plain == null ? null : SimYstXml.parse(plain, "data");
        if (f == null || !dsn.equals(f.get("dsn")) || !java.util.Objects.equals(f.get("request_type"), outer.get("request_type"))) {
            answer.put("result", "N");
            answer.put("code", "E10001");
            answer.put("msg", "数据解密失败");
            return envelope(m, dsn, answer);
        }
        String type = f.get("request_type");
        synchronized (this) {
            calls.computeIfPresent(type, (k, v) -> v + 1);
            answer.put("req_seq", f.get("req_seq"));
            try {
                handle(m, type, f, answer);
            } catch (Refused r) {
                answer.put("result", "N");
                answer.put("code", r.code);
                answer.put("msg", r.getMessage());
            }
            answer.put("server_time", SERVER_TIME.format(ZonedDateTime.now(SHANGHAI)));
        }
        return envelope(m, dsn, answer);
    }

    private void handle(Merchant m, String type, Map<String, String> f, Map<String, String> a) {
        String reqSeq = required(f, "req_seq");
        if (reqSeq.length() > 20) {
            throw new Refused("E10003", "req_seq 超过 20 位");
        }
        switch (type) {
            case "unitive_pay_request", "unitive_native_pay_request", "unitive_js_pay_request", "unitive_h5_pay_request" ->
                    pay(m, type, reqSeq, f, a);
            case "unitive_query_pay_request", "unitive_native_query_pay_request" -> {
                SimYstOrder o = order(m, required(f, "ori_seq"));
                a.put("result", "Y");
                a.put("code", "E11000");
                a.put("msg", "查询成功");
                orderFields(o, a);
            }
            case "unitive_refund_request" -> refund(m, reqSeq, f, a);
            case "unitive_query_refund_request" -> {
                SimYstOrder o = byTrans(m, required(f, "trans_seq"));
                String ori = required(f, "ori_seq");
                SimYstOrder.Refund r = o.refunds.stream().filter(x -> x.reqSeq.equals(ori)).findFirst()
                        .orElseThrow(() -> new Refused("E10404", "退款单不存在"));
                refundFields(o, r, a);
            }
            case "unitive_revoke_request" -> {
                SimYstOrder o = order(m, required(f, "ori_seq"));
                if (blank(f.get("channel")) && blank(f.get("auth_code"))) {
                    throw new Refused("E10003", "channel 和 auth_code 必须 2 选 1");
                }
                if (!"unitive_pay_request".equals(o.requestType)) {
                    throw new Refused("E10003", "仅条码支付可撤单");
                }
                o.status = "R";
                a.put("result", "Y");
                a.put("code", "E13000");
                a.put("msg", "撤单成功");
                a.put("channel", o.channel);
            }
            default -> throw new Refused("E10003", "未知的 request_type");
        }
    }

    private void pay(Merchant m, String type, String reqSeq, Map<String, String> f, Map<String, String> a) {
        if (orders.containsKey(m.account() + "/" + reqSeq)) {
            throw new Refused("E10002", "请求流水号重复");
        }
        String feeText = required(f, "total_fee");
        if (!feeText.matches("[1-9]\\d{0,9}")) {
            throw new Refused("E10003", "total_fee 无效");
        }
        String channel = f.get("channel");
        boolean barcode = type.equals("unitive_pay_request");
        String authCode = barcode ? required(f, "auth_code") : null;
        if (barcode) {
            if (blank(channel)) {
                channel = channelOf(authCode);
            }
            if (f.get("prod_details") != null) {
                checkProdDetails(f.get("prod_details"));
            }
        } else if (!"W".equals(channel) && !"A".equals(channel)) {
            throw new Refused("E10003", "channel 必须为 W 或 A");
        }
        if (type.equals("unitive_native_pay_request") && f.get("expire_time") != null) {
            int s = Integer.parseInt(f.get("expire_time"));
            if (s < 300 || s > 1800) {
                throw new Refused("E10003", "expire_time 超出 300-1800 秒");
            }
        }
        if (type.equals("unitive_js_pay_request")) {
            required(f, "subopen_id");
        }
        if (type.equals("unitive_h5_pay_request")) {
            required(f, "redirect_url");
            if ("W".equals(channel)) {
                required(f, "ip");
            }
        }
        if (barcode && authCode.endsWith("4444")) {
            throw new Refused("E21004", "付款码无效,请刷新后重试");
        }
        SimYstOrder o = new SimYstOrder(m.account(), reqSeq, type, number("1"), Long.parseLong(feeText), channel);
        orders.put(m.account() + "/" + reqSeq, o);
        byTransSeq.put(m.account() + "/" + o.transSeq, o);
        if (barcode && !authCode.endsWith("0000")) {
            paid(o);
        }
        a.put("result", "Y");
        a.put("code", barcode ? "E11000" : "E11101");
        a.put("msg", barcode ? ("S".equals(o.status) ? "支付成功" : "用户支付中") : "预支付订单请求成功");
        orderFields(o, a);
        String token = Long.toHexString(random.nextLong());
        switch (type) {
            case "unitive_native_pay_request" -> a.put("pay_url", "W".equals(channel)
                    ? "weixin://wxpay/bizpayurl?pr=" + token : "https://qr.alipay.com/" + token);
            case "unitive_js_pay_request" -> {
                String prepay = "W".equals(channel) ? "wx" + token : "2026" + token;
                a.put("pay_url", prepay);
                a.put("signature_info", "{\"appId\":\"wxsandbox0000000001\",\"nonceStr\":\"" + token + "\",\"package\":\"prepay_id="
                        + prepay + "\",\"paySign\":\"" + SimYstCrypto.md5Upper(token) + "\",\"signType\":\"MD5\",\"timeStamp\":\""
                        + System.currentTimeMillis() + "\"}");
            }
            case "unitive_h5_pay_request" -> a.put("pay_info", "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx"
                    + token + "&package=1630946716&redirect_url="
                    + java.net.URLEncoder.encode(f.get("redirect_url"), StandardCharsets.UTF_8));
            default -> {
                // barcode: no link
            }
        }
    }

    /** Prices in yuan: exact decimals with at most two places, as the document's example. */
    private void checkProdDetails(String text) {
        try {
            for (Object o : json.readValue(text, List.class)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> g = (Map<String, Object>) o;
                for (String k : List.of("price", "goodsFee")) {
                    if (g.get(k) != null && new BigDecimal(g.get(k).toString()).scale() > 2) {
                        throw new Refused("E10003", "prod_details " + k + " 精度超过分");
                    }
                }
                if (g.get("goodsId") == null || g.get("goodsName") == null) {
                    throw new Refused("E10003", "prod_details 缺少 goodsId/goodsName");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof Refused r) {
                throw r;
            }
            throw new Refused("E10003", "prod_details 不是 JSON 列表");
        }
    }

    private void refund(Merchant m, String reqSeq, Map<String, String> f, Map<String, String> a) {
        SimYstOrder o = byTrans(m, required(f, "trans_seq"));
        required(f, "reason");
        String feeText = required(f, "refund_fee");
        if (!feeText.matches("[1-9]\\d{0,9}")) {
            throw new Refused("E10003", "refund_fee 无效");
        }
        long fee = Long.parseLong(feeText);
        SimYstOrder.Refund earlier = o.refunds.stream().filter(r -> r.reqSeq.equals(reqSeq)).findFirst().orElse(null);
        if (earlier != null) {
            if (earlier.fee != fee) {
                throw new Refused("E10002", "请求流水号重复");
            }
            refundFields(o, earlier, a);
            return;
        }
        if (!"S".equals(o.status)) {
            throw new Refused("E13002", "订单未支付");
        }
        if (o.refunded() + fee > o.totalFee) {
            throw new Refused("E13001", "退款金额超过可退金额");
        }
        SimYstOrder.Refund r = new SimYstOrder.Refund(reqSeq, number("2"), fee,
                TIME.format(ZonedDateTime.now(SHANGHAI)));
        o.refunds.add(r);
        refundFields(o, r, a);
    }

    private static void refundFields(SimYstOrder o, SimYstOrder.Refund r, Map<String, String> a) {
        a.put("result", "Y");
        a.put("code", "E13000");
        a.put("msg", "退款申请成功");
        a.put("refund_seq", r.refundSeq);
        a.put("total_fee", Long.toString(o.totalFee));
        a.put("refund_fee", Long.toString(r.fee));
        a.put("channel", o.channel);
        a.put("status", "S");
    }

    private static void orderFields(SimYstOrder o, Map<String, String> a) {
        a.put("channel", o.channel);
        a.put("trans_seq", o.transSeq);
        a.put("total_fee", Long.toString(o.totalFee));
        a.put("status", "R".equals(o.status) ? "F" : o.status);
        if ("S".equals(o.status)) {
            a.put("cash_fee", Long.toString(o.totalFee));
            a.put("coupon_fee", "0");
            a.put("pay_time", o.payTime);
            a.put("receipts", null);
        }
    }

    private void paid(SimYstOrder o) {
        if (!"S".equals(o.status)) {
            o.status = "S";
            o.payTime = TIME.format(ZonedDateTime.now(SHANGHAI));
        }
    }

    private String envelope(Merchant m, String dsn, Map<String, String> answer) throws java.security.GeneralSecurityException {
        String ts = Long.toString(System.currentTimeMillis());
        String data = SimYstCrypto.encrypt(dataXml(answer), SimYstCrypto.answerKey(dsn), m.pkcs7());
        Map<String, String> outer = new LinkedHashMap<>();
        outer.put("timestamp", ts);
        outer.put("data", data);
        outer.put("signature", SimYstCrypto.md5Upper(dsn + ts + data));
        return SimYstXml.write("response", outer);
    }

    /** The answer's data, with a receipt for paid barcode payments as the document shows it. */
    private static String dataXml(Map<String, String> answer) {
        boolean receipt = answer.containsKey("receipts");
        answer.remove("receipts");
        String xml = SimYstXml.write("data", answer);
        if (receipt) {
            xml = xml.replace("</data>", "<receipts><line>-----交易小票-----</line><line>交易金额："
                    + answer.get("total_fee") + "分</line></receipts></data>");
        }
        return xml;
    }

    // ---- control

    private Reply control(String method, String what, Map<String, String> q) {
        if ("notify".equals(what)) {
            // Sent outside the lock: the gateway queries the simulator before it replies.
            Map<String, Object> view;
            Merchant m;
            String body;
            synchronized (this) {
                try {
                    SimYstOrder o = locate(q.get("req_seq"));
                    paid(o);
                    m = merchants.get(o.account);
                    view = view(o);
                    body = noticeBody(o, m, q.getOrDefault("form", "plain"));
                } catch (Refused r) {
                    return new Reply(404, Map.of("error", r.getMessage()));
                }
            }
            return new Reply(200, send(m, body, view));
        }
        synchronized (this) {
            try {
                switch (what) {
                    case "stats" -> {
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("calls", new LinkedHashMap<>(calls));
                        body.put("total", calls.values().stream().mapToLong(Long::longValue).sum());
                        return new Reply(200, body);
                    }
                    case "faults" -> {
                        if ("DELETE".equals(method)) {
                            delaysLeft = 0;
                        } else {
                            delayMs = Math.min(600_000, Long.parseLong(q.getOrDefault("delay_ms", "0")));
                            delaysLeft = Integer.parseInt(q.getOrDefault("count", "1"));
                        }
                        return new Reply(200, Map.of("delay_ms", delayMs, "delays_left", delaysLeft));
                    }
                    case "pay", "fail" -> {
                        SimYstOrder o = locate(q.get("req_seq"));
                        if ("pay".equals(what)) {
                            paid(o);
                        } else if (!"S".equals(o.status)) {
                            o.status = "F";
                        }
                        return new Reply(200, view(o));
                    }
                    default -> {
                        if (what.startsWith("orders/")) {
                            return new Reply(200, view(locate(what.substring("orders/".length()))));
                        }
                        return new Reply(404, Map.of("error", "not found"));
                    }
                }
            } catch (Refused r) {
                return new Reply(404, Map.of("error", r.getMessage()));
            } catch (NumberFormatException e) {
                return new Reply(400, Map.of("error", "bad number"));
            }
        }
    }

    private String noticeBody(SimYstOrder o, Merchant m, String form) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("request_type", "native_order_notice");
        f.put("req_seq", o.paySeq);
        f.put("server_time", SERVER_TIME.format(ZonedDateTime.now(SHANGHAI)));
        f.put("channel", o.channel);
        f.put("trans_seq", o.transSeq);
        f.put("total_fee", Long.toString(o.totalFee));
        f.put("status", o.status);
        f.put("pay_time", o.payTime);
        try {
            return "envelope".equals(form) ? envelope(m, SimYstCrypto.dsn(m), f) : SimYstXml.write("data", f);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> send(Merchant m, String body, Map<String, Object> view) {
        Map<String, Object> out = new LinkedHashMap<>(view);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(m.notifyUrl())).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "text/xml; charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            out.put("gateway_status", r.statusCode());
            out.put("gateway_reply", r.body());
        } catch (Exception e) {
            out.put("gateway_status", 0);
            out.put("gateway_reply", "not delivered: " + e.getClass().getSimpleName());
        }
        return out;
    }

    private static Map<String, Object> view(SimYstOrder o) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("account", o.account);
        v.put("req_seq", o.paySeq);
        v.put("request_type", o.requestType);
        v.put("trans_seq", o.transSeq);
        v.put("total_fee", o.totalFee);
        v.put("channel", o.channel);
        v.put("status", o.status);
        if (o.payTime != null) {
            v.put("pay_time", o.payTime);
        }
        v.put("refunded", o.refunded());
        return v;
    }

    private SimYstOrder locate(String paySeq) {
        if (paySeq == null) {
            throw new Refused("E10003", "req_seq is required");
        }
        return orders.entrySet().stream().filter(e -> e.getKey().endsWith("/" + paySeq)).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new Refused("E10404", "no such order"));
    }

    private SimYstOrder order(Merchant m, String paySeq) {
        SimYstOrder o = orders.get(m.account() + "/" + paySeq);
        if (o == null) {
            throw new Refused("E10404", "订单不存在");
        }
        return o;
    }

    private SimYstOrder byTrans(Merchant m, String transSeq) {
        SimYstOrder o = byTransSeq.get(m.account() + "/" + transSeq);
        if (o == null) {
            throw new Refused("E10404", "原交易不存在");
        }
        return o;
    }

    /** 20 digits: a kind digit, yyMMddHHmmss and a 7-digit serial. */
    private String number(String kind) {
        return kind + SEQ_TIME.format(ZonedDateTime.now(SHANGHAI)) + String.format("%07d", serial.incrementAndGet() % 10_000_000);
    }

    private static String channelOf(String authCode) {
        String p = authCode.length() >= 2 ? authCode.substring(0, 2) : "";
        return switch (p) {
            case "25", "26", "27", "28", "29", "30" -> "A";
            case "91" -> "Q";
            case "51" -> "Y";
            default -> "W";
        };
    }

    private synchronized long takeDelay() {
        if (delaysLeft == 0) {
            return 0;
        }
        delaysLeft--;
        return delayMs;
    }

    private static String required(Map<String, String> f, String name) {
        String v = f.get(name);
        if (blank(v)) {
            throw new Refused("E10003", name + " 不能为空");
        }
        return v;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static Map<String, String> params(String raw) {
        Map<String, String> p = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    p.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return p;
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    /** A business refusal: result N with a code. */
    private static final class Refused extends RuntimeException {
        final String code;

        Refused(String code, String message) {
            super(message);
            this.code = code;
        }
    }
}
