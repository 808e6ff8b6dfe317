package io.paygate.sandbox.wechat;

import io.paygate.sandbox.wechat.SimSigner.SignType;
import io.paygate.sandbox.wechat.WechatSimulator.Merchant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The simulated WeChat Pay v2 API: takes a request body, answers the XML WeChat would.
 *
 * <p>Checks run in WeChat's order: well-formed XML, known merchant, valid signature (until then
 * answers are {@code return_code=FAIL} and unsigned, since the caller is not authenticated), then
 * appid and the endpoint's own rules (answered {@code result_code=FAIL}, signed with the request's
 * sign type).
 */
final class SimTradeApi {

    static final String UNIFIED_ORDER = "/pay/unifiedorder";
    static final String ORDER_QUERY = "/pay/orderquery";
    static final String CLOSE_ORDER = "/pay/closeorder";

    private static final List<String> UNIFIED_ORDER_FIELDS = List.of(
            "body", "out_trade_no", "total_fee", "spbill_create_ip", "notify_url", "trade_type");
    private static final Pattern OUT_TRADE_NO = Pattern.compile("[A-Za-z0-9_\\-|*@]{1,32}");
    /** A positive amount in fen; ten digits is already far above any single WeChat payment. */
    private static final Pattern TOTAL_FEE = Pattern.compile("[1-9][0-9]{0,9}");
    private static final Pattern NOTIFY_URL = Pattern.compile("https?://[^\\s?#]{1,248}");
    private static final String FAKE_OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

    /** A business result: SUCCESS with the endpoint's fields, or FAIL with an err_code. */
    private record Outcome(String errCode, String errCodeDes, Map<String, String> fields) {
        static Outcome success(Map<String, String> fields) {
            return new Outcome(null, null, fields);
        }

        static Outcome failure(String errCode, String errCodeDes) {
            return new Outcome(errCode, errCodeDes, Map.of());
        }
    }

    /** A request whose signature checked out: its merchant and the sign type the answer must use. */
    private record SignedCall(Merchant merchant, SignType signType, Map<String, String> request) {
        String field(String name) {
            return request.get(name);
        }
    }

    private final Map<String, Merchant> merchantsById;
    private final SimOrderStore orders;
    private final SimFaults faults;
    private final SimIdentifiers identifiers;
    private final SimCallCounter calls;
    private final Map<String, Function<SignedCall, Outcome>> endpoints = new LinkedHashMap<>();

    SimTradeApi(Map<String, Merchant> merchantsById, SimOrderStore orders, SimFaults faults,
                SimIdentifiers identifiers, SimCallCounter calls) {
        this.merchantsById = merchantsById;
        this.orders = orders;
        this.faults = faults;
        this.identifiers = identifiers;
        this.calls = calls;
        endpoints.put(UNIFIED_ORDER, this::unifiedOrder);
        endpoints.put(ORDER_QUERY, this::orderQuery);
        endpoints.put(CLOSE_ORDER, this::closeOrder);
    }

    /** The API paths, in the order the stats report them. */
    static List<String> paths() {
        return List.of(UNIFIED_ORDER, ORDER_QUERY, CLOSE_ORDER);
    }

    boolean serves(String path) {
        return endpoints.containsKey(path);
    }

    /** The XML answer to one API call; every call counts, and a planned delay is served first. */
    String answer(String path, String method, byte[] body) throws InterruptedException {
        calls.count(path);
        long delayMs = faults.takeDelay();
        if (delayMs > 0) {
            Thread.sleep(delayMs);
        }
        if (!"POST".equals(method)) {
            return unsigned("请使用post方法", null);
        }
        Map<String, String> request;
        try {
            request = SimXml.parse(body);
        } catch (SimXml.RejectedXml e) {
            return unsigned(e.getMessage(), null);
        }
        String mchId = request.get("mch_id");
        if (isBlank(mchId)) {
            return unsigned("缺少参数mch_id", null);
        }
        Merchant merchant = merchantsById.get(mchId);
        if (merchant == null) {
            // Without a known merchant there is no key to sign with, hence return_code FAIL.
            return unsigned("商户号mch_id不存在", "MCHID_NOT_EXIST");
        }
        Optional<SignType> signType = SignType.fromRequest(request.get("sign_type"));
        if (signType.isEmpty()) {
            return unsigned("sign_type参数错误", null);
        }
        if (!SimSigner.verify(request, merchant.apiKey(), signType.get())) {
            return unsigned("签名错误", "SIGNERROR");
        }
        SignedCall call = new SignedCall(merchant, signType.get(), request);
        return signed(call, outcome(path, call));
    }

