package io.paygate.canonical;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An event for a final outcome, written to the outbox by the ledger in the transition's transaction. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PaymentEvent(
        String eventId,
        String type,
        String merchant,
        String provider,
        String orderId,
        PaymentStatus status,
        Long amount,
        String providerTradeId,
        String channelTradeId,
        String paidAt,
        PaymentResult.RefundInfo refund,
        String attach,
        String storeId,
        Source source,
        String occurredAt) {

    public static final String PAYMENT_SUCCEEDED = "PAYMENT_SUCCEEDED";
    public static final String PAYMENT_FAILED = "PAYMENT_FAILED";
    public static final String PAYMENT_CLOSED = "PAYMENT_CLOSED";
    public static final String PAYMENT_REVOKED = "PAYMENT_REVOKED";
    public static final String REFUND_SUCCEEDED = "REFUND_SUCCEEDED";
    public static final String REFUND_FAILED = "REFUND_FAILED";
}
