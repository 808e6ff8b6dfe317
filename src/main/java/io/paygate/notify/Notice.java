package io.paygate.notify;

import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.PaymentStatus;
import java.time.Instant;

/**
 * What a verified notification says, in canonical terms. When {@code confirmByQuery} is set the
 * notification could not be verified on its own (a provider that does not sign it): only a QUERY's
 * answer may change the order.
 *
 * @param dedupeKey a key the provider keeps the same on every re-send of this notification
 */
public record Notice(Kind kind, boolean confirmByQuery, String orderId, PaymentStatus status, Long amount,
                     String providerTradeId, String channelTradeId, Long paidAmount, Long couponAmount,
                     Instant paidAt, String attach, RefundInfo refund, String dedupeKey) {

    public enum Kind { PAYMENT, REFUND }

    public static Notice confirmByQuery(Kind kind, String orderId, String dedupeKey) {
        return new Notice(kind, true, orderId, null, null, null, null, null, null, null, null, null, dedupeKey);
    }
}
