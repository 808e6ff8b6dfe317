package io.paygate.provider.pooul;

import io.paygate.config.GatewaySettings;
import io.paygate.config.PemKeys;
import io.paygate.config.ProviderSettings;
import io.paygate.config.SettingsSection;
import io.paygate.provider.ProviderModule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Pooul, classic (MD5) and API v2 (RS256 JWT), as a provider module (routes/pooul.yaml, docs/protocols/pooul.md). */
public final class PooulModule implements ProviderModule {

    @Override
    public String name() {
        return "pooul";
    }

    /** Pooul's pay types (PooulPayTypes) name WeChat, Alipay and QQ wallets. */
    @Override
    public java.util.Set<io.paygate.canonical.Channel> channels() {
        return java.util.EnumSet.of(io.paygate.canonical.Channel.WECHAT, io.paygate.canonical.Channel.ALIPAY,
                io.paygate.canonical.Channel.QQ);
    }

    @Override
    public Map<String, String> defaults() {
        return Map.of(
                // spbill_create_ip of calls the gateway makes itself.
                "gateway.pooul.server-ip", "127.0.0.1",
                // Pooul v2: a barcode payment may be reversed no earlier than 15 s after it was made.
                "gateway.pooul.micro.reverse-after", "15",
                // The sandbox simulator's port (sandbox mode only).
                "gateway.sandbox.pooul.port", "8093");
    }

    @Override
    public ProviderSettings settings(SettingsSection s) {
        s.onlyKeys(Set.of("baseUrl", "merchantId", "api", "key", "privateKey", "platformPublicKey", "previousKey",
                "previousKeyUntil"));
        String baseUrl = s.url("baseUrl", true);
        String api = s.required("api");
        if (!api.equals("classic") && !api.equals("v2")) {
            throw s.problem("api", "expected classic or v2, got '" + api + "'");
        }
        String md5Key = api.equals("classic") ? s.required("key") : s.optional("key");
        String privateKey = api.equals("v2") ? s.required("privateKey") : s.optional("privateKey");
        String publicKey = api.equals("v2") ? s.required("platformPublicKey") : s.optional("platformPublicKey");
        java.security.interfaces.RSAPrivateKey merchantKey = null;
        java.security.interfaces.RSAPublicKey platformKey = null;
        try {
            if (privateKey != null) {
                merchantKey = PemKeys.privateKey(Path.of(s.path(privateKey)));
            }
        } catch (PemKeys.KeyProblem e) {
            throw s.problem("privateKey", "file " + s.path(privateKey) + " " + e.getMessage());
        }
        try {
            if (publicKey != null) {
                platformKey = PemKeys.publicKey(Path.of(s.path(publicKey)));
            }
        } catch (PemKeys.KeyProblem e) {
            throw s.problem("platformPublicKey", "file " + s.path(publicKey) + " " + e.getMessage());
        }
        // A classic key rotation's previous MD5 key, for notifications only, until an instant with its zone.
        io.paygate.config.PreviousKey previous = s.previousKey("previousKey", "previousKeyUntil");
        if (previous != null && !api.equals("classic")) {
            throw s.problem("previousKey", "only for api: classic (the MD5 key)");
        }
        return new PooulSettings(baseUrl, s.required("merchantId"), api, md5Key, privateKey, publicKey, merchantKey,
                platformKey, previous);
    }

    @Override
    public Parts start(Context context) {
        GatewaySettings s = context.settings();
        PooulConnector connector = new PooulConnector(context.publicBaseUrl(), s.get("gateway.pooul.server-ip"), context.clock());
        // A v2 refund holds its order for its three calls; another refund of the order waits that long.
        Duration refundWait = s.seconds(s.has("gateway.pooul.read-timeout") ? "gateway.pooul.read-timeout"
                : "gateway.provider.read-timeout").multipliedBy(3);
        return new Parts(connector, new PooulNotifyCodec(context.clock()), Map.of(
                "pooulConnector", connector,
                "pooulMapping", new PooulMapping(),
                "pooulRefundHolds", new io.paygate.provider.pooul.store.RefundHolds(new io.paygate.store.Leases(context.database(), context.clock()),
                        context.clock(), refundWait),
                "pooul-classic", new PooulClassicFormat(),
                "pooul-v2", new PooulV2Format()));
    }
}
