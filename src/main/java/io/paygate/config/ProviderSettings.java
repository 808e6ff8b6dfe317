package io.paygate.config;

/**
 * One provider's section of a merchant in {@code merchants.yaml}, as that provider's module reads it
 * (io.paygate.provider.ProviderModule). Implementations hold credentials: their {@code toString()}
 * never prints them.
 */
public interface ProviderSettings {

    /** The provider's base URL for this merchant, without a trailing slash. */
    String baseUrl();
}
