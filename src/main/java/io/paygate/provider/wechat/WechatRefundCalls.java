package io.paygate.provider.wechat;

import io.paygate.provider.ProviderCalls;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.Times;
import io.paygate.provider.AnswerRejected;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * WeChat Pay refunds: {@code /secapi/pay/refund} (with the merchant's client certificate) and
 * {@code /pay/refundquery}. Their answers carry indexed fields ({@code refund_id_0},
 * {@code refund_fee_1} …) that no fixed model holds, so both are read from the verified map
 * ({@link WechatConnector#ANSWER_FIELDS}) that {@code verifiedAnswer} left: every field was
 * signature-checked before it is read here.
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
    public String refund(Exchange ex) {
        PaymentRequest r = WechatConnector.request(ex);
        WechatSettings w = WechatConnector.settings(ex);
        Long total = ProviderCalls.of(ex).order().map(io.paygate.provider.OrderSnapshot::amount).orElse(null);
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
    public PaymentResult refundResult(Exchange ex) {
        PaymentRequest r = WechatConnector.request(ex);
        Map<String, String> f = fields(ex);
        PaymentResult.Builder b = PaymentResult.answering(r);
        PaymentError error = error(f);
        if (error != null) {
            return b.error(error).build();
        }
        if (!r.refund().refundId().equals(f.get("out_refund_no"))) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's refund answer names another out_refund_no");
        }
        return b.providerTradeId(WechatConnector.blankToNull(f.get("transaction_id")))
                .refunds(List.of(new RefundInfo(f.get("out_refund_no"), WechatConnector.blankToNull(f.get("refund_id")),
                        WechatConnector.fen(f.get("refund_fee")), "PROCESSING", null)))
                .build();
    }

    /** By {@code out_refund_no} when the request names a refund, else every refund of the order. */
    public String refundQuery(Exchange ex) {
        PaymentRequest r = WechatConnector.request(ex);
        WechatSettings w = WechatConnector.settings(ex);
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
    public PaymentResult refundQueryResult(Exchange ex) {
        PaymentRequest r = WechatConnector.request(ex);
        Map<String, String> f = fields(ex);
        PaymentResult.Builder b = PaymentResult.answering(r);
        PaymentError error = error(f);
        if (error != null) {
            return b.error(error).build();
        }
        if (!r.orderId().equals(f.get("out_trade_no"))) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's refund query answer is about another order");
        }
        int count = count(f.get("refund_count"));
        List<RefundInfo> refunds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String refundId = f.get("out_refund_no_" + i);
            if (refundId == null || refundId.isBlank()) {
                throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "WeChat Pay's refund query answer lacks out_refund_no_" + i);
            }
            refunds.add(new RefundInfo(refundId, WechatConnector.blankToNull(f.get("refund_id_" + i)),
                    WechatConnector.fen(f.get("refund_fee_" + i)), status(f.get("refund_status_" + i)),
                    Times.format(successTime(f.get("refund_success_time_" + i)))));
        }
        return b.providerTradeId(WechatConnector.blankToNull(f.get("transaction_id"))).refunds(refunds).build();
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
    private static PaymentError error(Map<String, String> f) {
        if (!"SUCCESS".equals(f.get("return_code"))) {
            return PaymentError.provider(ErrorCode.PROVIDER_ERROR, "WeChat Pay refused the request", false,
                    "FAIL", f.get("return_msg"));
        }
        if (!"SUCCESS".equals(f.get("result_code"))) {
            return WechatErrors.map(f.get("err_code"), f.get("err_code_des"));
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> fields(Exchange ex) {
        Map<String, String> f = ex.getProperty(WechatConnector.ANSWER_FIELDS, Map.class);
        if (f == null) {
            throw new IllegalStateException("verifiedAnswer must run first");
        }
        return f;
    }
}
