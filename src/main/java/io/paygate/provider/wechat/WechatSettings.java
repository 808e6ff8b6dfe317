package io.paygate.provider.wechat;

import io.paygate.config.ProviderSettings;

/**
 * A merchant's {@code wechat:} section of merchants.yaml. {@code certificatePath} is the merchant's
 * PKCS12 client certificate for the /secapi calls (refund, reverse), opened at start-up.
 * {@code previousApiKey} (with {@code previousApiKeyUntil}) is the key before a rotation: WeChat
 * re-sends notifications for hours, so notifications signed (or, for refunds, encrypted) with it are
 * still accepted until that instant; every call the gateway makes signs with {@code apiKey} only.
 */
public record WechatSettings(String baseUrl, String appId, String mchId, String apiKey, String signType,
                             String subMchId, String subAppId, String certificatePath, String certificatePassword,
                             String secapiBaseUrl, String certificateServerCa, String previousApiKey,
                             java.time.Instant previousApiKeyUntil) implements ProviderSettings {

    /** Without a previous key (tests, and sections that name none). */
    public WechatSettings(String baseUrl, String appId, String mchId, String apiKey, String signType, String subMchId,
                          String subAppId, String certificatePath, String certificatePassword, String secapiBaseUrl,
                          String certificateServerCa) {
        this(baseUrl, appId, mchId, apiKey, signType, subMchId, subAppId, certificatePath, certificatePassword,
                secapiBaseUrl, certificateServerCa, null, null);
    }

    /**
     * The keys a notification may be signed with at {@code now}: {@code apiKey}, then the previous
     * key while its window lasts (strictly before {@code previousApiKeyUntil}).
     */
    public java.util.List<String> notificationKeys(java.time.Instant now) {
        return io.paygate.config.PreviousKey.inboundKeys(apiKey,
                previousApiKey == null ? null : new io.paygate.config.PreviousKey(previousApiKey, previousApiKeyUntil), now);
    }

    /** Where the certificate calls go (/secapi/...): {@code secapiBaseUrl}, else {@code baseUrl}. */
    public String secapiUrl() {
        return secapiBaseUrl != null ? secapiBaseUrl : baseUrl;
    }

    @Override
    public String toString() {
        return "WechatSettings[mchId=" + mchId + ", appId=" + appId + ", signType=" + signType + "]";
    }
}
