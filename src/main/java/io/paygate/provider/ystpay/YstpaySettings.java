package io.paygate.provider.ystpay;

import io.paygate.config.ProviderSettings;

/**
 * A merchant's {@code ystpay:} section of merchants.yaml (赢商通). The provider's document leaves
 * the request AES key, the padding of AES/CBC/NoPadding and the case of the inner md5(password)
 * open (docs/protocols/ystpay.md), so they are settings: {@code requestKey} first16 (default: key =
 * IV = the first 16 characters of the private key), utf8 (key = the whole private key's UTF-8
 * bytes, 16/24/32, IV = its first 16) or base64 (key = the base64-decoded private key, IV = its
 * first 16 bytes); {@code padding} zero (default) or pkcs7; {@code passwordMd5} upper (default) or lower.
 */
public record YstpaySettings(String baseUrl, String account, String password, String privateKey,
                             String requestKey, String padding, String passwordMd5) implements ProviderSettings {
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
