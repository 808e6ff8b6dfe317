package io.paygate.sandboxrun;

import io.paygate.SandboxLauncher;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.sandbox.ystpay.YstpaySimulator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Ystpay simulator for every merchant with Ystpay settings, notifying the gateway's notify URL. */
public final class YstpaySandbox implements SandboxLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(YstpaySandbox.class);

    @Override
    public List<AutoCloseable> start(GatewaySettings settings, MerchantDirectory merchants) throws IOException {
        List<YstpaySimulator.Merchant> ystpayMerchants = new ArrayList<>();
        String base = settings.get("gateway.public-base-url").replaceAll("/+$", "");
        for (MerchantProfile p : merchants.all()) {
            if (p.settings(io.paygate.provider.ystpay.YstpaySettings.class) != null) {
                io.paygate.provider.ystpay.YstpaySettings y = p.settings(io.paygate.provider.ystpay.YstpaySettings.class);
                // The notify URL ops would register with Ystpay for this merchant.
                ystpayMerchants.add(new YstpaySimulator.Merchant(y.account(), y.password(),
                        y.privateKey(), y.requestKey(), "pkcs7".equals(y.padding()), "lower".equals(y.passwordMd5()),
                        base + "/notify/ystpay/" + p.id()));
            }
        }
        if (ystpayMerchants.isEmpty()) {
            return List.of();
        }
        YstpaySimulator sim = new YstpaySimulator(settings.intValue("gateway.sandbox.ystpay.port", 0, 65535), ystpayMerchants);
        sim.start();
        LOG.info("sandbox mode: Ystpay simulator on 127.0.0.1:{}{}", sim.port(), YstpaySimulator.API_PATH);
        return List.of(sim);
    }
}
