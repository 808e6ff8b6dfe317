package io.paygate.provider.wechat;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.Times;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.OrderSnapshot;
import io.paygate.provider.ProviderCall;
import io.paygate.route.RouteProperties;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;

/**
 * WeChat Pay refunds: the request builders and result mappers of {@code /secapi/pay/refund} (with
 * the merchant's client certificate) and {@code /pay/refundquery} (routes/wechat.yaml). Their
 * answers come verified and bound by {@link WechatAnswerFormat}; a refund query's indexed fields
 * ({@code refund_id_0}, {@code refund_fee_1} …) are read through {@link RefundQueryAnswer#refund}.
 */
public final class WechatRefundCalls {
    private static final DateTimeFormatter SUCCESS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** WeChat answers at most this many refunds per refund query page. */
    private static final int PAGE = 10;

    private final WechatConnector connector;

    public WechatRefundCalls(WechatConnector connector) {
        this.connector = connector;
    }

    /**
     * {@code out_refund_no} is {@code refund.refundId}: sending the same refund again is the same
     * refund at WeChat. {@code total_fee} is the order's amount from the ledger.
     */
    public String refund(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        WechatSettings w = call.settings(WechatSettings.class);
        Long total = call.order().map(OrderSnapshot::amount).orElse(null);
        if (total == null) {
            throw new IllegalStateException("a WeChat refund needs the order's amount; the ledger has no order " + r.orderId());
        }
        Map<String, String> f = WechatConnector.base(w);
        f.put("out_trade_no", r.orderId());
        f.put("out_refund_no", r.refund().refundId());
        f.put("total_fee", Long.toString(total));
        f.put("refund_fee", Long.toString(r.refund().amount()));
        f.put("refund_fee_type", "CNY");
        f.put("refund_desc", r.refund().reason());
        f.put("notify_url", connector.notifyUrl(r.merchant()));
        return WechatConnector.signed(f, w);
    }

    /** An accepted refund is PROCESSING: its outcome comes by notification or refund query. */
    public PaymentResult refundResult(WechatVerified<RefundAnswer> verified,
                                      @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        RefundAnswer a = verified.answer();
        PaymentRequest r = call.request();
        PaymentResult.Builder b = PaymentResult.answering(r);
        PaymentError error = error(a);
        if (error != null) {
            return b.error(error).build();
        }
        if (!r.refund().refundId().equals(a.getOutRefundNo())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's refund answer names another out_refund_no");
        }
        return b.providerTradeId(WechatConnector.blankToNull(a.getTransactionId()))
                .refunds(List.of(new RefundInfo(a.getOutRefundNo(), WechatConnector.blankToNull(a.getRefundId()),
                        WechatConnector.fen(a.getRefundFee()), "PROCESSING", null)))
                .build();
    }

    /** By {@code out_refund_no} when the request names a refund, else every refund of the order. */
    public String refundQuery(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        WechatSettings w = call.settings(WechatSettings.class);
        Map<String, String> f = WechatConnector.base(w);
        if (r.refund() != null && r.refund().refundId() != null) {
            f.put("out_refund_no", r.refund().refundId());
        } else {
            f.put("out_trade_no", r.orderId());
        }
        return WechatConnector.signed(f, w);
    }

    /**
     * Reads {@code refund_count} refunds from the indexed fields. Status: SUCCESS → SUCCESS,
     * PROCESSING → PROCESSING, REFUNDCLOSE and CHANGE (the money could not reach the buyer; the
     * merchant settles it on WeChat's platform) → FAILED.
     */
    public PaymentResult refundQueryResult(WechatVerified<RefundQueryAnswer> verified,
                                           @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        RefundQueryAnswer a = verified.answer();
        PaymentRequest r = call.request();
        PaymentResult.Builder b = PaymentResult.answering(r);
        PaymentError error = error(a);
        if (error != null) {
            return b.error(error).build();
        }
        if (!r.orderId().equals(a.getOutTradeNo())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's refund query answer is about another order");
        }
        int count = count(a.getRefundCount());
        List<RefundInfo> refunds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            RefundQueryAnswer.Refund row = a.refund(i);
            if (row.outRefundNo() == null || row.outRefundNo().isBlank()) {
                throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "WeChat Pay's refund query answer lacks out_refund_no_" + i);
            }
            refunds.add(new RefundInfo(row.outRefundNo(), WechatConnector.blankToNull(row.refundId()),
                    WechatConnector.fen(row.refundFee()), status(row.refundStatus()),
                    Times.format(successTime(row.successTime()))));
        }
        return b.providerTradeId(WechatConnector.blankToNull(a.getTransactionId())).refunds(refunds).build();
    }

    static String status(String refundStatus) {
        if (refundStatus == null) {
            return "PROCESSING";
        }
        return switch (refundStatus) {
            case "SUCCESS" -> "SUCCESS";
            case "REFUNDCLOSE", "CHANGE" -> "FAILED";
            default -> "PROCESSING";
        };
    }

    private static int count(String s) {
        try {
            int n = Integer.parseInt(s == null ? "0" : s.trim());
            if (n < 0 || n > PAGE * 10) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "WeChat Pay sent an unreadable refund_count");
        }
    }

    private static java.time.Instant successTime(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(s, SUCCESS_TIME).atZone(Times.SHANGHAI).toInstant();
        } catch (DateTimeParseException e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "WeChat Pay sent an unreadable refund_success_time");
        }
    }

    /** return_code first (a FAIL is unsigned), then result_code / err_code. */
    private static PaymentError error(WechatAnswer a) {
        if (!"SUCCESS".equals(a.getReturnCode())) {
            return PaymentError.provider(ErrorCode.PROVIDER_ERROR, "WeChat Pay refused the request", false,
                    "FAIL", a.getReturnMsg());
        }
        if (!"SUCCESS".equals(a.getResultCode())) {
            return WechatErrors.map(a.getErrCode(), a.getErrCodeDes());
        }
        return null;
    }
}
