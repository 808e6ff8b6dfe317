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
import io.paygate.config.MerchantProfile.WechatSettings;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderConnector;
import io.paygate.provider.ProviderHttpStatus;
import io.paygate.provider.wechat.wire.OrderQueryAnswer;
import io.paygate.provider.wechat.wire.UnifiedOrderAnswer;
import io.paygate.provider.wechat.wire.WechatAnswer;
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
import org.apache.camel.Exchange;

/**
 * WeChat Pay API v2: canonical request → signed XML, and raw answer → verified map → typed answer
 * → canonical result. The route {@code direct:wechat} (routes/wechat.yaml) picks the endpoints
 * and calls these steps; nothing here does I/O.
 */
public final class WechatConnector implements ProviderConnector {
    /** Exchange property holding the verified answer fields, for fields no typed model has. */
    public static final String ANSWER_FIELDS = "wechatAnswerFields";

    private static final Pattern OUT_TRADE_NO = Pattern.compile("[A-Za-z0-9_\\-|*@]{1,32}");
    private static final DateTimeFormatter WECHAT_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final char[] NONCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final String publicBaseUrl;
    private final String serverIp;
    private final SecureRandom random = new SecureRandom();

    public WechatConnector(String publicBaseUrl, String serverIp) {
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        this.serverIp = serverIp;
    }

    @Override
    public String provider() {
        return "wechat";
    }

    @Override
    public String baseUrl(MerchantProfile profile) {
        return profile.wechat().baseUrl();
    }

    @Override
    public Optional<PaymentError> refuse(PaymentRequest r, MerchantProfile profile) {
        if (r.operation() != Operation.PAY && r.operation() != Operation.QUERY) {
            return Optional.of(PaymentError.of(ErrorCode.UNSUPPORTED,
                    "the WeChat Pay connector supports PAY (method SCAN) and QUERY; " + r.operation() + " is not available", false));
        }
        if (r.operation() == Operation.PAY && r.method() != PayMethod.SCAN) {
            return Optional.of(PaymentError.of(ErrorCode.UNSUPPORTED,
                    "the WeChat Pay connector supports method SCAN; " + r.method() + " is not available", false));
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

    /** {@code /pay/unifiedorder} with trade_type NATIVE: the buyer scans the QR code of code_url. */
    public String unifiedOrder(Exchange ex) {
        PaymentRequest r = request(ex);
        WechatSettings w = settings(ex);
        Map<String, String> f = base(w);
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
        f.put("notify_url", publicBaseUrl + "/notify/wechat/" + r.merchant());
        f.put("trade_type", "NATIVE");
        f.put("product_id", productId(r));
        return signed(f, w);
    }

    /** {@code /pay/orderquery} by the merchant's order number. */
    public String orderQuery(Exchange ex) {
        PaymentRequest r = request(ex);
        WechatSettings w = settings(ex);
        Map<String, String> f = base(w);
        f.put("out_trade_no", r.orderId());
        return signed(f, w);
    }

    /**
     * Parses the raw answer with the hardened parser and checks the signature over every field
     * received before anything is bound. Leaves the raw bytes in the body for the typed binding.
     */
    public void verifiedAnswer(Exchange ex) {
        Integer httpStatus = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (httpStatus != null && httpStatus != 200) {
            throw new ProviderHttpStatus("WeChat Pay", httpStatus);
        }
        byte[] raw = ex.getMessage().getBody(byte[].class);
        Map<String, String> fields;
        try {
            fields = HardenedXml.parseFlat(raw, "xml");
        } catch (HardenedXml.XmlRejected e) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer could not be read: " + e.getMessage());
        }
        WechatSettings w = settings(ex);
        if ("SUCCESS".equals(fields.get("return_code"))) {
            if (!WechatSigner.verify(fields, w.apiKey(), w.signType())) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer failed signature verification");
            }
            if (!w.appId().equals(fields.get("appid")) || !w.mchId().equals(fields.get("mch_id"))) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer names another appid or mch_id");
            }
        }
        ex.setProperty(ANSWER_FIELDS, fields);
        ex.getMessage().setBody(raw);
    }

    public PaymentResult payResult(UnifiedOrderAnswer a, Exchange ex) {
        PaymentRequest r = request(ex);
        PaymentResult.Builder b = PaymentResult.answering(r).amount(r.amount()).attach(r.attach()).storeId(r.storeId());
        PaymentError error = error(a);
        if (error != null) {
            PaymentStatus status = "SUCCESS".equals(a.getReturnCode()) ? WechatErrors.payStatusAfter(a.getErrCode())
                    : PaymentStatus.PAYERROR;
            return b.status(status).error(error).build();
        }
        return b.status(PaymentStatus.NOTPAY)
                .action(new PaymentResult.Action(a.getCodeUrl(), a.getMwebUrl(), a.getPrepayId(), null))
                .build();
    }

    public PaymentResult queryResult(OrderQueryAnswer a, Exchange ex) {
        PaymentRequest r = request(ex);
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
    private static PaymentError error(WechatAnswer a) {
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

    private Map<String, String> base(WechatSettings w) {
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

    private static String signed(Map<String, String> f, WechatSettings w) {
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

    private String nonce() {
        char[] c = new char[32];
        for (int i = 0; i < c.length; i++) {
            c[i] = NONCE_CHARS[random.nextInt(NONCE_CHARS.length)];
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

    private static Long fen(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "WeChat Pay sent an unreadable amount");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static PaymentRequest request(Exchange ex) {
        return ex.getProperty("paymentRequest", PaymentRequest.class);
    }

    private static WechatSettings settings(Exchange ex) {
        return ex.getProperty("merchantProfile", MerchantProfile.class).wechat();
    }
}
