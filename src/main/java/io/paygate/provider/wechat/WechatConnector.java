package io.paygate.provider.wechat;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.FieldError;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Times;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.OrderSnapshot;
import io.paygate.provider.ProviderConnector;
import io.paygate.xml.HardenedXml;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import io.paygate.provider.ProviderCall;
import io.paygate.route.RouteProperties;
import org.apache.camel.ExchangeProperty;

/**
 * WeChat Pay API v2: canonical request → signed XML (the request builders), and verified typed
 * answer → canonical result (the result mappers). Each operation is an instance of the template
 * provider-operation in routes/wechat.yaml, which names these steps; {@link WechatAnswerFormat}
 * verifies and binds the answers in between. Nothing here does I/O.
 */
public final class WechatConnector implements ProviderConnector {
    /** Note on the call: the appid a request was sent with (the answer must name it). */
    record SentAppId(String value) {
    }

    /** Note on the call: the app id the buyer's page or app pays in (JSAPI, APP). */
    record FrontAppId(String value) {
    }

    /**
     * Note on a REVERSE: how many reverse answers came so far, and whether the last asked to call
     * again (recall=Y).
     */
    record Recall(int calls, boolean asked) {
    }

    private static final Pattern OUT_TRADE_NO = Pattern.compile("[A-Za-z0-9_\\-|*@]{1,32}");
    private static final DateTimeFormatter WECHAT_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final char[] NONCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final String publicBaseUrl;
    private final String serverIp;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int maxReverseCalls;

    public WechatConnector(String publicBaseUrl, String serverIp) {
        this(publicBaseUrl, serverIp, 5);
    }

    /**
     * @param maxReverseCalls how many times one REVERSE calls /secapi/pay/reverse while WeChat answers recall=Y
     */
    public WechatConnector(String publicBaseUrl, String serverIp, int maxReverseCalls) {
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        this.serverIp = serverIp;
        this.maxReverseCalls = maxReverseCalls;
    }

    /** The notify URL WeChat is given for this merchant's pay and refund notifications. */
    String notifyUrl(String merchant) {
        return publicBaseUrl + "/notify/wechat/" + merchant;
    }

    @Override
    public String provider() {
        return "wechat";
    }

    /**
     * A cut-off PAY other than a barcode one is sent again: {@code unifiedorder} with the same
     * out_trade_no and the same terms answers the same prepay_id / code_url (an ended order: ORDERPAID,
     * ORDERCLOSED; other terms: OUT_TRADE_NO_USED), and nothing is charged until the buyer pays it,
     * once (docs/protocols/wechat.md). A barcode PAY ({@code micropay}) charges at once: it is queried.
     */
    @Override
    public boolean payResendSafe(io.paygate.canonical.PaymentRequest request) {
        return request.method() != PayMethod.MICRO;
    }

    /** The operation's route in routes/wechat.yaml. */
    @Override
    public String route(ProviderCall call) {
        return switch (call.operation()) {
            case PAY -> call.request().method() == PayMethod.MICRO ? "direct:wechat-micropay" : "direct:wechat-unifiedorder";
            case QUERY -> "direct:wechat-orderquery";
            case CLOSE -> "direct:wechat-closeorder";
            case REVERSE -> "direct:wechat-reverse";
            case REFUND -> "direct:wechat-refund";
            case REFUND_QUERY -> "direct:wechat-refundquery";
        };
    }

    /**
     * The merchant's base URL and the path; the certificate endpoints ({@code /secapi/...}) go to
     * the merchant's secapi base URL through the TLS connection pool that presents its client
     * certificate, which the operation's {@code prepare} step ({@code wechatCertificates?method=select})
     * bound. Without that pool a /secapi call is not made at all.
     */
    @Override
    public String url(ProviderCall call, String path) {
        WechatSettings w = call.settings(WechatSettings.class);
        if (!path.startsWith("/secapi/")) {
            return w.baseUrl() + path;
        }
        String pool = call.note(WechatClientCertificates.ClientPool.class).map(WechatClientCertificates.ClientPool::name)
                .orElseThrow(() -> new IllegalStateException("a WeChat Pay /secapi call without the merchant's client "
                        + "certificate: its route has no prepare step wechatCertificates?method=select"));
        return w.secapiUrl() + path + "?clientConnectionManager=#" + pool;
    }

