package io.paygate.provider.pooul;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.FieldError;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.Times;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderConnector;
import io.paygate.route.RouteProperties;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.camel.ExchangeProperty;

/**
 * Pooul, both API generations (docs/protocols/pooul.md): which operation of routes/pooul.yaml a call
 * goes to ({@link #route}, by the merchant's API), its URL ({@link #url}: v2 wants the merchant in
 * the query), and the signed request bodies (classic: JSON with an MD5 {@code sign}; v2: an RS256
 * JWT). Answers are verified by the data formats {@code pooul-classic} / {@code pooul-v2} and
 * mapped by {@link PooulMapping}; nothing here does I/O.
 */
public final class PooulConnector implements ProviderConnector {
    private static final char[] NONCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final String publicBaseUrl;
    private final String serverIp;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public PooulConnector(String publicBaseUrl, String serverIp, Clock clock) {
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        this.serverIp = serverIp;
        this.clock = clock;
    }

    @Override
    public String provider() {
        return "pooul";
    }

    /**
     * The operation's route in routes/pooul.yaml, of the merchant's API. Classic has no REVERSE:
     * {@link #refuse} answers UNSUPPORTED before a call is made.
     */
    @Override
    public String route(ProviderCall call) {
        if (call.settings(PooulSettings.class).v2()) {
            return switch (call.operation()) {
                case PAY -> "direct:pooul-v2-pay";
                case QUERY -> "direct:pooul-v2-query";
                case CLOSE -> "direct:pooul-v2-close";
                case REVERSE -> "direct:pooul-v2-reverse";
                case REFUND -> "direct:pooul-v2-refund";
                case REFUND_QUERY -> "direct:pooul-v2-refund-query";
            };
        }
        return switch (call.operation()) {
            case PAY -> "direct:pooul-classic-pay";
            case QUERY -> "direct:pooul-classic-query";
            case CLOSE -> "direct:pooul-classic-close";
            case REFUND -> "direct:pooul-classic-refund";
            case REFUND_QUERY -> "direct:pooul-classic-refund-query";
            case REVERSE -> throw new IllegalArgumentException("Pooul's classic API has no reverse");
        };
    }

    /** v2 names the merchant in the query string of every call: {@code ?merchant_id=}. */
    @Override
    public String url(ProviderCall call, String path) {
        PooulSettings p = call.settings(PooulSettings.class);
        return p.v2() ? p.baseUrl() + path + "?merchant_id=" + URLEncoder.encode(p.merchantId(), StandardCharsets.UTF_8)
                : p.baseUrl() + path;
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

    // ---------------------------------------------------------------- classic API requests

    /** {@code /paygate/merchant_info/pay}: the pay type of the method and channel, the order. */
    public String classicPay(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        ObjectNode f = classicBase(call);
        String payType = PooulPayTypes.payType(false, r.method(), r.channel()).orElseThrow();
        f.put("pay_type", payType);
        orderFields(f, r);
        if ("alipay.jsapi".equals(payType)) {
            putText(f, "buyer_id", r.payer().buyerId());
            putText(f, "buyer_logon_id", r.payer().buyerLogonId());
        }
        return classicSigned(f, call);
    }

    /** {@code /paygate/merchant_info/query} and {@code /paygate/merchant_info/order_close}. */
    public String classicOrder(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        ObjectNode f = classicBase(call);
        f.put("mch_trade_id", call.request().orderId());
        return classicSigned(f, call);
    }

    /** {@code /paygate/merchant_info/refund}: the gateway's refund id is Pooul's mch_refund_id. */
    public String classicRefund(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        ObjectNode f = classicBase(call);
        f.put("mch_trade_id", r.orderId());
        f.put("mch_refund_id", r.refund().refundId());
        f.put("refund_fee", r.refund().amount());
        return classicSigned(f, call);
    }

    /** {@code /paygate/merchant_info/refund_query} by mch_refund_id. */
    public String classicRefundQuery(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        ObjectNode f = classicBase(call);
        f.put("mch_trade_id", r.orderId());
        f.put("mch_refund_id", r.refund().refundId());
        return classicSigned(f, call);
    }

    private ObjectNode classicBase(ProviderCall call) {
        ObjectNode f = PooulFields.JSON.createObjectNode();
        f.put("sign_type", "md5");
        f.put("merchant_id", settings(call).merchantId());
        f.put("nonce_str", nonce());
        return f;
    }

    private static String classicSigned(ObjectNode f, ProviderCall call) {
        f.put("sign", PooulSigner.sign(PooulSigner.fieldsOf(f), settings(call).key()));
        return write(f);
    }

    // ---------------------------------------------------------------- API v2 requests

    /** {@code /v2/pay}. */
    public String v2Pay(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        ObjectNode f = PooulFields.JSON.createObjectNode();
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
        return v2Signed(f, call);
    }

    /** {@code /v2/pay/query}, {@code /close}, {@code /reverse}, {@code /refund_query}: the order number. */
    public String v2Order(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        ObjectNode f = PooulFields.JSON.createObjectNode();
        f.put("mch_trade_id", call.request().orderId());
        f.put("nonce_str", nonce());
        return v2Signed(f, call);
    }

    /** {@code /v2/pay/refund}: no merchant refund number exists in v2. */
    public String v2Refund(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        ObjectNode f = PooulFields.JSON.createObjectNode();
        f.put("mch_trade_id", r.orderId());
        f.put("refund_fee", r.refund().amount());
        f.put("refund_desc", r.refund().reason() != null ? r.refund().reason() : "refund " + r.refund().refundId());
        f.put("notify_url", notifyUrl(r));
        f.put("nonce_str", nonce());
        return v2Signed(f, call);
    }

    private static String v2Signed(ObjectNode f, ProviderCall call) {
        return PooulJwt.sign(write(f).getBytes(StandardCharsets.UTF_8), settings(call).merchantKey());
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


    private String nonce() {
        char[] c = new char[32];
        for (int i = 0; i < c.length; i++) {
            c[i] = NONCE_CHARS[random.nextInt(NONCE_CHARS.length)];
        }
        return new String(c);
    }

    private static String write(ObjectNode f) {
        try {
            return PooulFields.JSON.writeValueAsString(f);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PooulSettings settings(ProviderCall call) {
        return call.settings(PooulSettings.class);
    }
}
