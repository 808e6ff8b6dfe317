package io.paygate.provider;

import io.paygate.canonical.ErrorCode;

/**
 * A provider's answer that must not be used: its signature failed our check, it names another
 * merchant, or it cannot be parsed. The gateway then does not know what the provider did.
 */
public final class AnswerRejected extends RuntimeException {
    private final ErrorCode code;

    public AnswerRejected(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
