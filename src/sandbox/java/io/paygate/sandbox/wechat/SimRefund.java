package io.paygate.sandbox.wechat;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One refund as the simulated WeChat Pay holds it, under WeChat's field names. Immutable, like
 * {@link SimOrder}; the {@link SimOrderStore} keeps refunds beside their orders.
 *
 * @param createdAt      {@code yyyyMMddHHmmss}, Beijing time
 * @param successTime    {@code yyyy-MM-dd HH:mm:ss}, Beijing time, as WeChat writes refund times;
 *                       set when the refund reaches a final state
 * @param notifyAttempts refund notifications sent so far (failed deliveries included)
 * @param notifyResult   what the last delivery gave: {@code delivered}, {@code pending},
 *                       {@code failed: ...}; null without notify_url or before any attempt
 */
record SimRefund(
        @JsonProperty("mch_id") String mchId,
        @JsonProperty("appid") String appId,
        @JsonProperty("out_trade_no") String outTradeNo,
        @JsonProperty("transaction_id") String transactionId,
        @JsonProperty("out_refund_no") String outRefundNo,
        @JsonProperty("refund_id") String refundId,
        @JsonProperty("total_fee") long totalFee,
        @JsonProperty("refund_fee") long refundFee,
        @JsonProperty("refund_desc") String refundDesc,
        @JsonProperty("notify_url") String notifyUrl,
        @JsonProperty("refund_status") RefundStatus refundStatus,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("success_time") String successTime,
        @JsonProperty("notify_attempts") int notifyAttempts,
        @JsonProperty("notify_result") String notifyResult) {

    /** Where the money of a successful refund went, as WeChat names it for balance payments. */
    static final String RECEIVED_BY = "支付用户的零钱";
    static final String REFUND_ACCOUNT = "REFUND_SOURCE_UNSETTLED_FUNDS";
    static final String REFUND_CHANNEL = "ORIGINAL";
    static final String REQUEST_SOURCE = "API";

    /** WeChat's refund_status values; every one but PROCESSING is final. */
    enum RefundStatus {
        PROCESSING, SUCCESS, REFUNDCLOSE, CHANGE;

        boolean isFinal() {
            return this != PROCESSING;
        }
    }

    SimRefund {
        Objects.requireNonNull(mchId, "mch_id");
        Objects.requireNonNull(outRefundNo, "out_refund_no");
        Objects.requireNonNull(refundStatus, "refund_status");
    }

    /** The refund in a final state; finishing it again in the same state changes nothing. */
    SimRefund finished(RefundStatus status, String at) {
        if (!status.isFinal()) {
            throw new IllegalArgumentException("not a final refund status: " + status);
        }
        if (refundStatus == status) {
            return this;
        }
        if (refundStatus.isFinal()) {
            throw new SimOrder.StateConflict("refund is already " + refundStatus);
        }
        return new SimRefund(mchId, appId, outTradeNo, transactionId, outRefundNo, refundId, totalFee, refundFee,
                refundDesc, notifyUrl, status, createdAt, at, notifyAttempts, notifyResult);
    }

    SimRefund notified(String result) {
        return new SimRefund(mchId, appId, outTradeNo, transactionId, outRefundNo, refundId, totalFee, refundFee,
                refundDesc, notifyUrl, refundStatus, createdAt, successTime, notifyAttempts + 1, result);
    }

    /** A repeated refund request is the same refund when it names the same order and amounts. */
    boolean sameTermsAs(SimRefund other) {
        return outTradeNo.equals(other.outTradeNo) && totalFee == other.totalFee && refundFee == other.refundFee;
    }
}
