package io.paygate.provider.wechat;

import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantProfile;
import io.paygate.config.ProviderSettings;
import io.paygate.config.SettingsSection;
import io.paygate.provider.ProviderMisconfigured;
import io.paygate.provider.ProviderModule;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** WeChat Pay API v2 as a provider module (routes/wechat.yaml, docs/protocols/wechat.md). */
public final class WechatModule implements ProviderModule {

    @Override
    public String name() {
        return "wechat";
    }

    /** WeChat Pay serves its own wallet only. */
    @Override
    public java.util.Set<io.paygate.canonical.Channel> channels() {
        return java.util.EnumSet.of(io.paygate.canonical.Channel.WECHAT);
    }

    @Override
    public Map<String, String> defaults() {
        return Map.ofEntries(
                // spbill_create_ip of calls the gateway makes itself (NATIVE, barcode).
                Map.entry("gateway.wechat.server-ip", "127.0.0.1"),
                // recall=Y asks to reverse again: how often, and how long to wait between calls.
                Map.entry("gateway.wechat.reverse-calls", "5"),
                Map.entry("gateway.wechat.reverse-recall-delay-ms", "1000"),
                // WeChat's documented limits: closeorder not before 5 minutes after the order; a
                // barcode payment still paying is queried first after 5 s, then every 10 s, for up
                // to 30-45 s (docs/protocols/wechat.md).
                Map.entry("gateway.wechat.order.min-close-age", "300"),
                Map.entry("gateway.wechat.micro.poll-delay", "5"),
                Map.entry("gateway.wechat.micro.poll-interval", "10"),
                Map.entry("gateway.wechat.micro.poll-limit", "45"),
                // The sandbox simulator's ports (sandbox mode only).
                Map.entry("gateway.sandbox.wechat.port", "8091"),
                Map.entry("gateway.sandbox.wechat.tls-port", "8092"));
    }

    @Override
    public ProviderSettings settings(SettingsSection s) {
        s.onlyKeys(Set.of("baseUrl", "secapiBaseUrl", "appId", "mchId", "apiKey", "signType", "subMchId", "subAppId",
                "certificate", "previousApiKey", "previousApiKeyUntil"));
        String baseUrl = s.url("baseUrl", true);
        String signType = s.optional("signType");
        if (signType == null) {
            signType = "MD5";
        } else if (!signType.equals("MD5") && !signType.equals("HMAC-SHA256")) {
            throw s.problem("signType", "expected MD5 or HMAC-SHA256, got '" + signType + "'");
        }
        String secapiBaseUrl = s.url("secapiBaseUrl", false);
        String mchId = s.required("mchId");
        String certPath = null;
        String certPassword = null;
        String serverCa = null;
        if (s.has("certificate")) {
            // The merchant's PKCS12 client certificate (apiclient_cert.p12) for /secapi calls; its
            // password is the mch_id unless given. Relative paths are read from the config folder.
            SettingsSection c = s.section("certificate");
            c.onlyKeys(Set.of("path", "password", "serverCa"));
            certPath = c.path(c.required("path"));
            certPassword = c.optional("password");
            if (certPassword == null) {
                certPassword = mchId;
            }
            String ca = c.optional("serverCa");
            serverCa = ca == null ? null : c.path(ca);
        }
        // A rotation's previous key, for notifications only, until an instant with its zone.
        io.paygate.config.PreviousKey previous = s.previousKey("previousApiKey", "previousApiKeyUntil");
        return new WechatSettings(baseUrl, s.required("appId"), mchId, s.required("apiKey"), signType,
                s.optional("subMchId"), s.optional("subAppId"), certPath, certPassword, secapiBaseUrl, serverCa,
                previous == null ? null : previous.key(), previous == null ? null : previous.until());
    }

    /** Client certificates are opened at start-up: a wrong path or password is a configuration error. */
    @Override
    public void check(MerchantProfile profile, ProviderSettings settings, SettingsProblem problem) {
        try {
            WechatClientCertificates.check((WechatSettings) settings, profile.id());
        } catch (ProviderMisconfigured e) {
            throw problem.at("certificate", e.getMessage());
        }
    }

    @Override
    public Parts start(Context context) {
        GatewaySettings s = context.settings();
        // Checked here; the route wechat-reverse waits this long between reverse calls.
        s.intValue("gateway.wechat.reverse-recall-delay-ms", 0, 60_000);
        WechatConnector connector = new WechatConnector(context.publicBaseUrl(), s.get("gateway.wechat.server-ip"),
                s.intValue("gateway.wechat.reverse-calls", 1, 20));
        Map<String, Object> beans = new LinkedHashMap<>();
        beans.put("wechatConnector", connector);
        beans.put("wechatRefunds", new WechatRefundCalls(connector));
        beans.put("wechatCertificates", new WechatClientCertificates());
        // One verifying data format per answer type (the `answer` of each operation in routes/wechat.yaml).
        beans.put("wechatUnifiedOrderAnswer", new WechatAnswerFormat<>(UnifiedOrderAnswer.class));
        beans.put("wechatMicropayAnswer", new WechatAnswerFormat<>(MicropayAnswer.class));
        beans.put("wechatOrderQueryAnswer", new WechatAnswerFormat<>(OrderQueryAnswer.class));
        beans.put("wechatCloseOrderAnswer", new WechatAnswerFormat<>(CloseOrderAnswer.class));
        beans.put("wechatReverseAnswer", new WechatAnswerFormat<>(ReverseAnswer.class));
        beans.put("wechatRefundAnswer", new WechatAnswerFormat<>(RefundAnswer.class));
        beans.put("wechatRefundQueryAnswer", new WechatAnswerFormat<>(RefundQueryAnswer.class));
        return new Parts(connector, new WechatNotifications(context.clock()), beans);
    }
}
