package io.paygate.provider.wechat;

import java.util.Map;

/**
 * The payment's fields, the same in a barcode payment's answer and an order query's. Indexed
 * coupon fields stay in the verified map ({@link WechatVerified#fields()}).
 */
public abstract class PaymentAnswer extends WechatAnswer {
    private final String transactionId;
    private final String outTradeNo;
    private final String totalFee;
    private final String cashFee;
    private final String couponFee;
    private final String timeEnd;
    private final String attach;
    private final String tradeType;

    PaymentAnswer(Map<String, String> verified) {
        super(verified);
        this.transactionId = verified.get("transaction_id");
        this.outTradeNo = verified.get("out_trade_no");
        this.totalFee = verified.get("total_fee");
        this.cashFee = verified.get("cash_fee");
        this.couponFee = verified.get("coupon_fee");
        this.timeEnd = verified.get("time_end");
        this.attach = verified.get("attach");
        this.tradeType = verified.get("trade_type");
    }

    public String getTransactionId() { return transactionId; }
    public String getOutTradeNo() { return outTradeNo; }
    public String getTotalFee() { return totalFee; }
    public String getCashFee() { return cashFee; }
    public String getCouponFee() { return couponFee; }
    public String getTimeEnd() { return timeEnd; }
    public String getAttach() { return attach; }
    public String getTradeType() { return tradeType; }
}
