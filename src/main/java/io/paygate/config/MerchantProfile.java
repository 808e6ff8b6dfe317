package io.paygate.config;

import java.util.List;

/**
 * One merchant from {@code config/merchants.yaml}. Holds credentials: {@link #toString()} never
 * prints them.
 */
public record MerchantProfile(
        String id,
        String provider,
        String apiToken,
        String callbackSecret,
        String notifyUrl,
        List<String> callbackHosts,
        List<Integer> retrySchedule,
        WechatSettings wechat,
        PooulSettings pooul,
        YstpaySettings ystpay) {

    public static final List<Integer> DEFAULT_RETRY_SCHEDULE = List.of(15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600);

    /** Does this profile carry settings for the provider? */
    public boolean supports(String providerName) {
        return switch (providerName) {
            case "wechat" -> wechat != null;
            case "pooul" -> pooul != null;
            case "ystpay" -> ystpay != null;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return "MerchantProfile[" + id + ", provider=" + provider + "]";
    }

    public record WechatSettings(String baseUrl, String appId, String mchId, String apiKey, String signType,
                                 String subMchId, String subAppId, String certificatePath, String certificatePassword,
                                 String secapiBaseUrl, String certificateServerCa) {
        /** Where the certificate calls go (/secapi/...): {@code secapiBaseUrl}, else {@code baseUrl}. */
        public String secapiUrl() {
            return secapiBaseUrl != null ? secapiBaseUrl : baseUrl;
        }

        @Override
        public String toString() {
            return "WechatSettings[mchId=" + mchId + ", appId=" + appId + ", signType=" + signType + "]";
        }
    }

    /**
     * {@code privateKey} and {@code platformPublicKey} are the configured PEM file paths; the keys
     * themselves are read once at load ({@code merchantKey}, {@code platformKey}; API v2 only).
     */
    public record PooulSettings(String baseUrl, String merchantId, String api, String key,
                                String privateKey, String platformPublicKey,
                                java.security.interfaces.RSAPrivateKey merchantKey,
                                java.security.interfaces.RSAPublicKey platformKey) {
        public boolean v2() {
            return "v2".equals(api);
        }

        @Override
        public String toString() {
            return "PooulSettings[merchantId=" + merchantId + ", api=" + api + "]";
        }
    }

    /**
     * Ystpay (赢商通). The provider's document leaves the request AES key, the padding of
     * AES/CBC/NoPadding and the case of the inner md5(password) open (docs/protocols/ystpay.md), so
     * they are settings: {@code requestKey} first16 (default: key = IV = the first 16 characters of
     * the private key), utf8 (key = the whole private key's UTF-8 bytes, 16/24/32, IV = its first 16)
     * or base64 (key = the base64-decoded private key, IV = its first 16 bytes); {@code padding}
     * zero (default) or pkcs7; {@code passwordMd5} upper (default) or lower.
     */
    public record YstpaySettings(String baseUrl, String account, String password, String privateKey,
                                 String requestKey, String padding, String passwordMd5) {
        public static final String DEFAULT_REQUEST_KEY = "first16";
        public static final String DEFAULT_PADDING = "zero";
        public static final String DEFAULT_PASSWORD_MD5 = "upper";

        public YstpaySettings(String baseUrl, String account, String password, String privateKey) {
            this(baseUrl, account, password, privateKey, DEFAULT_REQUEST_KEY, DEFAULT_PADDING, DEFAULT_PASSWORD_MD5);
        }

        @Override
        public String toString() {
            return "YstpaySettings[account=" + account + ", requestKey=" + requestKey + ", padding=" + padding
                    + ", passwordMd5=" + passwordMd5 + "]";
        }
    }
}
