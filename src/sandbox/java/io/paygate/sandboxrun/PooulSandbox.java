package io.paygate.sandboxrun;

import io.paygate.SandboxLauncher;
import io.paygate.config.ConfigException;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.sandbox.pooul.PooulSimulator;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Pooul simulator, classic and v2 on one port, for the merchants whose baseUrl is its port. */
public final class PooulSandbox implements SandboxLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(PooulSandbox.class);

    private static Path dir(GatewaySettings settings) {
        return settings.dataDir().resolve("sandbox").resolve("pooul");
    }

    /**
     * The simulator's platform key pair and a demo merchant key pair in {@code <data>/sandbox/pooul/},
     * made before the merchants are read: the shipped sandbox merchants name these files
     * (config/merchants.yaml).
     */
    @Override
    public void beforeMerchants(GatewaySettings settings) {
        Path dir = dir(settings);
        // Two RSA-2048 keys on the first start: made side by side, each takes a cold JVM a while.
        java.util.concurrent.CompletableFuture<Void> merchantKeys = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                PooulSimulator.demoMerchantKeys(dir);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            PooulSimulator.platformKeys(dir);
            merchantKeys.join();
        } catch (IOException e) {
            throw new ConfigException("sandbox keys in " + dir + ": " + e.getMessage());
        } catch (java.util.concurrent.CompletionException e) {
            throw new ConfigException("sandbox keys in " + dir + ": " + e.getCause().getMessage());
        }
    }

    /** Classic merchants by their MD5 key, v2 merchants by their public key. */
    @Override
    public List<AutoCloseable> start(GatewaySettings settings, MerchantDirectory merchants) throws IOException {
        int port = settings.intValue("gateway.sandbox.pooul.port", 0, 65535);
        Path dir = dir(settings);
        KeyPair platform = PooulSimulator.platformKeys(dir);
        List<PooulSimulator.Merchant> pooulMerchants = new ArrayList<>();
        for (MerchantProfile p : merchants.all()) {
            io.paygate.provider.pooul.PooulSettings s = p.settings(io.paygate.provider.pooul.PooulSettings.class);
            if (s == null || !s.baseUrl().matches("https?://(127\\.0\\.0\\.1|localhost):" + port)) {
                continue;
            }
            if (s.v2()) {
                if (!s.platformKey().equals(platform.getPublic())) {
                    LOG.warn("sandbox: Pooul merchant {} names a platformPublicKey that is not the sandbox's ({}); "
                            + "its answers will fail verification", p.id(), dir.resolve("platform-public.pem"));
                }
                RSAPrivateCrtKey k = (RSAPrivateCrtKey) s.merchantKey();
                try {
                    pooulMerchants.add(PooulSimulator.Merchant.v2(s.merchantId(), KeyFactory.getInstance("RSA")
                            .generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()))));
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                pooulMerchants.add(PooulSimulator.Merchant.classic(s.merchantId(), s.key()));
            }
        }
        if (pooulMerchants.isEmpty()) {
            return List.of();
        }
        PooulSimulator sim = new PooulSimulator(port, pooulMerchants, platform);
        sim.start();
        LOG.info("sandbox mode: Pooul simulator (classic and v2) on 127.0.0.1:{}", sim.port());
        return List.of(sim);
    }
}