    @Override
    public Optional<PaymentError> refuse(PaymentRequest r, MerchantProfile profile) {
        boolean barcode = r.operation() == Operation.PAY && r.method() == PayMethod.MICRO;
        if ((r.operation() == Operation.REFUND || r.operation() == Operation.REVERSE || barcode)
                && profile.settings(WechatSettings.class).certificatePath() == null) {
            // A barcode payment that stays unclear must be reversible, and reversal needs the certificate.
            String what = barcode ? "barcode payments (MICRO), which may have to be reversed" : r.operation().name();
            return Optional.of(PaymentError.of(ErrorCode.UNSUPPORTED, "WeChat Pay needs the merchant's client certificate "
                    + "for " + what + ": set wechat.certificate.path of merchant " + profile.id(), false));
        }
        if (r.operation() == Operation.PAY && (r.method() == PayMethod.JSAPI || r.method() == PayMethod.MINIPROGRAM)
                && (r.payer() == null || r.payer().openId() == null)) {
            return Optional.of(PaymentError.invalid(List.of(new FieldError("payer.openId",
                    "WeChat Pay needs the buyer's openId for " + r.method()))));
        }
        if (r.operation() == Operation.PAY && r.method() == PayMethod.H5 && r.clientIp() == null) {
            return Optional.of(PaymentError.invalid(List.of(new FieldError("clientIp",
                    "WeChat Pay checks the buyer's own IP for H5 payments"))));
        }
        if (!OUT_TRADE_NO.matcher(r.orderId()).matches()) {
            return Optional.of(PaymentError.invalid(List.of(new FieldError("orderId",
                    "WeChat Pay allows only letters, digits and _-|*@ in an order number (no '.')"))));
        }
        if (r.channel() != null && r.channel() != io.paygate.canonical.Channel.WECHAT) {
            return Optional.of(PaymentError.invalid(List.of(new FieldError("channel",
                    "WeChat Pay serves only channel WECHAT"))));
        }
        return Optional.empty();
    }

    /**
     * {@code /pay/unifiedorder}: NATIVE for SCAN (the buyer scans code_url), JSAPI for JSAPI and
     * MINIPROGRAM (with the buyer's openid, and the page's app id when the payer names one), APP,
     * and MWEB for H5 (with scene_info).
     */
    public String unifiedOrder(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        WechatSettings w = call.settings(WechatSettings.class);
        Map<String, String> f = base(w);
        boolean serviceProvider = w.subMchId() != null;
        String pageAppId = r.payer() != null ? r.payer().appId() : null;
        if (pageAppId != null && (r.method() == PayMethod.JSAPI || r.method() == PayMethod.MINIPROGRAM)) {
            f.put(serviceProvider ? "sub_appid" : "appid", pageAppId);
        }
        call.note(SentAppId.class, new SentAppId(f.get("appid")));
        call.note(FrontAppId.class, new FrontAppId(f.get("sub_appid") != null ? f.get("sub_appid") : f.get("appid")));
        orderFields(f, r);
        f.put("notify_url", notifyUrl(r.merchant()));
        switch (r.method()) {
            case SCAN -> {
                f.put("trade_type", "NATIVE");
                f.put("product_id", productId(r));
            }
            case JSAPI, MINIPROGRAM -> {
                f.put("trade_type", "JSAPI");
                f.put(serviceProvider && f.get("sub_appid") != null ? "sub_openid" : "openid", r.payer().openId());
            }
            case APP -> f.put("trade_type", "APP");
            case H5 -> {
                f.put("trade_type", "MWEB");
                f.put("scene_info", sceneInfo(r));
            }
            default -> throw new IllegalStateException("refused before: " + r.method());
        }
        return signed(f, w);
    }

