package io.paygate.provider.wechat;

import java.util.Map;

/**
 * Answer of {@code /pay/refundquery}: the order's refunds as indexed fields ({@code refund_id_0},
 * {@code refund_fee_1} …), {@code refund_count} of them, read by index from the verified fields.
 */
public final class RefundQueryAnswer extends WechatAnswer {
    /** One refund of the answer, its fields as WeChat sent them. */
    public record Refund(String outRefundNo, String refundId, String refundFee, String refundStatus, String successTime) {
    }

    private final String transactionId;
    private final String outTradeNo;
    private final String refundCount;
    private final Map<String, String> verified;

    RefundQueryAnswer(Map<String, String> verified) {
        super(verified);
        this.transactionId = verified.get("transaction_id");
        this.outTradeNo = verified.get("out_trade_no");
        this.refundCount = verified.get("refund_count");
        this.verified = Map.copyOf(verified);
    }

    public String getTransactionId() { return transactionId; }
    public String getOutTradeNo() { return outTradeNo; }
    public String getRefundCount() { return refundCount; }

    /** The refund at index {@code i} (0 ≤ i < refund_count). */
    public Refund refund(int i) {
        return new Refund(verified.get("out_refund_no_" + i), verified.get("refund_id_" + i), verified.get("refund_fee_" + i),
                verified.get("refund_status_" + i), verified.get("refund_success_time_" + i));
    }
}
