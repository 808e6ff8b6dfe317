package io.paygate.provider;

/**
 * The provider answered with an HTTP status that is not an answer of its API (a 5xx from its edge,
 * say): the gateway treats it like an unreachable provider.
 */
public final class ProviderHttpStatus extends RuntimeException {
    private final int status;

    public ProviderHttpStatus(String provider, int status) {
        super(provider + " answered HTTP " + status);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
