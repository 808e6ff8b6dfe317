package io.paygate.provider.pooul;

import io.paygate.provider.ProviderCalls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.FieldError;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.Times;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.ProviderConnector;
import io.paygate.provider.ProviderHttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * Pooul, both API generations (docs/protocols/pooul.md): canonical request → signed body (classic:
 * JSON with an MD5 {@code sign}; v2: an RS256 JWT), raw answer → verified {@link PooulAnswer} →
 * canonical result ({@link PooulResults}). The route {@code direct:pooul} (routes/pooul.yaml) picks
 * the API and the endpoint and calls these steps; nothing here does I/O.
 */
public final class PooulConnector implements ProviderConnector {
    /** Exchange properties the route reads. */
    public static final String API = "pooulApi";
    public static final String MERCHANT_QUERY = "pooulMerchantQuery";
    public static final String STOP = "pooulStop";
    private static final String HELD = "pooulRefundHeld";

    private static final char[] NONCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final String publicBaseUrl;
    private final String serverIp;
    private final Clock clock;
    private final RefundHolds holds;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param refundWait how long a v2 REFUND waits for another refund of the same order to finish
     */
    public PooulConnector(String publicBaseUrl, String serverIp, Duration refundWait, Clock clock) {
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        this.serverIp = serverIp;
        this.clock = clock;
        this.holds = new RefundHolds(refundWait);
    }

    @Override
    public String provider() {
        return "pooul";
    }

    @Override
    public Optional<PaymentError> refuse(PaymentRequest r, MerchantProfile profile) {
        PooulSettings p = profile.settings(PooulSettings.class);
        boolean v2 = p.v2();
        String api = v2 ? "API v2" : "classic API";
        if (r.operation() == Operation.REVERSE && !v2) {
            return Optional.of(PaymentError.of(ErrorCode.UNSUPPORTED, "Pooul's classic API has no reverse; available: "
                    + "PAY, QUERY, CLOSE, REFUND, REFUND_QUERY (CLOSE an unpaid order, REFUND a paid one)", false));
        }
        if (r.operation() == Operation.REFUND_QUERY && !v2 && (r.refund() == null || r.refund().refundId() == null)) {
            return invalid("refund.refundId", "Pooul's classic refund query looks a refund up by its refund number");
        }
        if (r.operation() != Operation.PAY) {
            return Optional.empty();
        }
        if (r.channel() == null && PooulPayTypes.hasMethod(v2, r.method()) && PooulPayTypes.needsChannel(v2, r.method())) {
            return invalid("channel", "Pooul's " + api + " needs the wallet for " + r.method() + "; it has "
                    + PooulPayTypes.available(v2));
        }
        Optional<String> payType = PooulPayTypes.payType(v2, r.method(), r.channel());
        if (payType.isEmpty()) {
            return Optional.of(PaymentError.of(ErrorCode.UNSUPPORTED, "Pooul's " + api + " has no pay type for "
                    + r.method() + (r.channel() == null ? "" : "/" + r.channel()) + "; it has "
                    + PooulPayTypes.available(v2), false));
        }
        PaymentRequest.Payer payer = r.payer();
        switch (payType.get()) {
            case "alipay.jsapi" -> {
                if (payer == null || (payer.buyerId() == null && payer.buyerLogonId() == null)) {
                    return invalid("payer.buyerId", "Pooul's alipay.jsapi needs the buyer's Alipay user id (payer.buyerId) "
                            + "or account (payer.buyerLogonId)");
                }
            }
            case "wechat.jsapi", "wechat.jsminipg" -> {
                if (payer == null || payer.appId() == null) {
                    return invalid("payer.appId", "Pooul's " + payType.get() + " needs the app id the buyer's openId "
                            + "belongs to (sub_appid)");
                }
                if (payer.openId() == null) {
                    return invalid("payer.openId", "Pooul's " + payType.get() + " needs the buyer's openId (sub_openid)");
                }
            }
            case "wechat.app" -> {
                if (payer == null || payer.appId() == null) {
                    return invalid("payer.appId", "Pooul's wechat.app needs the app's WeChat open-platform app id (sub_appid)");
                }
            }
            case "wechat.wap" -> {
                PaymentRequest.H5 h = r.h5();
                if (h == null || h.type() == null || h.appName() == null || h.appId() == null) {
                    return invalid("h5", "Pooul's wechat.wap needs h5.type, h5.appName and h5.appId (the bundle id, "
                            + "package name, or the web site's home page for WAP)");
                }
            }
            default -> {
                // no further fields
            }
        }
        return Optional.empty();
    }

    private static Optional<PaymentError> invalid(String field, String reason) {
        return Optional.of(PaymentError.invalid(List.of(new FieldError(field, reason))));
    }

