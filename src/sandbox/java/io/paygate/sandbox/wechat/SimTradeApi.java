package io.paygate.sandbox.wechat;

import static io.paygate.sandbox.wechat.SimCall.isBlank;

import io.paygate.sandbox.wechat.SimCertificates.ClientCheck;
import io.paygate.sandbox.wechat.SimSigner.SignType;
import io.paygate.sandbox.wechat.WechatSimulator.Merchant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The simulated WeChat Pay v2 API: takes a request body, answers the XML WeChat would.
 *
 * <p>Checks run in WeChat's order: well-formed XML, known merchant, on {@code /secapi} paths the
 * merchant's client certificate, valid signature (until then answers are {@code return_code=FAIL}
 * and unsigned, since the caller is not authenticated), then appid and the endpoint's own rules
 * (answered {@code result_code=FAIL}, signed with the request's sign type).
 */
final class SimTradeApi {

    static final String UNIFIED_ORDER = "/pay/unifiedorder";
    static final String ORDER_QUERY = "/pay/orderquery";
    static final String CLOSE_ORDER = "/pay/closeorder";
    static final String MICROPAY = "/pay/micropay";
    static final String REVERSE = "/secapi/pay/reverse";
    static final String REFUND = "/secapi/pay/refund";
    static final String REFUND_QUERY = "/pay/refundquery";
    static final String CERTIFICATE_PATHS = "/secapi/";
    /**
     * WeChat's own sandbox serves the API under this prefix ({@code /sandboxnew/pay/orderquery},
     * {@code /sandboxnew/secapi/pay/refund}, ...). The simulator answers an aliased path exactly as the
     * plain one (same orders, same keys: the sandbox's {@code getsignkey} is not imitated) and counts it
     * under its own key, so a test sees which path a gateway called.
     */
    static final String SANDBOX_PREFIX = "/sandboxnew";

    /** On the plain HTTP port there is no certificate to look at. */
    static final Supplier<ClientCheck> PLAIN_HTTP = () -> ClientCheck.refused(
            "请使用商户API证书: /secapi requires the client certificate; call the sandbox's TLS port with <mch_id>.p12");

    private final Map<String, Merchant> merchantsById;
    private final SimFaults faults;
    private final SimIdentifiers identifiers;
    private final SimCallCounter calls;
    private final Map<String, Function<SimCall, SimOutcome>> endpoints = new LinkedHashMap<>();

    SimTradeApi(Map<String, Merchant> merchantsById, SimOrderStore orders, SimFaults faults,
                SimIdentifiers identifiers, SimCallCounter calls, SimRefundSettlement settlement) {
        this.merchantsById = merchantsById;
        this.faults = faults;
        this.identifiers = identifiers;
        this.calls = calls;
        SimPayEndpoints pay = new SimPayEndpoints(orders, identifiers);
        SimBarcodeEndpoints barcode = new SimBarcodeEndpoints(orders, identifiers, faults);
        SimRefundEndpoints refunds = new SimRefundEndpoints(orders, identifiers, settlement);
        endpoints.put(UNIFIED_ORDER, pay::unifiedOrder);
        endpoints.put(ORDER_QUERY, pay::orderQuery);
        endpoints.put(CLOSE_ORDER, pay::closeOrder);
        endpoints.put(MICROPAY, barcode::micropay);
        endpoints.put(REVERSE, barcode::reverse);
        endpoints.put(REFUND, refunds::refund);
        endpoints.put(REFUND_QUERY, refunds::refundQuery);
    }

    /** The API paths, in the order the stats report them. */
    static List<String> paths() {
        List<String> plain = List.of(UNIFIED_ORDER, ORDER_QUERY, CLOSE_ORDER, MICROPAY, REVERSE, REFUND, REFUND_QUERY);
        List<String> all = new java.util.ArrayList<>(plain);
        plain.forEach(path -> all.add(SANDBOX_PREFIX + path));
        return List.copyOf(all);
    }

    boolean serves(String path) {
        return endpoints.containsKey(unaliased(path));
    }

    /** The API path an aliased one ({@link #SANDBOX_PREFIX}) stands for; any other path unchanged. */
    static String unaliased(String path) {
        return path.startsWith(SANDBOX_PREFIX + "/") ? path.substring(SANDBOX_PREFIX.length()) : path;
    }

    /**
     * The XML answer to one API call; every call counts, and a planned delay is served first.
     *
     * @param certificate looks at the caller's client certificate; only asked on {@code /secapi} paths
     */
    String answer(String path, String method, byte[] body, Supplier<ClientCheck> certificate) throws InterruptedException {
        String received = path;
        calls.count(received);
        path = unaliased(path);
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
        calls.log(received, blankToNull(request.get("out_trade_no")), blankToNull(request.get("out_refund_no")));
        String mchId = request.get("mch_id");
        if (isBlank(mchId)) {
            return unsigned("缺少参数mch_id", null);
        }
        Merchant merchant = merchantsById.get(mchId);
        if (merchant == null) {
            // Without a known merchant there is no key to sign with, hence return_code FAIL.
            return unsigned("商户号mch_id不存在", "MCHID_NOT_EXIST");
        }
        if (path.startsWith(CERTIFICATE_PATHS)) {
            ClientCheck check = certificate.get();
            if (check.problem() != null) {
                return unsigned(check.problem(), null);
            }
            if (!mchId.equals(check.mchId())) {
                return unsigned("证书与商户号不匹配: the client certificate is issued to mch_id " + check.mchId()
                        + ", the request's mch_id is " + mchId, null);
            }
        }
        Optional<SignType> signType = SignType.fromRequest(request.get("sign_type"));
        if (signType.isEmpty()) {
            return unsigned("sign_type参数错误", null);
        }
        if (!SimSigner.verify(request, merchant.apiKey(), signType.get())) {
            return unsigned("签名错误", "SIGNERROR");
        }
        SimCall call = new SimCall(merchant, signType.get(), request);
        return signed(call, outcome(path, call));
    }

    private SimOutcome outcome(String path, SimCall call) {
        String appId = call.field("appid");
        if (isBlank(appId)) {
            return SimOutcome.missingField("appid");
        }
        if (!appId.equals(call.merchant().appId())) {
            return SimOutcome.failure("APPID_NOT_EXIST", "appid不存在");
        }
        String nonce = call.field("nonce_str");
        if (isBlank(nonce)) {
            return SimOutcome.missingField("nonce_str");
        }
        if (nonce.length() > 32) {
            return SimOutcome.invalidField("nonce_str");
        }
        Optional<String> injected = faults.takeFailure();
        if (injected.isPresent()) {
            SimOutcome failure = SimOutcome.failure(injected.get(), "sandbox fault injection: " + injected.get());
            // A reverse that errs tells the caller whether to call again.
            return REVERSE.equals(path) ? failure.with("recall", "Y") : failure;
        }
        return endpoints.get(path).apply(call);
    }

    /**
     * A business answer: common header (sub_mch_id and sub_appid echoed in service-provider
     * mode), the endpoint's non-empty fields, and {@code sign} last.
     */
    private String signed(SimCall call, SimOutcome outcome) {
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("return_code", "SUCCESS");
        answer.put("return_msg", "OK");
        putPresent(answer, "appid", call.field("appid"));
        answer.put("mch_id", call.mchId());
        putPresent(answer, "sub_appid", call.field("sub_appid"));
        putPresent(answer, "sub_mch_id", call.field("sub_mch_id"));
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

    private static void putPresent(Map<String, String> fields, String name, String value) {
        if (!isBlank(value)) {
            fields.put(name, value);
        }
    }

    private static String blankToNull(String value) {
        return isBlank(value) ? null : value;
    }
}
