package io.paygate.provider.pooul;

import io.paygate.config.ProviderSettings;

/**
 * A merchant's {@code pooul:} section of merchants.yaml. {@code privateKey} and
 * {@code platformPublicKey} are the configured PEM file paths; the keys themselves are read once
 * at load ({@code merchantKey}, {@code platformKey}; API v2 only).
 */
public record PooulSettings(String baseUrl, String merchantId, String api, String key,
                            String privateKey, String platformPublicKey,
                            java.security.interfaces.RSAPrivateKey merchantKey,
                            java.security.interfaces.RSAPublicKey platformKey) implements ProviderSettings {
    public boolean v2() {
        return "v2".equals(api);
    }

    @Override
    public String toString() {
        return "PooulSettings[merchantId=" + merchantId + ", api=" + api + "]";
    }
}