    /** First step of the route: which API, and the merchant_id for v2's query string. */
    public void prepare(Exchange ex) {
        PooulSettings p = settings(ex);
        ex.setProperty(API, p.v2() ? "v2" : "classic");
        ex.setProperty(MERCHANT_QUERY, URLEncoder.encode(p.merchantId(), StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- classic API requests

    /** {@code /paygate/merchant_info/pay}. */
    public String classicPay(Exchange ex) {
        PaymentRequest r = request(ex);
        ObjectNode f = classicBase(ex);
        String payType = PooulPayTypes.payType(false, r.method(), r.channel()).orElseThrow();
        f.put("pay_type", payType);
        orderFields(f, r);
        if ("alipay.jsapi".equals(payType)) {
            putText(f, "buyer_id", r.payer().buyerId());
            putText(f, "buyer_logon_id", r.payer().buyerLogonId());
        }
        return classicSigned(f, ex);
    }

    /** {@code /paygate/merchant_info/query} and {@code /paygate/merchant_info/order_close}. */
    public String classicOrder(Exchange ex) {
        ObjectNode f = classicBase(ex);
        f.put("mch_trade_id", request(ex).orderId());
        return classicSigned(f, ex);
    }

    /** {@code /paygate/merchant_info/refund}: the gateway's refund id is Pooul's mch_refund_id. */
    public String classicRefund(Exchange ex) {
        PaymentRequest r = request(ex);
        ObjectNode f = classicBase(ex);
        f.put("mch_trade_id", r.orderId());
        f.put("mch_refund_id", r.refund().refundId());
        f.put("refund_fee", r.refund().amount());
        return classicSigned(f, ex);
    }

    /** {@code /paygate/merchant_info/refund_query} by mch_refund_id. */
    public String classicRefundQuery(Exchange ex) {
        PaymentRequest r = request(ex);
        ObjectNode f = classicBase(ex);
        f.put("mch_trade_id", r.orderId());
        f.put("mch_refund_id", r.refund().refundId());
        return classicSigned(f, ex);
    }

    private ObjectNode classicBase(Exchange ex) {
        ObjectNode f = PooulAnswers.JSON.createObjectNode();
        f.put("sign_type", "md5");
        f.put("merchant_id", settings(ex).merchantId());
        f.put("nonce_str", nonce());
        return f;
    }

    private String classicSigned(ObjectNode f, Exchange ex) {
        f.put("sign", PooulSigner.sign(PooulSigner.fieldsOf(f), settings(ex).key()));
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=UTF-8");
        return write(f);
    }

    /** Verifies the classic answer in the body (MD5 over data) and leaves a {@link PooulAnswer} there. */
    public PooulAnswer classicAnswer(Exchange ex) {
        return PooulAnswers.classic(answerBytes(ex), settings(ex), request(ex).orderId());
    }

    // ---------------------------------------------------------------- API v2 requests

    /** {@code /v2/pay}. */
    public String v2Pay(Exchange ex) {
        PaymentRequest r = request(ex);
        ObjectNode f = PooulAnswers.JSON.createObjectNode();
        String payType = PooulPayTypes.payType(true, r.method(), r.channel()).orElseThrow();
        f.put("pay_type", payType);
        f.put("nonce_str", nonce());
        orderFields(f, r);
        putText(f, "store_id", r.storeId());
        switch (payType) {
            case "common.micro" -> f.put("auth_code", r.authCode());
            case "wechat.jsapi", "wechat.jsminipg" -> {
                f.put("sub_appid", r.payer().appId());
                f.put("sub_openid", r.payer().openId());
            }
            case "wechat.app" -> f.put("sub_appid", r.payer().appId());
            case "wechat.wap" -> {
                f.put("mch_app_type", switch (r.h5().type()) {
                    case "IOS" -> "IOS";
                    case "ANDROID" -> "AND";
                    default -> "WAP";
                });
                f.put("mch_app_name", r.h5().appName());
                f.put("mch_app_id", r.h5().appId());
            }
            default -> {
                // scan types take no more
            }
        }
        return v2Signed(f, ex);
    }

    /** {@code /v2/pay/query}, {@code /close}, {@code /reverse}, {@code /refund_query}: the order number. */
    public String v2Order(Exchange ex) {
        ObjectNode f = PooulAnswers.JSON.createObjectNode();
        f.put("mch_trade_id", request(ex).orderId());
        f.put("nonce_str", nonce());
        return v2Signed(f, ex);
    }

    /** {@code /v2/pay/refund}: no merchant refund number exists in v2. */
    public String v2Refund(Exchange ex) {
        PaymentRequest r = request(ex);
        ObjectNode f = PooulAnswers.JSON.createObjectNode();
        f.put("mch_trade_id", r.orderId());
        f.put("refund_fee", r.refund().amount());
        f.put("refund_desc", r.refund().reason() != null ? r.refund().reason() : "refund " + r.refund().refundId());
        f.put("notify_url", notifyUrl(r));
        f.put("nonce_str", nonce());
        return v2Signed(f, ex);
    }

    private String v2Signed(ObjectNode f, Exchange ex) {
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=UTF-8");
        return PooulJwt.sign(write(f).getBytes(StandardCharsets.UTF_8), settings(ex).merchantKey());
    }

    /** Verifies the v2 answer in the body (JWT by the platform key, or a plain error) and leaves a {@link PooulAnswer}. */
    public PooulAnswer v2Answer(Exchange ex) {
        return PooulAnswers.v2(answerBytes(ex), settings(ex), request(ex).orderId());
    }

    // ---------------------------------------------------------------- v2 refund: hold, refund, bind

    /** Holds the order's refund slot; when another refund keeps it too long, answers a retryable error. */
    public void holdRefunds(Exchange ex) {
        PaymentRequest r = request(ex);
        int stripe = holds.hold(r.merchant(), r.orderId());
        if (stripe < 0) {
            ex.setProperty(STOP, true);
            ex.getMessage().setBody(PaymentResult.answering(r).error(PaymentError.of(ErrorCode.PROVIDER_ERROR,
                    "another refund of order " + r.orderId() + " is in progress; send this one again later", true)).build());
        } else {
            ex.setProperty(HELD, stripe);
        }
    }

    public void releaseRefunds(Exchange ex) {
        Integer stripe = ex.getProperty(HELD, Integer.class);
        if (stripe != null) {
            ex.removeProperty(HELD);
            holds.release(stripe);
        }
    }

    public void refundsBefore(PooulAnswer a, Exchange ex) {
        results.refundsBefore(a, ex);
    }

    public void refundAccepted(PooulAnswer a, Exchange ex) {
        results.refundAccepted(a, ex);
    }

    public PaymentResult refundBound(PooulAnswer a, Exchange ex) {
        return results.refundBound(a, ex);
    }

    public PaymentResult refundUnbound(Exchange ex) {
        return results.refundUnbound(ex);
    }

    // ---------------------------------------------------------------- results (both APIs)

    private final PooulResults results = new PooulResults();

    public PaymentResult payResult(PooulAnswer a, Exchange ex) {
        return results.pay(a, ex);
    }

    public PaymentResult queryResult(PooulAnswer a, Exchange ex) {
        return results.query(a, ex);
    }

    public PaymentResult closeResult(PooulAnswer a, Exchange ex) {
        return results.close(a, ex);
    }

    public PaymentResult reverseResult(PooulAnswer a, Exchange ex) {
        return results.reverse(a, ex);
    }

    public PaymentResult refundResult(PooulAnswer a, Exchange ex) {
        return results.classicRefund(a, ex);
    }

    public PaymentResult refundQueryResult(PooulAnswer a, Exchange ex) {
        return results.refundQuery(a, ex);
    }

    // ---------------------------------------------------------------- shared

    private void orderFields(ObjectNode f, PaymentRequest r) {
        f.put("mch_trade_id", r.orderId());
        f.put("total_fee", r.amount());
        f.put("body", r.subject());
        putText(f, "attach", r.attach());
        f.put("spbill_create_ip", r.clientIp() != null ? r.clientIp() : serverIp);
        f.put("notify_url", notifyUrl(r));
        f.put("time_start", clock.instant().getEpochSecond());
        if (r.expireAt() != null) {
            f.put("time_expire", Times.parse(r.expireAt()).getEpochSecond());
        }
        putText(f, "device_info", r.deviceId());
        putText(f, "op_user_id", r.operatorId());
    }

    /** Pooul notifies the gateway, never the merchant directly: /notify/pooul/{merchant}. */
    private String notifyUrl(PaymentRequest r) {
        return publicBaseUrl + "/notify/pooul/" + r.merchant();
    }

    private static void putText(ObjectNode f, String name, String value) {
        if (value != null && !value.isEmpty()) {
            f.put(name, value);
        }
    }

    private static byte[] answerBytes(Exchange ex) {
        Integer httpStatus = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (httpStatus != null && httpStatus != 200) {
            throw new ProviderHttpStatus("Pooul", httpStatus);
        }
        return ex.getMessage().getBody(byte[].class);
    }

    private String nonce() {
        char[] c = new char[32];
        for (int i = 0; i < c.length; i++) {
            c[i] = NONCE_CHARS[random.nextInt(NONCE_CHARS.length)];
        }
        return new String(c);
    }

    private static String write(ObjectNode f) {
        try {
            return PooulAnswers.JSON.writeValueAsString(f);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static PaymentRequest request(Exchange ex) {
        return ProviderCalls.of(ex).request();
    }

    private static PooulSettings settings(Exchange ex) {
        return ProviderCalls.of(ex).settings(PooulSettings.class);
    }
}