    private Outcome outcome(String path, SignedCall call) {
        String appId = call.field("appid");
        if (isBlank(appId)) {
            return missingField("appid");
        }
        if (!appId.equals(call.merchant().appId())) {
            return Outcome.failure("APPID_NOT_EXIST", "appid不存在");
        }
        String nonce = call.field("nonce_str");
        if (isBlank(nonce)) {
            return missingField("nonce_str");
        }
        if (nonce.length() > 32) {
            return invalidField("nonce_str");
        }
        Optional<String> injected = faults.takeFailure();
        if (injected.isPresent()) {
            return Outcome.failure(injected.get(), "sandbox fault injection: " + injected.get());
        }
        return endpoints.get(path).apply(call);
    }

    private Outcome unifiedOrder(SignedCall call) {
        Optional<String> missing = firstMissing(call, UNIFIED_ORDER_FIELDS);
        if (missing.isPresent()) {
            return missingField(missing.get());
        }
        if (!OUT_TRADE_NO.matcher(call.field("out_trade_no")).matches()) {
            return invalidField("out_trade_no");
        }
        if (!TOTAL_FEE.matcher(call.field("total_fee")).matches()) {
            return invalidField("total_fee");
        }
        if (call.field("body").length() > 128) {
            return invalidField("body");
        }
        if (!NOTIFY_URL.matcher(call.field("notify_url")).matches()) {
            return invalidField("notify_url");
        }
        String feeType = call.field("fee_type");
        if (!isBlank(feeType) && !"CNY".equals(feeType)) {
            return invalidField("fee_type");
        }
        Optional<SimTradeType> tradeType = SimTradeType.fromRequest(call.field("trade_type"));
        if (tradeType.isEmpty()) {
            return invalidField("trade_type");
        }
        if (!tradeType.get().simulated()) {
            return Outcome.failure("PARAM_ERROR",
                    "trade_type " + tradeType.get() + " is not simulated by the sandbox, use NATIVE");
        }
        missing = firstMissing(call, tradeType.get().requiredFields());
        if (missing.isPresent()) {
            return missingField(missing.get());
        }
        String productId = call.field("product_id");
        if (productId != null && productId.length() > 32) {
            return invalidField("product_id");
        }

        SimOrder candidate = newOrder(call, tradeType.get());
        Optional<SimOrder> existing = orders.placeIfAbsent(candidate);
        if (existing.isPresent()) {
            SimOrder order = existing.get();
            if (order.tradeState() == SimOrder.TradeState.SUCCESS) {
                return Outcome.failure("ORDERPAID", "该订单已支付");
            }
            if (order.tradeState() == SimOrder.TradeState.CLOSED) {
                return Outcome.failure("ORDERCLOSED", "该订单已关闭");
            }
            if (!order.sameTermsAs(candidate)) {
                return Outcome.failure("OUT_TRADE_NO_USED", "商户订单号重复");
            }
        }
        SimOrder order = existing.orElse(candidate);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("device_info", call.field("device_info"));
        fields.put("trade_type", order.tradeType());
        fields.put("prepay_id", order.prepayId());
        fields.put("code_url", order.codeUrl());
        if (SimTradeType.MWEB.name().equals(order.tradeType())) {
            fields.put("mweb_url", "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=" + order.prepayId()
                    + "&package=" + Math.abs(order.prepayId().hashCode()));
        }
        return Outcome.success(fields);
    }

    private SimOrder newOrder(SignedCall call, SimTradeType tradeType) {
        String codeUrl = tradeType == SimTradeType.NATIVE ? identifiers.codeUrl() : null;
        String feeType = isBlank(call.field("fee_type")) ? "CNY" : call.field("fee_type");
        return new SimOrder(call.merchant().mchId(), call.field("appid"), call.field("out_trade_no"),
                call.field("body"), Long.parseLong(call.field("total_fee")), feeType, tradeType.name(),
                emptyToNull(call.field("product_id")), emptyToNull(call.field("attach")),
                emptyToNull(call.field("device_info")), call.field("notify_url"),
                call.field("spbill_create_ip"), identifiers.prepayId(), codeUrl, identifiers.timestamp(),
                SimOrder.TradeState.NOTPAY, null, null);
    }

