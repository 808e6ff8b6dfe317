package io.paygate.provider.wechat;

import io.paygate.config.ProviderSettings;

/**
 * A merchant's {@code wechat:} section of merchants.yaml. {@code certificatePath} is the merchant's
 * PKCS12 client certificate for the /secapi calls (refund, reverse), opened at start-up.
 */
public record WechatSettings(String baseUrl, String appId, String mchId, String apiKey, String signType,
                             String subMchId, String subAppId, String certificatePath, String certificatePassword,
                             String secapiBaseUrl, String certificateServerCa) implements ProviderSettings {
    /** Where the certificate calls go (/secapi/...): {@code secapiBaseUrl}, else {@code baseUrl}. */
    public String secapiUrl() {
        return secapiBaseUrl != null ? secapiBaseUrl : baseUrl;
    }

    @Override
    public String toString() {
        return "WechatSettings[mchId=" + mchId + ", appId=" + appId + ", signType=" + signType + "]";
    }
}
