package io.paygate.provider.ystpay;

import io.paygate.provider.ystpay.wire.YstpayAnswer;

/**
 * A Ystpay answer that passed {@link YstpayAnswerFormat}: its envelope's signature verified with the
 * merchant's DSN, its data decrypted and read by the hardened parser, and found to answer this
 * request (req_seq) of this device (dsn). Only that data format makes one, so a result mapper that
 * takes it can never see an unverified answer.
 */
public final class YstpayVerified {
    private final YstpayAnswer answer;

    YstpayVerified(YstpayAnswer answer) {
        this.answer = java.util.Objects.requireNonNull(answer);
    }

    /** The decrypted, verified answer. */
    public YstpayAnswer answer() {
        return answer;
    }
}
