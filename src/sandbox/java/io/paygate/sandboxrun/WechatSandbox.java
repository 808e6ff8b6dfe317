package io.paygate.sandboxrun;

import io.paygate.SandboxLauncher;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.sandbox.wechat.WechatSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WeChat Pay simulator for every merchant with WeChat settings, with its HTTPS port for
 * {@code /secapi}; its CA and the merchants' client certificates are made under
 * {@code <data>/sandbox/wechat-tls} (before the gateway opens the certificates).
 */
public final class WechatSandbox implements SandboxLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(WechatSandbox.class);

    @Override
    public void filesForCheck(GatewaySettings settings, MerchantDirectory merchants) throws IOException {
        List<String> mchIds = new ArrayList<>();
        for (MerchantProfile p : merchants.all()) {
            io.paygate.provider.wechat.WechatSettings w = p.settings(io.paygate.provider.wechat.WechatSettings.class);
            if (w != null) {
                mchIds.add(w.mchId());
            }
        }
        if (!mchIds.isEmpty()) {
            WechatSimulator.makeCertificates(settings.dataDir().resolve("sandbox").resolve("wechat-tls"), mchIds);
        }
    }

    @Override
    public List<AutoCloseable> start(GatewaySettings settings, MerchantDirectory merchants) throws IOException {
        List<WechatSimulator.Merchant> wechatMerchants = new ArrayList<>();
        for (MerchantProfile p : merchants.all()) {
            if (p.settings(io.paygate.provider.wechat.WechatSettings.class) != null) {
                wechatMerchants.add(new WechatSimulator.Merchant(p.settings(io.paygate.provider.wechat.WechatSettings.class).mchId(), p.settings(io.paygate.provider.wechat.WechatSettings.class).appId(), p.settings(io.paygate.provider.wechat.WechatSettings.class).apiKey()));
            }
        }
        if (wechatMerchants.isEmpty()) {
            return List.of();
        }
        Path sandboxDir = Files.createDirectories(settings.dataDir().resolve("sandbox"));
        WechatSimulator sim = new WechatSimulator(settings.intValue("gateway.sandbox.wechat.port", 0, 65535),
                wechatMerchants, sandboxDir.resolve("wechat-orders.json"),
                settings.intValue("gateway.sandbox.wechat.tls-port", 0, 65535), sandboxDir.resolve("wechat-tls"));
        sim.start();
        LOG.info("sandbox mode: WeChat Pay simulator on 127.0.0.1:{}, /secapi over TLS on 127.0.0.1:{} (CA {})",
                sim.port(), sim.tlsPort(), sim.caCertificate());
        return List.of(sim);
    }
}
