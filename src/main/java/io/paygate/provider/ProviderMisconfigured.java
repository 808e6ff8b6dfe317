package io.paygate.provider;

/**
 * The gateway cannot make the call as the merchant is configured (a client certificate that is
 * missing, unreadable or has the wrong password). Nothing was sent to the provider. The message
 * names the file and merchant, never a secret.
 */
public final class ProviderMisconfigured extends RuntimeException {
    public ProviderMisconfigured(String message) {
        super(message);
    }
}