    /**
     * {@code /pay/closeorder}: an unpaid order is closed; a paid one answers ORDERPAID, a closed one
     * ORDERCLOSED. (WeChat also refuses closes within 5 minutes of creation; the sandbox does not,
     * so a demo need not wait.)
     */
    private Outcome closeOrder(SignedCall call) {
        String outTradeNo = call.field("out_trade_no");
        if (isBlank(outTradeNo)) {
            return missingField("out_trade_no");
        }
        Optional<SimOrder> found = orders.find(call.merchant().mchId(), outTradeNo);
        if (found.isEmpty()) {
            return Outcome.failure("ORDERNOTEXIST", "订单不存在");
        }
        switch (found.get().tradeState()) {
            case SUCCESS -> {
                return Outcome.failure("ORDERPAID", "订单已支付，不能发起关单");
            }
            case CLOSED -> {
                return Outcome.failure("ORDERCLOSED", "订单已关闭，无法重复关闭");
            }
            default -> {
                try {
                    orders.update(found.get(), SimOrder::closed);
                } catch (SimOrder.StateConflict e) {
                    return Outcome.failure("ORDERPAID", "订单已支付，不能发起关单");
                }
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("result_msg", "OK");
                return Outcome.success(fields);
            }
        }
    }

    private Outcome orderQuery(SignedCall call) {
        String mchId = call.merchant().mchId();
        String transactionId = call.field("transaction_id");
        String outTradeNo = call.field("out_trade_no");
        Optional<SimOrder> found;
        // WeChat gives transaction_id precedence when both are sent.
        if (!isBlank(transactionId)) {
            found = orders.findByTransactionId(mchId, transactionId);
        } else if (!isBlank(outTradeNo)) {
            found = orders.find(mchId, outTradeNo);
        } else {
            return Outcome.failure("PARAM_ERROR", "缺少参数transaction_id或out_trade_no");
        }
        if (found.isEmpty()) {
            return Outcome.failure("ORDERNOTEXIST", "订单不存在");
        }
        SimOrder order = found.get();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("trade_state", order.tradeState().name());
        fields.put("trade_state_desc", order.tradeState().description());
        fields.put("out_trade_no", order.outTradeNo());
        fields.put("total_fee", Long.toString(order.totalFee()));
        fields.put("fee_type", order.feeType());
        fields.put("trade_type", order.tradeType());
        fields.put("attach", order.attach());
        fields.put("device_info", order.deviceInfo());
        if (order.tradeState() == SimOrder.TradeState.SUCCESS) {
            fields.put("transaction_id", order.transactionId());
            fields.put("time_end", order.timeEnd());
            fields.put("cash_fee", Long.toString(order.totalFee()));
            fields.put("bank_type", "OTHERS");
            fields.put("openid", FAKE_OPENID);
            fields.put("is_subscribe", "N");
        }
        return Outcome.success(fields);
    }

    /** A business answer: common header, the endpoint's non-empty fields, and {@code sign} last. */
    private String signed(SignedCall call, Outcome outcome) {
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("return_code", "SUCCESS");
        answer.put("return_msg", "OK");
        putPresent(answer, "appid", call.field("appid"));
        answer.put("mch_id", call.merchant().mchId());
        answer.put("nonce_str", identifiers.nonce());
        if (outcome.errCode() == null) {
            answer.put("result_code", "SUCCESS");
        } else {
            answer.put("result_code", "FAIL");
            answer.put("err_code", outcome.errCode());
            answer.put("err_code_des", outcome.errCodeDes());
        }
        outcome.fields().forEach((name, value) -> putPresent(answer, name, value));
        answer.put("sign", SimSigner.sign(answer, call.merchant().apiKey(), call.signType()));
        return SimXml.write(answer);
    }

    /** A protocol failure: the caller is not authenticated, so the answer is not signed. */
    private static String unsigned(String returnMsg, String errCode) {
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("return_code", "FAIL");
        answer.put("return_msg", returnMsg);
        putPresent(answer, "err_code", errCode);
        return SimXml.write(answer);
    }

    private static Optional<String> firstMissing(SignedCall call, List<String> required) {
        return required.stream().filter(name -> isBlank(call.field(name))).findFirst();
    }

    private static Outcome missingField(String name) {
        return Outcome.failure("PARAM_ERROR", "缺少参数" + name);
    }

    private static Outcome invalidField(String name) {
        return Outcome.failure("PARAM_ERROR", name + "参数格式错误");
    }

    private static void putPresent(Map<String, String> fields, String name, String value) {
        if (!isBlank(value)) {
            fields.put(name, value);
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static String emptyToNull(String value) {
        return isBlank(value) ? null : value;
    }
}
