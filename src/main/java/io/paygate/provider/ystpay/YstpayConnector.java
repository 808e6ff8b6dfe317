package io.paygate.provider.ystpay;

import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.FieldError;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.CallRefused;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderConnector;
import io.paygate.route.RouteProperties;
import io.paygate.provider.ystpay.wire.YstpayAnswer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.camel.ExchangeProperty;

/**
 * Ystpay (赢商通) {@code unitive.api}: canonical request → sealed envelope, and verified answer →
 * canonical result. Each operation is an instance of the provider-operation template in
 * routes/ystpay.yaml: the store bean {@code ystpaySequences} numbers the call ({@link YstpayNumbers}),
 * a request builder here seals it (or refuses it with {@link CallRefused}, nothing sent), the data
 * format {@link YstpayAnswerFormat} verifies and decrypts the answer, a result mapper here maps the
 * {@link YstpayVerified} answer and leaves what the store keeps ({@link YstpayAnswered}). Nothing
 * here does I/O or touches the store.
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

    /**
     * The operation's route in routes/ystpay.yaml: one instance of the provider-operation template
     * per request type, but one QUERY (its request builder picks the barcode or the native query).
     */
    @Override
    public String route(ProviderCall call) {
        return switch (call.operation()) {
            case PAY -> switch (call.request().method()) {
                case MICRO -> "direct:ystpay-barcode-pay";
                case SCAN -> "direct:ystpay-native-pay";
                case JSAPI -> "direct:ystpay-js-pay";
                case H5 -> "direct:ystpay-h5-pay";
                // refuse() answers these before any call is made.
                default -> throw new IllegalStateException("Ystpay has no " + call.request().method() + " payment");
            };
            case QUERY -> "direct:ystpay-query";
            case REFUND -> "direct:ystpay-refund";
            case REFUND_QUERY -> "direct:ystpay-refund-query";
            case REVERSE -> "direct:ystpay-revoke";
            // refuse() answers CLOSE before any call is made.
            default -> throw new IllegalStateException("Ystpay has no " + call.operation() + " operation");
        };
    }

    // ---- the requests (the template's request step): the store's numbers are in the YstpayNumbers note

    public String barcodePay(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        return seal(call, "unitive_pay_request", YstpayMapper.barcodePay(call.request(), sendable(call).reqSeq()));
    }

    public String nativePay(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        return seal(call, "unitive_native_pay_request", YstpayMapper.nativePay(call.request(), sendable(call).reqSeq(),
                clock.instant()));
    }

    public String jsPay(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        return seal(call, "unitive_js_pay_request", YstpayMapper.jsPay(call.request(), sendable(call).reqSeq()));
    }

    public String h5Pay(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        return seal(call, "unitive_h5_pay_request", YstpayMapper.h5Pay(call.request(), sendable(call).reqSeq()));
    }

    /** The barcode query for a barcode order, the native query (with the stored wallet) for the others. */
    public String query(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        YstpayNumbers n = sendable(call);
        return n.barcode()
                ? seal(call, "unitive_query_pay_request", YstpayMapper.barcodeQuery(n.reqSeq(), n.oriSeq()))
                : seal(call, "unitive_native_query_pay_request", YstpayMapper.nativeQuery(n.reqSeq(), n.oriSeq(),
                        letter(n.channel())));
    }

    public String refund(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        YstpayNumbers n = sendable(call);
        PaymentRequest r = call.request();
        return seal(call, "unitive_refund_request", YstpayMapper.refund(n.reqSeq(), n.transSeq(), r.refund().amount(),
                r.refund().reason()));
    }

    public String refundQuery(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        YstpayNumbers n = sendable(call);
        return seal(call, "unitive_query_refund_request", YstpayMapper.refundQuery(n.reqSeq(), n.transSeq(), n.oriSeq()));
    }

    /** REVERSE: Ystpay revokes barcode payments only. */
    public String revoke(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        YstpayNumbers n = sendable(call);
        if (!n.barcode()) {
            throw new CallRefused(PaymentError.of(ErrorCode.UNSUPPORTED, "Ystpay reverses barcode (MICRO) payments only; "
                    + "REFUND a paid QR, JS or H5 order", false));
        }
        return seal(call, "unitive_revoke_request", YstpayMapper.revoke(n.reqSeq(), n.oriSeq(), letter(n.channel())));
    }

    private static String seal(ProviderCall call, String requestType, Map<String, String> fields) {
        return YstpayEnvelope.seal(requestType, fields, YstpayKeys.of(call.settings(YstpaySettings.class)));
    }

    /**
     * The store's numbers of this call; a call the store cannot number (what it lacks) is refused
     * with nothing sent.
     */
    static YstpayNumbers sendable(ProviderCall call) {
        YstpayNumbers n = numbers(call);
        if (n.missing() == null) {
            return n;
        }
        PaymentRequest r = call.request();
        throw new CallRefused(switch (n.missing()) {
            case ORDER -> PaymentError.of(ErrorCode.ORDER_NOT_FOUND,
                    "no Ystpay payment of order " + r.orderId() + " was sent by this gateway", false);
            case TRANS_SEQ -> PaymentError.of(ErrorCode.ORDER_NOT_FOUND, "Ystpay's trans_seq of order " + r.orderId()
                    + " is not known yet (no paid answer so far); QUERY the order, then send this again", true);
            case REFUND -> PaymentError.of(ErrorCode.REFUND_NOT_FOUND, "no Ystpay refund "
                    + (r.refund() == null || r.refund().refundId() == null ? "" : r.refund().refundId() + " ")
                    + "of order " + r.orderId() + " was sent by this gateway", false);
            case REFUND_AMOUNT -> PaymentError.invalid(List.of(new FieldError("refund.amount", "refundId "
                    + r.refund().refundId() + " was sent before with amount " + n.earlierAmount()
                    + "; a new refund needs a new refundId")));
        });
    }

    private static YstpayNumbers numbers(ProviderCall call) {
        return call.note(YstpayNumbers.class).orElseThrow(() ->
                new IllegalStateException("no Ystpay request numbers: the operation's prepare step numbers the call"));
    }

    private static String letter(Channel c) {
        return c == null ? null : YstpayCodes.letter(c);
    }

    // ---- the results (the template's result step): only a verified answer is accepted

    public PaymentResult payResult(YstpayVerified verified, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        YstpayAnswer a = verified.answer();
        remember(call, a);
        return YstpayMapper.payResult(a, call.request());
    }

    public PaymentResult queryResult(YstpayVerified verified, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        YstpayAnswer a = verified.answer();
        remember(call, a);
        return YstpayMapper.queryResult(a, call.request(), numbers(call).barcode());
    }

    public PaymentResult refundResult(YstpayVerified verified, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        YstpayAnswer a = verified.answer();
        rememberRefund(call, a);
        return YstpayMapper.refundResult(a, call.request());
    }

    public PaymentResult refundQueryResult(YstpayVerified verified,
                                           @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        YstpayAnswer a = verified.answer();
        rememberRefund(call, a);
        YstpayNumbers n = numbers(call);
        return YstpayMapper.refundQueryResult(a, call.request(), n.refundId(), n.refundAmount());
    }

    public PaymentResult revokeResult(YstpayVerified verified, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        return YstpayMapper.revokeResult(verified.answer(), call.request());
    }

    /** What the store keeps of a payment answer: the trans_seq and the wallet that paid. */
    private static void remember(ProviderCall call, YstpayAnswer a) {
        if (YstpayCodes.succeeded(a.result(), a.code())) {
            call.note(YstpayAnswered.class, new YstpayAnswered(YstpayMapper.blankToNull(a.transSeq()),
                    YstpayCodes.channel(a.channel()), null));
        }
    }

    /** What the store keeps of a refund answer: Ystpay's number of the refund. */
    private static void rememberRefund(ProviderCall call, YstpayAnswer a) {
        if (YstpayCodes.succeeded(a.result(), a.code())) {
            call.note(YstpayAnswered.class, new YstpayAnswered(null, null, YstpayMapper.blankToNull(a.refundSeq())));
        }
    }
}
