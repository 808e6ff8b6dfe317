package io.paygate.sandbox.wechat;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One order as the simulated WeChat Pay holds it. Immutable: a payment or a close yields a new
 * value, which the {@link SimOrderStore} swaps in atomically. JSON names are WeChat's own field
 * names, so the state file and the control API read like the protocol.
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
        @JsonProperty("time_end") String timeEnd) {

    /** The states an order can reach in the sandbox, with WeChat's {@code trade_state_desc}. */
    enum TradeState {
        NOTPAY("订单未支付"),
        SUCCESS("支付成功"),
        CLOSED("订单已关闭");

        private final String description;

        TradeState(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }

    /** Thrown when a control action does not fit the order's state (e.g. paying a closed order). */
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
            case SUCCESS -> this;
            case CLOSED -> throw new StateConflict("order is closed");
            case NOTPAY -> withState(TradeState.SUCCESS, newTransactionId, paidAt);
        };
    }

    /** The closed order; a paid order cannot be closed any more, as with WeChat's closeorder. */
    SimOrder closed() {
        return switch (tradeState) {
            case CLOSED -> this;
            case SUCCESS -> throw new StateConflict("order is already paid");
            case NOTPAY -> withState(TradeState.CLOSED, null, null);
        };
    }

    private SimOrder withState(TradeState state, String newTransactionId, String newTimeEnd) {
        return new SimOrder(mchId, appId, outTradeNo, body, totalFee, feeType, tradeType, productId,
                attach, deviceInfo, notifyUrl, spbillCreateIp, prepayId, codeUrl, timeStart,
                state, newTransactionId, newTimeEnd);
    }
}
