package io.paygate.canonical;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The canonical result. Also the body of {@code GET /api/v1/payments/{merchant}/{orderId}}, which
 * adds {@code history} and {@code deliveries}. Absent values are left out of the JSON.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PaymentResult(
        String requestId,
        String merchant,
        String provider,
        Operation operation,
        String orderId,
        PaymentStatus status,
        String providerTradeId,
        String channelTradeId,
        Long amount,
        Long paidAmount,
        Long couponAmount,
        String paidAt,
        Action action,
        List<RefundInfo> refunds,
        PaymentError error,
        String attach,
        String storeId,
        List<HistoryEntry> history,
        List<DeliveryEntry> deliveries) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Action(String codeUrl, String payUrl, String prepayId, Object payInfo) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RefundInfo(String refundId, String providerRefundId, Long amount, String status, String refundedAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HistoryEntry(PaymentStatus status, String at, Source source) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryEntry(String eventId, int attempt, String at, String outcome, Integer httpStatus) {
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.requestId = requestId;
        b.merchant = merchant;
        b.provider = provider;
        b.operation = operation;
        b.orderId = orderId;
        b.status = status;
        b.providerTradeId = providerTradeId;
        b.channelTradeId = channelTradeId;
        b.amount = amount;
        b.paidAmount = paidAmount;
        b.couponAmount = couponAmount;
        b.paidAt = paidAt;
        b.action = action;
        b.refunds = refunds;
        b.error = error;
        b.attach = attach;
        b.storeId = storeId;
        b.history = history;
        b.deliveries = deliveries;
        return b;
    }

    /** Fills the identifying fields from the request this answers. */
    public static Builder answering(PaymentRequest r) {
        return builder().requestId(r.requestId()).merchant(r.merchant()).provider(r.provider())
                .operation(r.operation()).orderId(r.orderId());
    }

    public static final class Builder {
        private String requestId;
        private String merchant;
        private String provider;
        private Operation operation;
        private String orderId;
        private PaymentStatus status;
        private String providerTradeId;
        private String channelTradeId;
        private Long amount;
        private Long paidAmount;
        private Long couponAmount;
        private String paidAt;
        private Action action;
        private List<RefundInfo> refunds;
        private PaymentError error;
        private String attach;
        private String storeId;
        private List<HistoryEntry> history;
        private List<DeliveryEntry> deliveries;

        public Builder requestId(String v) { requestId = v; return this; }
        public Builder merchant(String v) { merchant = v; return this; }
        public Builder provider(String v) { provider = v; return this; }
        public Builder operation(Operation v) { operation = v; return this; }
        public Builder orderId(String v) { orderId = v; return this; }
        public Builder status(PaymentStatus v) { status = v; return this; }
        public Builder providerTradeId(String v) { providerTradeId = v; return this; }
        public Builder channelTradeId(String v) { channelTradeId = v; return this; }
        public Builder amount(Long v) { amount = v; return this; }
        public Builder paidAmount(Long v) { paidAmount = v; return this; }
        public Builder couponAmount(Long v) { couponAmount = v; return this; }
        public Builder paidAt(String v) { paidAt = v; return this; }
        public Builder action(Action v) { action = v; return this; }
        public Builder refunds(List<RefundInfo> v) { refunds = v; return this; }
        public Builder error(PaymentError v) { error = v; return this; }
        public Builder attach(String v) { attach = v; return this; }
        public Builder storeId(String v) { storeId = v; return this; }
        public Builder history(List<HistoryEntry> v) { history = v; return this; }
        public Builder deliveries(List<DeliveryEntry> v) { deliveries = v; return this; }

        public PaymentResult build() {
            return new PaymentResult(requestId, merchant, provider, operation, orderId, status, providerTradeId,
                    channelTradeId, amount, paidAmount, couponAmount, paidAt, action, refunds, error, attach, storeId,
                    history, deliveries);
        }
    }
}
