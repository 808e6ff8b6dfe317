package io.paygate.tools;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.paygate.sandbox.SandboxHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fast in-memory WeChat Pay v2 provider for benchmarks, not a simulator: one merchant,
 * {@code /pay/unifiedorder} (a prepay_id and code_url; the same out_trade_no again gets the same
 * prepay_id) and {@code /pay/orderquery} (NOTPAY for an order it made, else ORDERNOTEXIST). It checks the request's signature and signs its answer with the
 * request's sign_type (MD5 or HMAC-SHA256), keeps orders in a concurrent map, answers from a
 * thread pool with TCP_NODELAY and writes nothing to disk: the provider side of
 * {@code scripts/bench-e2e.sh}, cheaper per call than the gateway in front of it.
 *
 * <pre>
 * java -cp payment-gateway-sandbox.jar io.paygate.tools.FastWechatStub --mch M --appid A --key K
 *      [--port 0] [--threads 8]
 * </pre>
 * Prints {@code fast-wechat-stub listening on 127.0.0.1:PORT} and serves until killed.
 */
public final class FastWechatStub implements AutoCloseable {
    private final String mchId;
    private final String appId;
    private final String apiKey;
    private final Map<String, String> prepayIds = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final HttpServer server;
    private final ExecutorService pool;

    private FastWechatStub(int port, int threads, String mchId, String appId, String apiKey) throws IOException {
        SandboxHttp.noDelay();
        this.mchId = mchId;
        this.appId = appId;
        this.apiKey = apiKey;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fast-wechat-stub");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::serve);
        server.start();
    }

    /** Starts a stub on 127.0.0.1 ({@code port} 0 for any free one). */
    public static FastWechatStub start(int port, int threads, String mchId, String appId, String apiKey)
            throws IOException {
        return new FastWechatStub(port, threads, mchId, appId, apiKey);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        ToolOptions o = new ToolOptions(args, java.util.Set.of("port", "threads", "mch", "appid", "key"));
        String mch = o.get("mch", null);
        String appid = o.get("appid", null);
        String key = o.get("key", null);
        if (mch == null || appid == null || key == null) {
            System.err.println("usage: FastWechatStub --mch M --appid A --key K [--port 0] [--threads 8]");
            System.exit(2);
        }
        FastWechatStub stub = start(o.intValue("port", 0), o.intValue("threads", 8), mch, appid, key);
        System.out.println("fast-wechat-stub listening on 127.0.0.1:" + stub.port());
        System.out.flush();
        Thread.currentThread().join();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String path = exchange.getRequestURI().getPath();
            if (!"POST".equals(exchange.getRequestMethod())
                    || !(path.equals("/pay/unifiedorder") || path.equals("/pay/orderquery"))) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Map<String, String> request = WechatV2.parseXml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            Map<String, String> answer = new LinkedHashMap<>();
            String signType = request == null ? "MD5" : request.getOrDefault("sign_type", "MD5");
            if (request == null) {
                answer.put("return_code", "FAIL");
                answer.put("return_msg", "XML format error");
            } else if (!mchId.equals(request.get("mch_id")) || !appId.equals(request.get("appid"))
                    || !WechatV2.verify(request, signType, apiKey)) {
                answer.put("return_code", "FAIL");
                answer.put("return_msg", "签名错误");
            } else {
                answer.put("return_code", "SUCCESS");
                answer.put("return_msg", "OK");
                answer.put("appid", appId);
                answer.put("mch_id", mchId);
                answer.put("nonce_str", Long.toHexString(ThreadLocalRandom.current().nextLong()));
                String outTradeNo = request.getOrDefault("out_trade_no", "");
                if (path.equals("/pay/unifiedorder")) {
                    String prepayId = prepayIds.computeIfAbsent(outTradeNo,
                            k -> "wx" + System.currentTimeMillis() + sequence.incrementAndGet());
                    answer.put("result_code", "SUCCESS");
                    answer.put("trade_type", request.getOrDefault("trade_type", "NATIVE"));
                    answer.put("prepay_id", prepayId);
                    answer.put("code_url", "weixin://wxpay/bizpayurl?pr=" + prepayId);
                } else if (prepayIds.containsKey(outTradeNo)) {
                    answer.put("result_code", "SUCCESS");
                    answer.put("out_trade_no", outTradeNo);
                    answer.put("trade_state", "NOTPAY");
                    answer.put("trade_state_desc", "订单未支付");
                } else {
                    answer.put("result_code", "FAIL");
                    answer.put("err_code", "ORDERNOTEXIST");
                    answer.put("err_code_des", "此交易订单号不存在");
                }
                answer.put("sign", WechatV2.sign(answer, signType, apiKey));
            }
            byte[] body = WechatV2.toXml(answer).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml; charset=UTF-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
