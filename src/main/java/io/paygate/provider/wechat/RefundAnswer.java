package io.paygate.provider.wechat;

import java.util.Map;

/** Answer of {@code /secapi/pay/refund}: WeChat accepted (or refused) one refund. */
public final class RefundAnswer extends WechatAnswer {
    private final String transactionId;
    private final String outRefundNo;
    private final String refundId;
    private final String refundFee;

    RefundAnswer(Map<String, String> verified) {
        super(verified);
        this.transactionId = verified.get("transaction_id");
        this.outRefundNo = verified.get("out_refund_no");
        this.refundId = verified.get("refund_id");
        this.refundFee = verified.get("refund_fee");
    }

    public String getTransactionId() { return transactionId; }
    public String getOutRefundNo() { return outRefundNo; }
    public String getRefundId() { return refundId; }
    public String getRefundFee() { return refundFee; }
}
