package io.paygate.canonical;

/** The order's trade state, one enum for every provider (docs/status.md). */
public enum PaymentStatus {
    SUCCESS, NOTPAY, USERPAYING, CLOSED, REVOKED, REFUND, PAYERROR, UNKNOWN;

    /** UNKNOWN, NOTPAY and USERPAYING may still change on their own; the others are outcomes. */
    public boolean isFinal() {
        return this != UNKNOWN && this != NOTPAY && this != USERPAYING;
    }
}