    /**
     * {@code /pay/micropay}: the merchant scanned the buyer's barcode. WeChat charges at once, or
     * answers USERPAYING while the buyer confirms with a password; no notify URL is taken.
     */
    public String micropay(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        WechatSettings w = call.settings(WechatSettings.class);
        Map<String, String> f = base(w);
        call.note(SentAppId.class, new SentAppId(f.get("appid")));
        orderFields(f, r);
        f.put("auth_code", r.authCode());
        if (r.storeId() != null) {
            try {
                f.put("scene_info", JSON.writeValueAsString(Map.of("store_info", Map.of("id", r.storeId()))));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return signed(f, w);
    }

    /**
     * SUCCESS when WeChat charged; USERPAYING (no error: the buyer is confirming) to be settled by
     * QUERY; a transient failure (SYSTEMERROR, BANKERROR) is UNKNOWN, never a guess: QUERY, then REVERSE.
     */
    public PaymentResult microResult(WechatVerified<MicropayAnswer> verified,
                                     @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        MicropayAnswer a = verified.answer();
        PaymentRequest r = call.request();
        PaymentResult.Builder b = PaymentResult.answering(r).amount(r.amount()).attach(r.attach()).storeId(r.storeId());
        PaymentError error = error(a);
        if (error == null) {
            return b.status(PaymentStatus.SUCCESS).providerTradeId(blankToNull(a.getTransactionId()))
                    .paidAmount(fen(a.getCashFee())).couponAmount(fen(a.getCouponFee()))
                    .paidAt(Times.format(time(a.getTimeEnd()))).build();
        }
        if (!"SUCCESS".equals(a.getReturnCode())) {
            // Unsigned and unspecific: whether the buyer was charged is not known. QUERY, then REVERSE.
            return b.status(PaymentStatus.UNKNOWN).error(error).build();
        }
        if ("USERPAYING".equals(a.getErrCode())) {
            return b.status(PaymentStatus.USERPAYING).build();
        }
        return b.status(WechatErrors.payStatusAfter(a.getErrCode())).error(error).build();
    }

    /** {@code /secapi/pay/reverse}: cancels a barcode payment, refunding it if it was charged. */
    public String reverse(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        WechatSettings w = call.settings(WechatSettings.class);
        Map<String, String> f = base(w);
        call.note(SentAppId.class, new SentAppId(f.get("appid")));
        f.put("transaction_id", call.order().map(OrderSnapshot::providerTradeId).orElse(null));
        f.put("out_trade_no", r.orderId());
        return signed(f, w);
    }

    /**
     * REVOKED when reversed (also when WeChat says it already was). {@code recall=Y} asks for
     * another call: {@link #reverseAgain} tells the route wechat-reverse, up to the configured
     * number of calls; after the last the outcome is unknown and retryable (the reconciliation
     * reverses again).
     */
    public PaymentResult reverseResult(WechatVerified<ReverseAnswer> verified,
                                       @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        ReverseAnswer a = verified.answer();
        PaymentResult.Builder b = PaymentResult.answering(call.request());
        PaymentError error = error(a);
        int calls = call.note(Recall.class).map(Recall::calls).orElse(0) + 1;
        boolean recall = error != null && "SUCCESS".equals(a.getReturnCode()) && "Y".equalsIgnoreCase(a.getRecall());
        call.note(Recall.class, new Recall(calls, recall));
        if (error == null || "ORDERREVERSED".equals(a.getErrCode())) {
            return b.status(PaymentStatus.REVOKED).build();
        }
        if (recall) {
            return b.error(PaymentError.provider(ErrorCode.PROVIDER_ERROR, "WeChat Pay asked to reverse again (recall=Y) "
                    + "after " + calls + " calls; REVERSE again later", true, error.providerCode(), error.providerMessage())).build();
        }
        return b.error(error).build();
    }

    /**
     * The loop condition of the route wechat-reverse: the last reverse answer asked to call again
     * (recall=Y) and calls are left. False before any answer was mapped, so a route that maps none
     * never loops.
     */
    public boolean reverseAgain(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        return call.note(Recall.class).map(r -> r.asked() && r.calls() < maxReverseCalls).orElse(false);
    }

    /** The order's own fields, the same in a unified order and a barcode payment. */
    private void orderFields(Map<String, String> f, PaymentRequest r) {
        f.put("device_info", r.deviceId());
        f.put("body", r.subject());
        f.put("attach", r.attach());
        f.put("out_trade_no", r.orderId());
        f.put("fee_type", "CNY");
        f.put("total_fee", Long.toString(r.amount()));
        f.put("spbill_create_ip", r.clientIp() != null ? r.clientIp() : serverIp);
        if (r.expireAt() != null) {
            f.put("time_expire", WECHAT_TIME.format(Times.parse(r.expireAt()).atZone(Times.SHANGHAI)));
        }
    }

    /** {@code /pay/orderquery} and {@code /pay/closeorder}: the merchant's order number. */
    public String byOrderNumber(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        WechatSettings w = call.settings(WechatSettings.class);
        Map<String, String> f = base(w);
        f.put("out_trade_no", call.request().orderId());
        return signed(f, w);
    }

    /**
     * A closed order is CLOSED; one WeChat already closed is CLOSED too (with ORDER_CLOSED); a paid
     * one keeps its state and answers ORDER_PAID.
     */
    public PaymentResult closeResult(WechatVerified<CloseOrderAnswer> verified,
                                     @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        CloseOrderAnswer a = verified.answer();
        PaymentResult.Builder b = PaymentResult.answering(call.request());
        PaymentError error = error(a);
        if (error == null) {
            return b.status(PaymentStatus.CLOSED).build();
        }
        if ("ORDERCLOSED".equals(a.getErrCode())) {
            b.status(PaymentStatus.CLOSED);
        }
        return b.error(error).build();
    }

    /**
     * An accepted unified order is NOTPAY with what the buyer pays with (code_url, mweb_url, or the
     * signed fields for a page or app); a refused one PAYERROR, or UNKNOWN when the order may exist.
     */
    public PaymentResult payResult(WechatVerified<UnifiedOrderAnswer> verified,
                                   @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        UnifiedOrderAnswer a = verified.answer();
        PaymentRequest r = call.request();
        WechatSettings w = call.settings(WechatSettings.class);
        String frontAppId = call.note(FrontAppId.class).map(FrontAppId::value).orElse(null);
        PaymentResult.Builder b = PaymentResult.answering(r).amount(r.amount()).attach(r.attach()).storeId(r.storeId());
        PaymentError error = error(a);
        if (error != null) {
            PaymentStatus status = "SUCCESS".equals(a.getReturnCode()) ? WechatErrors.payStatusAfter(a.getErrCode())
                    : PaymentStatus.PAYERROR;
            return b.status(status).error(error).build();
        }
        Object payInfo = switch (r.method()) {
            case JSAPI, MINIPROGRAM -> jsapiPayInfo(frontAppId, a.getPrepayId(), w);
            case APP -> appPayInfo(frontAppId, a.getPrepayId(), w);
            default -> null;
        };
        String payUrl = a.getMwebUrl();
        if (payUrl != null && r.h5() != null && r.h5().redirectUrl() != null) {
            // Where WeChat sends the buyer back after paying (its documented mweb_url parameter).
            payUrl += "&redirect_url=" + java.net.URLEncoder.encode(r.h5().redirectUrl(), java.nio.charset.StandardCharsets.UTF_8);
        }
        return b.status(PaymentStatus.NOTPAY)
                .action(new PaymentResult.Action(a.getCodeUrl(), payUrl, a.getPrepayId(), payInfo))
                .build();
    }

    /** The five fields a page passes to getBrandWCPayRequest (also wx.requestPayment), signed like a request. */
    Map<String, String> jsapiPayInfo(String appId, String prepayId, WechatSettings w) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("appId", appId);
        p.put("timeStamp", Long.toString(java.time.Instant.now().getEpochSecond()));
        p.put("nonceStr", nonce());
        p.put("package", "prepay_id=" + prepayId);
        p.put("signType", w.signType());
        p.put("paySign", WechatSigner.sign(p, w.apiKey(), w.signType()));
        return p;
    }

    /** The fields an app passes to the WeChat SDK (PayReq), lower-case keys, signed like a request. */
    Map<String, String> appPayInfo(String appId, String prepayId, WechatSettings w) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("appid", appId);
        p.put("partnerid", w.subMchId() != null ? w.subMchId() : w.mchId());
        p.put("prepayid", prepayId);
        p.put("package", "Sign=WXPay");
        p.put("noncestr", nonce());
        p.put("timestamp", Long.toString(java.time.Instant.now().getEpochSecond()));
        p.put("sign", WechatSigner.sign(p, w.apiKey(), w.signType()));
        return p;
    }

