package io.paygate.provider.ystpay;

import io.paygate.provider.ProviderCalls;
import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.FieldError;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderConnector;
import io.paygate.provider.ProviderHttpStatus;
import io.paygate.provider.ystpay.wire.YstpayAnswer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/**
 * Ystpay (赢商通) {@code unitive.api}: canonical request → sealed envelope, and raw answer → verified,
 * decrypted fields → canonical result. The route {@code direct:ystpay} (routes/ystpay.yaml) calls the
 * store bean {@code ystpaySequences} for the request numbers and these steps; nothing here does I/O
 * or touches the store. Exchange properties in and out are listed in routes/ystpay.yaml.
 */
public final class YstpayConnector implements ProviderConnector {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}");
    private static final long MAX_FEE = 9_999_999_999L;

    private final Clock clock;

    public YstpayConnector(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String provider() {
        return "ystpay";
    }

    @Override
    public Optional<PaymentError> refuse(PaymentRequest r, MerchantProfile profile) {
        if (r.operation() == Operation.CLOSE) {
            return Optional.of(PaymentError.of(ErrorCode.UNSUPPORTED, "Ystpay has no close operation: an unpaid QR, JS or "
                    + "H5 order expires at Ystpay after its expire_time (300-1800 s); a barcode payment is undone with REVERSE",
                    false));
        }
        List<FieldError> bad = new ArrayList<>();
        if (r.operation() == Operation.PAY) {
            if (r.method() == PayMethod.MINIPROGRAM || r.method() == PayMethod.APP) {
                return Optional.of(PaymentError.of(ErrorCode.UNSUPPORTED,
                        "Ystpay supports methods MICRO, SCAN, JSAPI and H5; " + r.method() + " is not available", false));
            }
            if (r.amount() != null && r.amount() > MAX_FEE) {
                bad.add(new FieldError("amount", "Ystpay takes at most 10 digits of fen"));
            }
            payFields(r, bad);
        }
        if (r.operation() == Operation.REFUND && r.refund() != null) {
            if (r.refund().amount() != null && r.refund().amount() > MAX_FEE) {
                bad.add(new FieldError("refund.amount", "Ystpay takes at most 10 digits of fen"));
            }
            if (r.refund().reason() != null && r.refund().reason().length() > 255) {
                bad.add(new FieldError("refund.reason", "Ystpay takes at most 255 characters"));
            }
        }
        return bad.isEmpty() ? Optional.empty() : Optional.of(PaymentError.invalid(bad));
    }

    private static void payFields(PaymentRequest r, List<FieldError> bad) {
        Channel ch = r.channel();
        switch (r.method()) {
            case MICRO -> {
                if (r.authCode() != null && r.authCode().length() > 32) {
                    bad.add(new FieldError("authCode", "Ystpay takes at most 32 characters"));
                }
                if (ch == Channel.BESTPAY) {
                    bad.add(new FieldError("channel", "Ystpay takes WECHAT, ALIPAY or QQ for MICRO, or none (the code tells)"));
                }
                items(r, bad);
            }
            case SCAN, JSAPI, H5 -> {
                if (ch != Channel.WECHAT && ch != Channel.ALIPAY) {
                    bad.add(new FieldError("channel", "Ystpay needs channel WECHAT or ALIPAY for " + r.method()));
                }
                if (r.method() == PayMethod.JSAPI) {
                    String id = YstpayMapper.subopenId(r);
                    if (id == null || id.isBlank() || id.length() > 32) {
                        bad.add(new FieldError(ch == Channel.ALIPAY ? "payer.buyerId" : "payer.openId",
                                "Ystpay needs the buyer's wallet id (at most 32 characters) for JSAPI"));
                    }
                }
                if (r.method() == PayMethod.H5) {
                    String url = r.h5() == null ? null : r.h5().redirectUrl();
                    if (url == null || url.length() > 256) {
                        bad.add(new FieldError("h5.redirectUrl", "Ystpay needs the page the buyer returns to (at most 256 characters) for H5"));
                    }
                    if (ch == Channel.WECHAT && (r.clientIp() == null || !IPV4.matcher(r.clientIp()).matches())) {
                        bad.add(new FieldError("clientIp", "Ystpay needs the buyer's public IPv4 address for WeChat H5"));
                    } else if (r.clientIp() != null && r.clientIp().length() > 15) {
                        bad.add(new FieldError("clientIp", "Ystpay takes an IPv4 address (at most 15 characters)"));
                    }
                }
            }
            default -> throw new IllegalStateException(r.method().name());
        }
    }

    private static void items(PaymentRequest r, List<FieldError> bad) {
        if (r.items() == null) {
            return;
        }
        for (int i = 0; i < r.items().size(); i++) {
            PaymentRequest.Item it = r.items().get(i);
            if (it.sku() == null || it.sku().length() > 50) {
                bad.add(new FieldError("items[" + i + "].sku", "Ystpay's goods list needs a goods id of at most 50 characters"));
            }
        }
        if (bad.isEmpty() && YstpayMapper.prodDetails(r.items()).length() > YstpayMapper.MAX_PROD_DETAILS) {
            bad.add(new FieldError("items", "Ystpay takes a goods list of at most 8192 characters as JSON; send fewer lines"));
        }
    }

    // ---- before the call

    /**
     * After the store step: a call that cannot be made leaves its answer in {@code ystpayRefusal}
     * (what the store lacks, or a REVERSE of an order that is no barcode payment).
     */
    public void precheck(Exchange ex) {
        PaymentRequest r = request(ex);
        String missing = ex.getProperty("ystpayMissing", String.class);
        PaymentError e = null;
        if (missing != null) {
            e = switch (missing) {
                case "order" -> PaymentError.of(ErrorCode.ORDER_NOT_FOUND,
                        "no Ystpay payment of order " + r.orderId() + " was sent by this gateway", false);
                case "trans_seq" -> PaymentError.of(ErrorCode.ORDER_NOT_FOUND, "Ystpay's trans_seq of order " + r.orderId()
                        + " is not known yet (no paid answer so far); QUERY the order, then send this again", true);
                case "refund" -> PaymentError.of(ErrorCode.REFUND_NOT_FOUND, "no Ystpay refund "
                        + (r.refund() == null || r.refund().refundId() == null ? "" : r.refund().refundId() + " ")
                        + "of order " + r.orderId() + " was sent by this gateway", false);
                case "refund-amount" -> PaymentError.invalid(List.of(new FieldError("refund.amount", "refundId "
                        + r.refund().refundId() + " was sent before with amount " + ex.getProperty("ystpayEarlierAmount")
                        + "; a new refund needs a new refundId")));
                default -> throw new IllegalStateException(missing);
            };
        } else if (r.operation() == Operation.REVERSE && !Boolean.TRUE.equals(ex.getProperty("ystpayBarcode", Boolean.class))) {
            e = PaymentError.of(ErrorCode.UNSUPPORTED, "Ystpay reverses barcode (MICRO) payments only; REFUND a paid QR, "
                    + "JS or H5 order", false);
        }
        if (e != null) {
            ex.setProperty("ystpayRefusal", PaymentResult.answering(r).error(e).build());
        }
    }

    public String barcodePay(Exchange ex) {
        return seal(ex, "unitive_pay_request", YstpayMapper.barcodePay(request(ex), reqSeq(ex)));
    }

    public String nativePay(Exchange ex) {
        return seal(ex, "unitive_native_pay_request", YstpayMapper.nativePay(request(ex), reqSeq(ex), clock.instant()));
    }

    public String jsPay(Exchange ex) {
        return seal(ex, "unitive_js_pay_request", YstpayMapper.jsPay(request(ex), reqSeq(ex)));
    }

    public String h5Pay(Exchange ex) {
        return seal(ex, "unitive_h5_pay_request", YstpayMapper.h5Pay(request(ex), reqSeq(ex)));
    }

    public String barcodeQuery(Exchange ex) {
        return seal(ex, "unitive_query_pay_request", YstpayMapper.barcodeQuery(reqSeq(ex), oriSeq(ex)));
    }

    public String nativeQuery(Exchange ex) {
        return seal(ex, "unitive_native_query_pay_request", YstpayMapper.nativeQuery(reqSeq(ex), oriSeq(ex), storedLetter(ex)));
    }

    public String refund(Exchange ex) {
        PaymentRequest r = request(ex);
        return seal(ex, "unitive_refund_request", YstpayMapper.refund(reqSeq(ex), transSeq(ex), r.refund().amount(),
                r.refund().reason()));
    }

    public String refundQuery(Exchange ex) {
        return seal(ex, "unitive_query_refund_request", YstpayMapper.refundQuery(reqSeq(ex), transSeq(ex), oriSeq(ex)));
    }

    public String revoke(Exchange ex) {
        return seal(ex, "unitive_revoke_request", YstpayMapper.revoke(reqSeq(ex), oriSeq(ex), storedLetter(ex)));
    }

    private String seal(Exchange ex, String requestType, Map<String, String> fields) {
        return YstpayEnvelope.seal(requestType, fields, keys(ex));
    }

    // ---- the answer

    /**
     * Verifies the raw answer's signature, then decrypts and parses its data (HardenedXml), then checks
     * it answers this request. Leaves the typed answer in the body.
     */
    public YstpayAnswer verifiedAnswer(Exchange ex) {
        Integer httpStatus = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (httpStatus != null && httpStatus != 200) {
            throw new ProviderHttpStatus("Ystpay", httpStatus);
        }
        YstpayKeys keys = keys(ex);
        Map<String, String> fields;
        try {
            fields = YstpayEnvelope.open(ex.getMessage().getBody(byte[].class), keys);
        } catch (YstpayEnvelope.Rejected e) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Ystpay's answer was rejected: " + e.getMessage());
        }
        YstpayAnswer a = YstpayAnswer.of(fields);
        String seq = YstpayMapper.blankToNull(a.reqSeq());
        if (seq != null && !seq.equals(reqSeq(ex)) && !seq.equals(ex.getProperty("ystpayOriSeq", String.class))) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Ystpay's answer is for another request (req_seq differs)");
        }
        if (YstpayMapper.blankToNull(a.dsn()) != null && !YstpaySigner.matches(keys.dsn(), a.dsn())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Ystpay's answer names another device (dsn differs)");
        }
        return a;
    }

    public PaymentResult payResult(YstpayAnswer a, Exchange ex) {
        remember(ex, a);
        return YstpayMapper.payResult(a, request(ex));
    }

    public PaymentResult queryResult(YstpayAnswer a, Exchange ex) {
        remember(ex, a);
        return YstpayMapper.queryResult(a, request(ex), Boolean.TRUE.equals(ex.getProperty("ystpayBarcode", Boolean.class)));
    }

    public PaymentResult refundResult(YstpayAnswer a, Exchange ex) {
        if (YstpayCodes.succeeded(a.result(), a.code())) {
            ex.setProperty("ystpayAnswerRefundSeq", YstpayMapper.blankToNull(a.refundSeq()));
        }
        return YstpayMapper.refundResult(a, request(ex));
    }

    public PaymentResult refundQueryResult(YstpayAnswer a, Exchange ex) {
        if (YstpayCodes.succeeded(a.result(), a.code())) {
            ex.setProperty("ystpayAnswerRefundSeq", YstpayMapper.blankToNull(a.refundSeq()));
        }
        return YstpayMapper.refundQueryResult(a, request(ex), ex.getProperty("ystpayRefundId", String.class),
                ex.getProperty("ystpayRefundAmount", Long.class));
    }

    public PaymentResult revokeResult(YstpayAnswer a, Exchange ex) {
        return YstpayMapper.revokeResult(a, request(ex));
    }

    /** What the store keeps of a payment answer: the trans_seq and the wallet that paid. */
    private static void remember(Exchange ex, YstpayAnswer a) {
        if (YstpayCodes.succeeded(a.result(), a.code())) {
            ex.setProperty("ystpayAnswerTransSeq", YstpayMapper.blankToNull(a.transSeq()));
            Channel c = YstpayCodes.channel(a.channel());
            ex.setProperty("ystpayAnswerChannel", c == null ? null : c.name());
        }
    }

    // ---- exchange properties

    static YstpayKeys keys(Exchange ex) {
        return YstpayKeys.of(ProviderCalls.of(ex).settings(YstpaySettings.class));
    }

    private static String storedLetter(Exchange ex) {
        String c = ex.getProperty("ystpayChannel", String.class);
        return c == null ? null : YstpayCodes.letter(Channel.valueOf(c));
    }

    private static String reqSeq(Exchange ex) {
        return ex.getProperty("ystpayReqSeq", String.class);
    }

    private static String oriSeq(Exchange ex) {
        return ex.getProperty("ystpayOriSeq", String.class);
    }

    private static String transSeq(Exchange ex) {
        return ex.getProperty("ystpayTransSeq", String.class);
    }

    private static PaymentRequest request(Exchange ex) {
        return ProviderCalls.of(ex).request();
    }
}
