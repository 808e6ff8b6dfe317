package io.paygate.provider.ystpay;

import io.paygate.canonical.Channel;

/**
 * What a successful Ystpay answer told that the store keeps (the template's {@code record} step,
 * {@code ystpaySequences.recordAnswer}): left as a note on the call by the connector's result
 * mapper, only from a verified answer. Any value may be null.
 *
 * @param transSeq  the order's trans_seq (PAY, QUERY)
 * @param channel   the wallet that paid (PAY, QUERY)
 * @param refundSeq Ystpay's number of the refund (REFUND, REFUND_QUERY)
 */
public record YstpayAnswered(String transSeq, Channel channel, String refundSeq) {

    /** Nothing to keep. */
    public boolean isEmpty() {
        return transSeq == null && channel == null && refundSeq == null;
    }
}
