package io.paygate.store;

import io.paygate.canonical.PaymentStatus;
import java.time.Instant;

/** One stored order, as the ledger holds it. */
public record OrderRecord(
        String merchant,
        String orderId,
        String provider,
        String method,
        String channel,
        Long amount,
        String subject,
        String attach,
        String storeId,
        String deviceId,
        String notifyUrl,
        Instant expireAt,
        PaymentStatus status,
        String providerTradeId,
        String channelTradeId,
        Long paidAmount,
        Long couponAmount,
        Instant paidAt,
        Instant createdAt,
        Instant updatedAt,
        int version) {

    /** What a provider call about this order needs to know of it. */
    public io.paygate.provider.OrderSnapshot snapshot() {
        return new io.paygate.provider.OrderSnapshot(amount, providerTradeId, method);
    }
}
