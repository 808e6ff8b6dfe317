package io.paygate.sandbox.wechat;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One order as the simulated WeChat Pay holds it. Immutable: a payment, a close, a reverse or a
 * refund yields a new value, which the {@link SimOrderStore} swaps in atomically. JSON names are
 * WeChat's own field names, so the state file and the control API read like the protocol.
 *
 * @param userpayingQueriesLeft for a barcode order waiting for the payer's password: how many more
 *                              {@code /pay/orderquery} calls until the payer "enters it" and the
 *                              order is paid; null when only the sandbox user can end the wait
 */
record SimOrder(
        @JsonProperty("mch_id") String mchId,
        @JsonProperty("appid") String appId,
        @JsonProperty("out_trade_no") String outTradeNo,
        @JsonProperty("body") String body,
        @JsonProperty("total_fee") long totalFee,
        @JsonProperty("fee_type") String feeType,
        @JsonProperty("trade_type") String tradeType,
        @JsonProperty("product_id") String productId,
        @JsonProperty("attach") String attach,
        @JsonProperty("device_info") String deviceInfo,
        @JsonProperty("notify_url") String notifyUrl,
        @JsonProperty("spbill_create_ip") String spbillCreateIp,
        @JsonProperty("prepay_id") String prepayId,
        @JsonProperty("code_url") String codeUrl,
        @JsonProperty("time_start") String timeStart,
        @JsonProperty("trade_state") TradeState tradeState,
        @JsonProperty("transaction_id") String transactionId,
        @JsonProperty("time_end") String timeEnd,
        @JsonProperty("userpaying_queries_left") Integer userpayingQueriesLeft) {

    /** The states an order can reach, with WeChat's {@code trade_state_desc}. */
    enum TradeState {
        NOTPAY("订单未支付"),
        USERPAYING("需要用户输入支付密码"),
        SUCCESS("支付成功"),
        REFUND("转入退款"),
        CLOSED("订单已关闭"),
        REVOKED("已撤销"),
        PAYERROR("支付失败，请重新下单支付");

        private final String description;

        TradeState(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }

        /** SUCCESS and REFUND: the payer's money reached the merchant. */
        boolean paid() {
            return this == SUCCESS || this == REFUND;
        }
    }

    /** Thrown when an action does not fit the order's state (e.g. paying a closed order). */
    static final class StateConflict extends RuntimeException {
        StateConflict(String message) {
            super(message);
        }
    }

    SimOrder {
        Objects.requireNonNull(mchId, "mch_id");
        Objects.requireNonNull(outTradeNo, "out_trade_no");
        Objects.requireNonNull(tradeState, "trade_state");
    }

    /**
     * WeChat lets a merchant repeat a unified order for an unpaid out_trade_no and get the same
     * prepay_id back, but only when the repeat asks for the same payment.
     */
    boolean sameTermsAs(SimOrder other) {
        return totalFee == other.totalFee
                && Objects.equals(body, other.body)
                && Objects.equals(tradeType, other.tradeType);
    }

    /** The paid order; paying an already paid order changes nothing, so the call is idempotent. */
    SimOrder paid(String newTransactionId, String paidAt) {
        return switch (tradeState) {
            case SUCCESS, REFUND -> this;
            case CLOSED -> throw new StateConflict("order is closed");
            case REVOKED -> throw new StateConflict("order is reversed");
            case PAYERROR -> throw new StateConflict("order payment failed, pay it again with /pay/micropay");
            case NOTPAY, USERPAYING -> withState(TradeState.SUCCESS, newTransactionId, paidAt);
        };
    }

    /** The closed order; a paid or reversed order cannot be closed any more, as with WeChat's closeorder. */
    SimOrder closed() {
        return switch (tradeState) {
            case CLOSED -> this;
            case SUCCESS, REFUND -> throw new StateConflict("order is already paid");
            case REVOKED -> throw new StateConflict("order is reversed");
            case NOTPAY, USERPAYING, PAYERROR -> withState(TradeState.CLOSED, null, null);
        };
    }

    /**
     * The reversed order: an unpaid one can no longer be paid, a paid one gives the payer the
     * money back (the transaction_id stays). An order with refunds cannot be reversed.
     */
    SimOrder reversed() {
        return switch (tradeState) {
            case REVOKED -> this;
            case REFUND -> throw new StateConflict("order has refunds and cannot be reversed");
            case NOTPAY, USERPAYING, PAYERROR, CLOSED, SUCCESS -> withState(TradeState.REVOKED, transactionId, timeEnd);
        };
    }

    /** The order once one of its refunds succeeded. */
    SimOrder refunded() {
        return switch (tradeState) {
            case REFUND -> this;
            case SUCCESS -> withState(TradeState.REFUND, transactionId, timeEnd);
            default -> throw new StateConflict("only a paid order can be refunded, this one is " + tradeState);
        };
    }

    /** One more order query while the payer types the password: the last allowed one finds it paid. */
    SimOrder queriedWhileUserPaying(String newTransactionId, String paidAt) {
        if (tradeState != TradeState.USERPAYING || userpayingQueriesLeft == null) {
            return this;
        }
        if (userpayingQueriesLeft <= 1) {
            return paid(newTransactionId, paidAt);
        }
        return new SimOrder(mchId, appId, outTradeNo, body, totalFee, feeType, tradeType, productId,
                attach, deviceInfo, notifyUrl, spbillCreateIp, prepayId, codeUrl, timeStart,
                tradeState, transactionId, timeEnd, userpayingQueriesLeft - 1);
    }

    private SimOrder withState(TradeState state, String newTransactionId, String newTimeEnd) {
        return new SimOrder(mchId, appId, outTradeNo, body, totalFee, feeType, tradeType, productId,
                attach, deviceInfo, notifyUrl, spbillCreateIp, prepayId, codeUrl, timeStart,
                state, newTransactionId, newTimeEnd, null);
    }
}
