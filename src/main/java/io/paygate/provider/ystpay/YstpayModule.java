package io.paygate.provider.ystpay;

import io.paygate.config.ProviderSettings;
import io.paygate.config.SettingsSection;
import io.paygate.provider.ProviderModule;
import io.paygate.provider.ystpay.store.YstpaySequences;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/** Ystpay (赢商通) unitive.api as a provider module (routes/ystpay.yaml, docs/protocols/ystpay.md). */
public final class YstpayModule implements ProviderModule {

    @Override
    public String name() {
        return "ystpay";
    }

    @Override
    public Map<String, String> defaults() {
        // The sandbox simulator's port (sandbox mode only).
        return Map.of("gateway.sandbox.ystpay.port", "8094");
    }

    @Override
    public ProviderSettings settings(SettingsSection s) {
        s.onlyKeys(Set.of("baseUrl", "account", "password", "privateKey", "requestKey", "padding", "passwordMd5"));
        String baseUrl = s.url("baseUrl", true);
        String account = s.required("account");
        if (account.length() < 4 || account.length() > 20) {
            throw s.problem("account", "must be 4-20 characters (the device login account)");
        }
        String privateKey = s.required("privateKey");
        String requestKey = s.choice("requestKey", YstpaySettings.DEFAULT_REQUEST_KEY, Set.of("first16", "utf8", "base64"));
        int keyLength = switch (requestKey) {
            case "utf8" -> privateKey.getBytes(StandardCharsets.UTF_8).length;
            case "base64" -> base64Length(s, privateKey);
            default -> privateKey.getBytes(StandardCharsets.UTF_8).length >= 16 ? 16 : -1;
        };
        if (keyLength != 16 && keyLength != 24 && keyLength != 32) {
            // The length only, never the key.
            throw s.problem("privateKey", "gives an AES key of " + keyLength + " bytes with requestKey " + requestKey
                    + " (16, 24 or 32 needed; first16 needs at least 16 characters)");
        }
        return new YstpaySettings(baseUrl, account, s.required("password"), privateKey, requestKey,
                s.choice("padding", YstpaySettings.DEFAULT_PADDING, Set.of("zero", "pkcs7")),
                s.choice("passwordMd5", YstpaySettings.DEFAULT_PASSWORD_MD5, Set.of("upper", "lower")));
    }

    private static int base64Length(SettingsSection s, String value) {
        try {
            return java.util.Base64.getDecoder().decode(value.trim()).length;
        } catch (IllegalArgumentException e) {
            throw s.problem("privateKey", "is not base64 (requestKey base64 decodes it)");
        }
    }

    @Override
    public Parts start(Context context) {
        YstpayConnector connector = new YstpayConnector(context.clock());
        YstpaySequences sequences = new YstpaySequences(context.database(), context.clock());
        // Ystpay's notice names the payment by the gateway's own req_seq: the store resolves it.
        return new Parts(connector, new YstpayNotifyCodec(sequences::orderOfPaySeq), Map.of(
                "ystpayConnector", connector,
                "ystpaySequences", sequences,
                "ystpayAnswer", new YstpayAnswerFormat()));
    }
}
