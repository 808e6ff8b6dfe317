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
                            java.security.interfaces.RSAPublicKey platformKey,
                            io.paygate.config.PreviousKey previousKey) implements ProviderSettings {

    /** Without a previous key (tests, and sections that name none). */
    public PooulSettings(String baseUrl, String merchantId, String api, String key, String privateKey,
                         String platformPublicKey, java.security.interfaces.RSAPrivateKey merchantKey,
                         java.security.interfaces.RSAPublicKey platformKey) {
        this(baseUrl, merchantId, api, key, privateKey, platformPublicKey, merchantKey, platformKey, null);
    }

    /**
     * The classic MD5 keys a notification may be signed with at {@code now}: {@code key}, then during
     * a rotation's window {@code previousKey} (classic API only; calls sign with {@code key}).
     */
    public java.util.List<String> notificationKeys(java.time.Instant now) {
        return io.paygate.config.PreviousKey.inboundKeys(key, previousKey, now);
    }

    public boolean v2() {
        return "v2".equals(api);
    }

    @Override
    public String toString() {
        return "PooulSettings[merchantId=" + merchantId + ", api=" + api + "]";
    }
}