    /** scene_info of an H5 (MWEB) payment, from the request's h5 object. */
    private String sceneInfo(PaymentRequest r) {
        PaymentRequest.H5 h = r.h5();
        Map<String, String> info = new LinkedHashMap<>();
        String type = h == null || h.type() == null ? "WAP" : h.type();
        switch (type) {
            case "IOS" -> {
                info.put("type", "IOS");
                info.put("app_name", h.appName());
                info.put("bundle_id", h.appId());
            }
            case "ANDROID" -> {
                info.put("type", "Android");
                info.put("app_name", h.appName());
                info.put("package_name", h.appId());
            }
            default -> {
                info.put("type", "Wap");
                info.put("wap_url", h == null ? null : h.redirectUrl());
                info.put("wap_name", h == null ? null : h.appName());
            }
        }
        info.values().removeIf(java.util.Objects::isNull);
        try {
            return JSON.writeValueAsString(Map.of("h5_info", info));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The order's trade state, with the payment's fields once it was paid. */
    public PaymentResult queryResult(WechatVerified<OrderQueryAnswer> verified,
                                     @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        OrderQueryAnswer a = verified.answer();
        PaymentRequest r = call.request();
        PaymentResult.Builder b = PaymentResult.answering(r);
        PaymentError error = error(a);
        if (error != null) {
            return b.error(error).build();
        }
        PaymentStatus status = tradeState(a.getTradeState());
        b.status(status).providerTradeId(blankToNull(a.getTransactionId())).amount(fen(a.getTotalFee()))
                .attach(blankToNull(a.getAttach()));
        if (status == PaymentStatus.SUCCESS || status == PaymentStatus.REFUND) {
            b.paidAmount(fen(a.getCashFee())).couponAmount(fen(a.getCouponFee())).paidAt(Times.format(time(a.getTimeEnd())));
        }
        return b.build();
    }

    static PaymentStatus tradeState(String s) {
        if (s == null) {
            return PaymentStatus.UNKNOWN;
        }
        return switch (s) {
            case "SUCCESS" -> PaymentStatus.SUCCESS;
            case "REFUND" -> PaymentStatus.REFUND;
            case "NOTPAY" -> PaymentStatus.NOTPAY;
            case "CLOSED" -> PaymentStatus.CLOSED;
            case "REVOKED" -> PaymentStatus.REVOKED;
            case "USERPAYING" -> PaymentStatus.USERPAYING;
            case "PAYERROR" -> PaymentStatus.PAYERROR;
            default -> PaymentStatus.UNKNOWN;
        };
    }

    /** return_code first (a FAIL is unsigned), then result_code / err_code. */
    static PaymentError error(WechatAnswer a) {
        if (!"SUCCESS".equals(a.getReturnCode())) {
            String code = a.getErrCode() != null ? a.getErrCode() : "FAIL";
            if ("SIGNERROR".equals(code)) {
                return WechatErrors.map(code, a.getReturnMsg());
            }
            return PaymentError.provider(ErrorCode.PROVIDER_ERROR, "WeChat Pay refused the request",
                    false, code, a.getReturnMsg());
        }
        if (!"SUCCESS".equals(a.getResultCode())) {
            return WechatErrors.map(a.getErrCode(), a.getErrCodeDes());
        }
        return null;
    }

    static Map<String, String> base(WechatSettings w) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("appid", w.appId());
        f.put("mch_id", w.mchId());
        f.put("sub_appid", w.subAppId());
        f.put("sub_mch_id", w.subMchId());
        f.put("nonce_str", nonce());
        if (WechatSigner.HMAC_SHA256.equals(w.signType())) {
            f.put("sign_type", WechatSigner.HMAC_SHA256);
        }
        return f;
    }

    static String signed(Map<String, String> f, WechatSettings w) {
        f.values().removeIf(v -> v == null || v.isEmpty());
        f.put("sign", WechatSigner.sign(f, w.apiKey(), w.signType()));
        return HardenedXml.writeFlat("xml", f);
    }

    /** NATIVE requires product_id: the first item's SKU, else the order number. */
    private static String productId(PaymentRequest r) {
        if (r.items() != null && !r.items().isEmpty() && r.items().get(0).sku() != null) {
            return r.items().get(0).sku();
        }
        return r.orderId();
    }

    static String nonce() {
        char[] c = new char[32];
        for (int i = 0; i < c.length; i++) {
            c[i] = NONCE_CHARS[RANDOM.nextInt(NONCE_CHARS.length)];
        }
        return new String(c);
    }

    static Instant time(String yyyyMMddHHmmss) {
        if (yyyyMMddHHmmss == null || yyyyMMddHHmmss.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(yyyyMMddHHmmss, WECHAT_TIME).atZone(Times.SHANGHAI).toInstant();
        } catch (DateTimeParseException e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "WeChat Pay sent an unreadable time_end");
        }
    }

    static Long fen(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "WeChat Pay sent an unreadable amount");
        }
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
