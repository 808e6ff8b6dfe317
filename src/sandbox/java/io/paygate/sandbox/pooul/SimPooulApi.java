package io.paygate.sandbox.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The simulated Pooul business API, both generations, on one order book.
 *
 * <p>Classic: POST JSON to {@code /paygate/merchant_info/{pay,query,order_close,refund,refund_query}};
 * the request's MD5 {@code sign} covers every other field; answers carry {@code code, msg, data,
 * version, sign_type, sign} with the sign over {@code data}; a refusal before the merchant is
 * authenticated is unsigned. v2: POST a JWT to {@code /v2/pay[/query|/close|/reverse|/refund|/refund_query]?merchant_id=};
 * it must verify with the merchant's public key and carry a {@code nonce_str} not seen before;
 * answers are JWTs by the platform key, refusals plain {@code {code, msg}}.
 *
 * <p>Barcode ({@code common.micro}) auth codes: ending {@code 6666} answer trade_state 6 and the
 * order is paid at the second query after; ending {@code 7777} stay at 6 until reversed or paid
 * through the control API; any other code pays at once.
 */
final class SimPooulApi {
    static final String CLASSIC = "/paygate/merchant_info/";
    static final String V2 = "/v2/pay";
    private static final Set<String> CLASSIC_TYPES = Set.of("wechat.jswap", "alipay.jsapi", "qq.jsapi", "wechat.scan",
            "alipay.scan");
    private static final Set<String> V2_TYPES = Set.of("common.micro", "wechat.scan", "wechat.jsapi", "wechat.jsminipg",
            "wechat.app", "wechat.wap", "alipay.scan");
    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneId.of("Asia/Shanghai"));

    record Reply(int status, String contentType, byte[] body) {
    }

    /** A business failure: Pooul's code and message. */
    static final class Refusal extends RuntimeException {
        final int code;

        Refusal(int code, String msg) {
            super(msg);
            this.code = code;
        }
    }

    private final ObjectMapper json;
    private final Map<String, PooulSimulator.Merchant> merchants;
    private final KeyPair platform;
    private final PooulSimulator.Faults faults;
    private final Consumer<Runnable> notifier;
    private final SimPooulNotifications notifications;
    private final Clock clock;
    private final Map<String, SimPooulOrder> orders = new LinkedHashMap<>();
    private final Map<String, Set<String>> nonces = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong sequence = new AtomicLong();

    SimPooulApi(ObjectMapper json, Map<String, PooulSimulator.Merchant> merchants, KeyPair platform,
                PooulSimulator.Faults faults, SimPooulNotifications notifications, Consumer<Runnable> notifier, Clock clock) {
        this.json = json;
        this.merchants = merchants;
        this.platform = platform;
        this.faults = faults;
        this.notifications = notifications;
        this.notifier = notifier;
        this.clock = clock;
    }

    static boolean serves(String path) {
        return path.startsWith(CLASSIC) || path.equals(V2) || path.startsWith(V2 + "/");
    }

    Reply answer(String path, Map<String, String> query, byte[] body) {
        return path.startsWith(CLASSIC) ? classic(path.substring(CLASSIC.length()), body) : v2(path, query, body);
    }

    // ---------------------------------------------------------------- classic

    private Reply classic(String op, byte[] body) {
        JsonNode req;
        try {
            req = json.readTree(body);
        } catch (Exception e) {
            req = null;
        }
        if (req == null || !req.isObject()) {
            return plain(100, "JSON格式错误");
        }
        PooulSimulator.Merchant m = merchants.get(req.path("merchant_id").asText(""));
        if (m == null || m.v2()) {
            return plain(200, "商户不存在");
        }
        if (!SimPooulCrypto.md5Verify(req, req.path("sign").asText(null), m.md5Key())) {
            return plain(101, "签名错误");
        }
        ObjectNode data;
        try {
            synchronized (this) {
                data = switch (op) {
                    case "pay" -> pay(m, req);
                    case "query" -> query(m, req);
                    case "order_close" -> closeClassic(m, req);
                    case "refund" -> refund(m, req);
                    case "refund_query" -> refundQueryClassic(m, req);
                    default -> throw new Refusal(103, "接口不存在");
                };
            }
        } catch (Refusal r) {
            return plain(r.code, r.getMessage());
        }
        data.put("merchant_id", m.merchantId());
        data.put("nonce_str", nonce());
        ObjectNode answer = json.createObjectNode();
        answer.put("code", 0);
        answer.putNull("msg");
        answer.set("data", data);
        answer.put("version", "1.0");
        answer.put("sign_type", "md5");
        String fault = faults.take();
        switch (fault == null ? "" : fault) {
            case "unsigned" -> {
                return bytes(answer);
            }
            case "other-merchant" -> data.put("merchant_id", "another-merchant");
            default -> {
                // signed as Pooul signs
            }
        }
        String sign = SimPooulCrypto.md5Sign(data, "foreign-key".equals(fault) ? "not-the-merchants-key" : m.md5Key());
        answer.put("sign", "bad-sign".equals(fault) ? flip(sign) : sign);
        answer.put("time_elapsed", 0.0123);
        return bytes(answer);
    }

    // ---------------------------------------------------------------- v2

    private Reply v2(String path, Map<String, String> query, byte[] body) {
        PooulSimulator.Merchant m = merchants.get(query.getOrDefault("merchant_id", ""));
        if (m == null || !m.v2()) {
            return plain(200, "商户不存在");
        }
        byte[] payload = SimPooulCrypto.jwsVerify(new String(body, StandardCharsets.UTF_8), m.publicKey());
        if (payload == null) {
            return plain(101, "签名验证失败");
        }
        JsonNode req;
        try {
            req = json.readTree(payload);
        } catch (Exception e) {
            req = null;
        }
        if (req == null || !req.isObject()) {
            return plain(100, "JSON格式错误");
        }
        String nonce = req.path("nonce_str").asText("");
        ObjectNode data;
        try {
            synchronized (this) {
                if (nonce.isEmpty()) {
                    throw new Refusal(103, "缺少参数nonce_str");
                }
                if (!nonces.computeIfAbsent(m.merchantId(), k -> new HashSet<>()).add(nonce)) {
                    throw new Refusal(103, "nonce_str重复");
                }
                data = switch (path) {
                    case V2 -> pay(m, req);
                    case V2 + "/query" -> query(m, req);
                    case V2 + "/close" -> closeV2(m, req);
                    case V2 + "/reverse" -> reverse(m, req);
                    case V2 + "/refund" -> refund(m, req);
                    case V2 + "/refund_query" -> refundQueryV2(m, req);
                    default -> throw new Refusal(103, "接口不存在");
                };
            }
        } catch (Refusal r) {
            return plain(r.code, r.getMessage());
        }
        ObjectNode answer = json.createObjectNode();
        answer.put("code", 0);
        answer.put("msg", "success");
        if (data != null) {
            data.put("merchant_id", m.merchantId());
            answer.set("data", data);
        }
        String fault = faults.take();
        switch (fault == null ? "" : fault) {
            case "unsigned" -> {
                return bytes(answer);
            }
            case "other-merchant" -> {
                if (data != null) {
                    data.put("merchant_id", "9999999999999999");
                }
            }
            default -> {
                // signed as Pooul signs
            }
        }
        byte[] raw;
        try {
            raw = json.writeValueAsBytes(answer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String token = SimPooulCrypto.jwsSign(raw, "foreign-key".equals(fault) ? SimPooulCrypto.generate().getPrivate()
                : platform.getPrivate());
        if ("bad-sign".equals(fault)) {
            token = token.substring(0, token.length() - 6) + (token.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
        }
        return new Reply(200, "text/plain; charset=UTF-8", token.getBytes(StandardCharsets.US_ASCII));
    }

    // ---------------------------------------------------------------- operations

    private ObjectNode pay(PooulSimulator.Merchant m, JsonNode req) {
        String payType = required(req, "pay_type");
        if (!(m.v2() ? V2_TYPES : CLASSIC_TYPES).contains(payType)) {
            throw new Refusal(1500, "支付类型未开通: " + payType);
        }
        String mchTradeId = required(req, "mch_trade_id");
        if (mchTradeId.length() > 32) {
            throw new Refusal(103, "mch_trade_id过长");
        }
        JsonNode fee = req.get("total_fee");
        if (fee == null || !fee.canConvertToLong() || !fee.isIntegralNumber() || fee.asLong() <= 0) {
            throw new Refusal(103, "total_fee格式错误");
        }
        required(req, "body");
        String notifyUrl = req.path("notify_url").asText(null);
        if (!m.v2()) {
            required(req, "notify_url");
        }
        boolean wechatV2 = m.v2() && payType.startsWith("wechat.");
        if (wechatV2 || "alipay.jsapi".equals(payType)) {
            required(req, "spbill_create_ip");
        }
        switch (payType) {
            case "alipay.jsapi" -> {
                if (req.path("buyer_id").asText("").isEmpty() && req.path("buyer_logon_id").asText("").isEmpty()) {
                    throw new Refusal(103, "buyer_id和buyer_logon_id不能同时为空");
                }
            }
            case "wechat.jsapi", "wechat.jsminipg" -> {
                required(req, "sub_appid");
                required(req, "sub_openid");
            }
            case "wechat.app" -> required(req, "sub_appid");
            case "wechat.wap" -> {
                if (!Set.of("IOS", "AND", "WAP").contains(required(req, "mch_app_type"))) {
                    throw new Refusal(103, "mch_app_type格式错误");
                }
                required(req, "mch_app_name");
                required(req, "mch_app_id");
            }
            case "common.micro" -> {
                if (!required(req, "auth_code").matches("\\d{16,24}")) {
                    throw new Refusal(600, "付款码无效");
                }
            }
            default -> {
                // scan types need nothing more
            }
        }
        String key = m.merchantId() + "/" + mchTradeId;
        SimPooulOrder order = orders.get(key);
        if (order != null) {
            if (order.totalFee != fee.asLong() || !order.payType.equals(payType) || order.tradeState != SimPooulOrder.NOTPAY) {
                throw new Refusal(107, "商户订单号重复");
            }
        } else {
            order = new SimPooulOrder(m.merchantId(), m.v2(), mchTradeId, id(24), payType, fee.asLong(),
                    req.get("body").asText(), req.path("attach").asText(null), notifyUrl, req.path("auth_code").asText(null));
            orders.put(key, order);
            if ("common.micro".equals(payType)) {
                String code = order.authCode;
                if (code.endsWith("6666")) {
                    order.tradeState = SimPooulOrder.PAYING;
                    order.queriesUntilPaid = 2;
                } else if (code.endsWith("7777")) {
                    order.tradeState = SimPooulOrder.PAYING;
                } else {
                    payNow(order);
                }
            }
        }
        ObjectNode d = json.createObjectNode();
        d.put("trade_id", order.tradeId);
        d.put("mch_trade_id", order.mchTradeId);
        String prepay = "wx" + order.tradeId;
        switch (payType) {
            case "common.micro" -> {
                d.put("trade_state", order.tradeState);
                d.put("trade_info", SimPooulOrder.describe(order.tradeState));
            }
            case "wechat.jswap", "qq.jsapi" -> {
                d.put("pay_type", payType);
                d.put("ch_trade_id", "1003" + order.tradeId);
                d.put("pay_url", "http://sandbox.pooul.invalid/thirdPay/pay/jump?uuid=" + order.tradeId);
            }
            case "alipay.jsapi" -> {
                d.put("pay_url", "http://sandbox.pooul.invalid/pay/prepay?token_id=" + order.tradeId + "&pay_type=alipay.jsapi");
                d.put("token_id", order.tradeId);
                d.put("appid", "2016070101572274");
            }
            case "wechat.scan" -> {
                d.put("code_url", "weixin://wxpay/bizpayurl?pr=" + order.tradeId.substring(0, 7));
                d.put("prepay_id", prepay);
                if (!m.v2()) {
                    d.put("pay_type", payType);
                }
            }
            case "alipay.scan" -> {
                d.put("code_url", "https://qr.alipay.com/" + order.tradeId);
                d.put("pay_type", payType);
                if (m.v2()) {
                    d.put("trade_state", SimPooulOrder.PAYING);
                    d.put("trade_info", "支付中, 10000,Success");
                }
            }
            case "wechat.wap" -> {
                d.put("prepay_id", prepay);
                d.put("mweb_url", "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=" + prepay);
            }
            default -> {
                d.put("prepay_id", prepay);
                d.put("pay_info", payInfo(payType, req.path("sub_appid").asText(), prepay));
            }
        }
        return d;
    }

    private ObjectNode query(PooulSimulator.Merchant m, JsonNode req) {
        SimPooulOrder o = find(m, req);
        if (o.tradeState == SimPooulOrder.PAYING && o.queriesUntilPaid > 0 && --o.queriesUntilPaid == 0) {
            payNow(o);
        }
        ObjectNode d = json.createObjectNode();
        boolean alipayClassic = !m.v2() && o.payType.startsWith("alipay.");
        // The documents show total_fee as a string in classic Alipay answers, a number elsewhere.
        if (alipayClassic) {
            d.put("total_fee", Long.toString(o.totalFee));
        } else {
            d.put("total_fee", o.totalFee);
        }
        d.put("trade_state", o.tradeState);
        d.put("trade_id", o.tradeId);
        d.put("mch_trade_id", o.mchTradeId);
        d.put("pay_type", o.payType);
        if (o.attach != null) {
            d.put("attach", o.attach);
        }
        if (m.v2()) {
            d.put("trade_info", SimPooulOrder.describe(o.tradeState));
        }
        if (o.timeEnd > 0) {
            d.put("out_trade_id", o.outTradeId);
            d.put("ch_trade_id", o.chTradeId);
            // Classic: 10-digit seconds (seed 001); v2: 13-digit milliseconds.
            d.put("time_end", m.v2() ? o.timeEnd * 1000 : o.timeEnd);
            d.put("cash_fee", o.totalFee);
        }
        return d;
    }

    private ObjectNode closeClassic(PooulSimulator.Merchant m, JsonNode req) {
        SimPooulOrder o = find(m, req);
        ObjectNode d = json.createObjectNode();
        d.put("mch_trade_id", o.mchTradeId);
        d.put("trade_id", o.tradeId);
        switch (o.tradeState) {
            case SimPooulOrder.NOTPAY, SimPooulOrder.PAYING -> {
                o.tradeState = SimPooulOrder.CLOSED;
                d.put("close_status", 0);
            }
            case SimPooulOrder.CLOSED -> d.put("close_status", 1);
            default -> {
                d.put("close_status", -1);
                d.put("err_msg", "订单状态不允许关闭: " + SimPooulOrder.describe(o.tradeState));
            }
        }
        return d;
    }

    private ObjectNode closeV2(PooulSimulator.Merchant m, JsonNode req) {
        SimPooulOrder o = find(m, req);
        if (o.tradeState == SimPooulOrder.NOTPAY || o.tradeState == SimPooulOrder.PAYING) {
            o.tradeState = SimPooulOrder.CLOSED;
        } else if (o.tradeState != SimPooulOrder.CLOSED) {
            throw new Refusal(302, "订单状态不允许关闭: " + SimPooulOrder.describe(o.tradeState));
        }
        return null;
    }

    private ObjectNode reverse(PooulSimulator.Merchant m, JsonNode req) {
        SimPooulOrder o = find(m, req);
        if (o.tradeState == SimPooulOrder.REFUND) {
            throw new Refusal(302, "订单已退款，不能撤销");
        }
        if (o.tradeState != SimPooulOrder.CLOSED) {
            o.tradeState = SimPooulOrder.REVERSED;
        }
        return null;
    }

    private ObjectNode refund(PooulSimulator.Merchant m, JsonNode req) {
        SimPooulOrder o = find(m, req);
        String mchRefundId = m.v2() ? null : required(req, "mch_refund_id");
        if (mchRefundId != null) {
            for (SimPooulOrder.Refund r : o.refunds) {
                if (mchRefundId.equals(r.mchRefundId())) {
                    return refundData(o, r);
                }
            }
        }
        if (m.v2()) {
            required(req, "refund_desc");
        }
        JsonNode fee = req.get("refund_fee");
        if (fee == null || !fee.isIntegralNumber() || fee.asLong() <= 0) {
            throw new Refusal(103, "refund_fee格式错误");
        }
        if (o.tradeState != SimPooulOrder.PAID && o.tradeState != SimPooulOrder.REFUND) {
            throw new Refusal(302, "订单未支付，不能退款");
        }
        if (o.refunded() + fee.asLong() > o.totalFee) {
            throw new Refusal(302, "退款金额超过订单可退金额");
        }
        String notifyUrl = m.v2() ? req.path("notify_url").asText(null) : o.notifyUrl;
        SimPooulOrder.Refund r = new SimPooulOrder.Refund(id(24), mchRefundId, fee.asLong(), clock.instant().getEpochSecond(),
                notifyUrl);
        o.refunds.add(r);
        o.tradeState = SimPooulOrder.REFUND;
        if (notifyUrl != null && !notifyUrl.isBlank()) {
            notifier.accept(() -> notifications.refund(o, r));
        }
        return m.v2() ? null : refundData(o, r);
    }

    private ObjectNode refundData(SimPooulOrder o, SimPooulOrder.Refund r) {
        ObjectNode d = json.createObjectNode();
        d.put("mch_trade_id", o.mchTradeId);
        d.put("trade_id", o.tradeId);
        d.put("mch_refund_id", r.mchRefundId());
        d.put("refund_id", r.refundId());
        d.put("refund_fee", r.fee());
        d.put("refund_status", 0);
        d.put("refund_time", r.refundTime());
        return d;
    }

    private ObjectNode refundQueryClassic(PooulSimulator.Merchant m, JsonNode req) {
        String mchRefundId = req.path("mch_refund_id").asText("");
        String refundId = req.path("refund_id").asText("");
        if (mchRefundId.isEmpty() && refundId.isEmpty()) {
            throw new Refusal(103, "mch_refund_id和refund_id至少一个必填");
        }
        for (SimPooulOrder o : orders.values()) {
            if (!o.merchantId.equals(m.merchantId())) {
                continue;
            }
            for (SimPooulOrder.Refund r : o.refunds) {
                if (mchRefundId.equals(r.mchRefundId()) || refundId.equals(r.refundId())) {
                    return refundData(o, r);
                }
            }
        }
        throw new Refusal(301, "退款单不存在");
    }

    private ObjectNode refundQueryV2(PooulSimulator.Merchant m, JsonNode req) {
        SimPooulOrder o = find(m, req);
        ObjectNode d = json.createObjectNode();
        d.put("cash_fee", o.totalFee);
        if (o.outTradeId != null) {
            d.put("out_trade_id", o.outTradeId);
        }
        d.put("total_fee", o.totalFee);
        d.put("trade_id", o.tradeId);
        d.put("mch_trade_id", o.mchTradeId);
        d.put("pay_type", o.payType);
        d.put("trade_state", o.tradeState);
        d.put("trade_info", SimPooulOrder.describe(o.tradeState) + ", ");
        var list = d.putArray("refunds");
        for (SimPooulOrder.Refund r : o.refunds) {
            ObjectNode i = list.addObject();
            i.put("refund_id", r.refundId());
            i.put("refund_fee", r.fee());
            i.put("refund_state", 0);
        }
        return d;
    }

    // ---------------------------------------------------------------- control API support

    /** The payer pays (control endpoint): the order becomes paid and its notification is sent. */
    synchronized SimPooulOrder markPaid(String merchantId, String mchTradeId) {
        SimPooulOrder o = lookup(merchantId, mchTradeId);
        if (o == null) {
            return null;
        }
        if (o.tradeState == SimPooulOrder.NOTPAY || o.tradeState == SimPooulOrder.PAYING) {
            // The control endpoint delivers this notification itself and reports how it went.
            payNow(o, false);
        } else if (o.tradeState != SimPooulOrder.PAID) {
            throw new Refusal(409, "订单状态不允许支付: " + SimPooulOrder.describe(o.tradeState));
        }
        return o;
    }

    synchronized SimPooulOrder lookup(String merchantId, String mchTradeId) {
        if (merchantId != null) {
            return orders.get(merchantId + "/" + mchTradeId);
        }
        SimPooulOrder found = null;
        for (SimPooulOrder o : orders.values()) {
            if (o.mchTradeId.equals(mchTradeId)) {
                if (found != null) {
                    throw new Refusal(409, "several merchants have this mch_trade_id: name merchant_id");
                }
                found = o;
            }
        }
        return found;
    }

    synchronized ObjectNode view(SimPooulOrder o) {
        ObjectNode d = json.createObjectNode();
        d.put("merchant_id", o.merchantId);
        d.put("api", o.v2 ? "v2" : "classic");
        d.put("mch_trade_id", o.mchTradeId);
        d.put("trade_id", o.tradeId);
        d.put("pay_type", o.payType);
        d.put("total_fee", o.totalFee);
        d.put("body", o.body);
        d.put("trade_state", o.tradeState);
        d.put("trade_info", SimPooulOrder.describe(o.tradeState));
        if (o.timeEnd > 0) {
            d.put("out_trade_id", o.outTradeId);
            d.put("time_end", COMPACT.format(java.time.Instant.ofEpochSecond(o.timeEnd)));
        }
        var list = d.putArray("refunds");
        for (SimPooulOrder.Refund r : o.refunds) {
            ObjectNode i = list.addObject();
            i.put("refund_id", r.refundId());
            if (r.mchRefundId() != null) {
                i.put("mch_refund_id", r.mchRefundId());
            }
            i.put("refund_fee", r.fee());
        }
        return d;
    }

    // ---------------------------------------------------------------- helpers

    private void payNow(SimPooulOrder o) {
        payNow(o, true);
    }

    private void payNow(SimPooulOrder o, boolean notify) {
        o.paid("4200" + digits(24), "7552" + digits(24), clock.instant().getEpochSecond());
        if (notify && o.notifyUrl != null && !o.notifyUrl.isBlank()) {
            notifier.accept(() -> notifications.payment(o));
        }
    }

    private SimPooulOrder find(PooulSimulator.Merchant m, JsonNode req) {
        String tradeId = req.path("trade_id").asText("");
        String mchTradeId = req.path("mch_trade_id").asText("");
        SimPooulOrder o = null;
        if (!tradeId.isEmpty()) {
            o = orders.values().stream().filter(x -> x.merchantId.equals(m.merchantId()) && x.tradeId.equals(tradeId))
                    .findFirst().orElse(null);
        } else if (!mchTradeId.isEmpty()) {
            o = orders.get(m.merchantId() + "/" + mchTradeId);
        } else {
            throw new Refusal(103, "mch_trade_id和trade_id至少一个必填");
        }
        if (o == null) {
            throw new Refusal(301, "订单不存在");
        }
        return o;
    }

    private String payInfo(String payType, String appId, String prepay) {
        Map<String, Object> p = new LinkedHashMap<>();
        long now = clock.instant().getEpochSecond();
        if ("wechat.app".equals(payType)) {
            p.put("appid", appId);
            p.put("partnerid", "1507497331");
            p.put("prepayid", prepay);
            p.put("package", "Sign=WXPay");
            p.put("noncestr", nonce());
            p.put("timestamp", now);
            p.put("sign", digits(32));
        } else {
            p.put("appId", appId);
            p.put("timeStamp", now);
            p.put("nonceStr", nonce());
            p.put("package", "prepay_id=" + prepay);
            p.put("signType", "MD5");
            p.put("paySign", digits(32));
        }
        try {
            return json.writeValueAsString(p);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String required(JsonNode req, String name) {
        JsonNode v = req.get(name);
        if (v == null || v.isNull() || v.asText().isBlank()) {
            throw new Refusal(103, "缺少参数" + name);
        }
        return v.asText();
    }

    private Reply plain(int code, String msg) {
        ObjectNode a = json.createObjectNode();
        a.put("code", code);
        a.put("msg", msg);
        return bytes(a);
    }

    private Reply bytes(ObjectNode a) {
        try {
            return new Reply(200, "application/json; charset=UTF-8", json.writeValueAsBytes(a));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String id(int hexChars) {
        String seq = Long.toHexString(sequence.incrementAndGet());
        StringBuilder s = new StringBuilder(Long.toHexString(clock.instant().getEpochSecond()));
        while (s.length() + seq.length() < hexChars) {
            s.append(Character.forDigit(random.nextInt(16), 16));
        }
        return s.append(seq).toString();
    }

    private String digits(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append((char) ('0' + random.nextInt(10)));
        }
        return s.toString();
    }

    String nonce() {
        return id(24);
    }

    private static String flip(String sign) {
        return (sign.charAt(0) == 'A' ? 'B' : 'A') + sign.substring(1);
    }
}
