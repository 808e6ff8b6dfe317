package io.paygate.provider.ystpay;

import io.paygate.canonical.Channel;

/**
 * What the store bean {@code ystpaySequences} found or numbered for one Ystpay call (the template's
 * {@code prepare} step, routes/ystpay.yaml), left as a note on the {@link io.paygate.provider.ProviderCall}
 * for the request builder, the answer's check and the result mapper (decision 0006).
 *
 * @param reqSeq        this request's number; null when the call cannot be made
 * @param oriSeq        the number of the request this one is about: the order's payment (QUERY,
 *                      REVERSE) or the refund (REFUND_QUERY); null for PAY and REFUND
 * @param barcode       the order is a barcode (MICRO) payment: which query to send, what status W
 *                      means, whether REVERSE applies
 * @param channel       the order's wallet as stored (the answer's, else the request's), or null
 * @param transSeq      Ystpay's trans_seq of the order, once an answer (or the ledger) gave it
 * @param refundId      the refund asked about (REFUND_QUERY: the named one, else the order's latest)
 * @param refundAmount  that refund's amount as sent (REFUND_QUERY)
 * @param missing       what the store lacks, so the call cannot be made; null when it can
 * @param earlierAmount with {@link Missing#REFUND_AMOUNT}: the amount the refundId was sent with
 */
public record YstpayNumbers(String reqSeq, String oriSeq, boolean barcode, Channel channel, String transSeq,
                            String refundId, Long refundAmount, Missing missing, Long earlierAmount) {

    /** Why the store cannot number the call. */
    public enum Missing {
        /** No payment of the order was sent by this gateway. */
        ORDER,
        /** The order's trans_seq is not known yet (no paid answer so far). */
        TRANS_SEQ,
        /** No refund of the order (or none of that refundId) was sent by this gateway. */
        REFUND,
        /** The refundId was sent before with another amount. */
        REFUND_AMOUNT
    }

    /** A PAY: its new number. */
    public static YstpayNumbers payment(String reqSeq, boolean barcode, Channel channel) {
        return new YstpayNumbers(reqSeq, null, barcode, channel, null, null, null, null, null);
    }

    /** A call about an order the store does not know. */
    public static YstpayNumbers unknownOrder() {
        return new YstpayNumbers(null, null, false, null, null, null, null, Missing.ORDER, null);
    }
}
