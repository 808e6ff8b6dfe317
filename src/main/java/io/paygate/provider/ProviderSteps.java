package io.paygate.provider;

/** Bean {@code providerSteps}: the template's default for an optional step (routes/provider-operations.yaml). */
public final class ProviderSteps {
    /** Does nothing: the operation has no such step. */
    public void none() {
    }
}
