package io.paygate.sandbox.pooul;

import java.util.ArrayList;
import java.util.List;

/** One order in the simulated Pooul, with its refunds. Guarded by the API's lock. */
final class SimPooulOrder {
    /** trade_state as the documents number them. */
    static final int PAID = 0;
    static final int REFUND = 1;
    static final int NOTPAY = 2;
    static final int CLOSED = 3;
    static final int REVERSED = 4;
    static final int PAYING = 6;

    record Refund(String refundId, String mchRefundId, long fee, long refundTime, String notifyUrl) {
    }

    final String merchantId;
    final boolean v2;
    final String mchTradeId;
    final String tradeId;
    final String payType;
    final long totalFee;
    final String body;
    final String attach;
    final String notifyUrl;
    final String authCode;
    int tradeState;
    /** Queries left before a paying barcode order becomes paid by itself; -1 never. */
    int queriesUntilPaid = -1;
    String outTradeId;
    String chTradeId;
    long timeEnd;
    final List<Refund> refunds = new ArrayList<>();

    SimPooulOrder(String merchantId, boolean v2, String mchTradeId, String tradeId, String payType, long totalFee,
                  String body, String attach, String notifyUrl, String authCode) {
        this.merchantId = merchantId;
        this.v2 = v2;
        this.mchTradeId = mchTradeId;
        this.tradeId = tradeId;
        this.payType = payType;
        this.totalFee = totalFee;
        this.body = body;
        this.attach = attach;
        this.notifyUrl = notifyUrl;
        this.authCode = authCode;
        this.tradeState = NOTPAY;
    }

    void paid(String outTradeId, String chTradeId, long nowSeconds) {
        this.tradeState = PAID;
        this.outTradeId = outTradeId;
        this.chTradeId = chTradeId;
        this.timeEnd = nowSeconds;
        this.queriesUntilPaid = -1;
    }

    long refunded() {
        return refunds.stream().mapToLong(Refund::fee).sum();
    }

    static String describe(int state) {
        return switch (state) {
            case PAID -> "支付成功";
            case REFUND -> "转入退款";
            case NOTPAY -> "未支付";
            case CLOSED -> "已关闭";
            case REVERSED -> "已冲正";
            case PAYING -> "支付中, USERPAYING, 需要用户输入支付密码";
            default -> "未知";
        };
    }
}
