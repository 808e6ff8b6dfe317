package io.paygate.store;

import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import java.time.Instant;

/**
 * A status some source reported for an order, with the facts that came with it. Facts fill in
 * what the order does not know yet; they never overwrite a known value.
 */
public record Transition(String merchant, String orderId, PaymentStatus to, Source source,
                         String providerTradeId, String channelTradeId, Long paidAmount, Long couponAmount,
                         Instant paidAt, String note) {

    public static Transition of(String merchant, String orderId, PaymentStatus to, Source source) {
        return new Transition(merchant, orderId, to, source, null, null, null, null, null, null);
    }
}
