package io.paygate.provider;

import io.paygate.canonical.PaymentError;

/**
 * Thrown by a connector before anything is sent: the call cannot be made (an order the provider
 * cannot be asked about, say). The provider call ends in a result carrying {@link #error()}.
 */
public final class CallRefused extends RuntimeException {
    private final transient PaymentError error;

    public CallRefused(PaymentError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public PaymentError error() {
        return error;
    }
}
