package io.paygate;

import io.paygate.api.Health;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.config.MerchantsFile;
import io.paygate.sandbox.pooul.PooulSimulator;
import io.paygate.sandbox.wechat.WechatSimulator;
import io.paygate.broker.Messaging;
import io.paygate.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the gateway from its settings: the store, the beans the routes call by name, the sandbox
 * simulators when enabled, and Camel Main with routes loaded from the routes folder (outside the
 * jar, so ops change a route without a rebuild). The registry is visible here in one place.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewaySettings settings;
    private final MerchantDirectory merchants;
    private final Database db;
    private final Main main;
    private final List<AutoCloseable> sandboxes = new ArrayList<>();
    private volatile Messaging messaging;

    private Gateway(GatewaySettings settings, MerchantDirectory merchants) {
        this.settings = settings;
        this.merchants = merchants;
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new io.paygate.config.ConfigException("GATEWAY_DATA_DIR " + settings.dataDir() + ": cannot be created: " + e.getMessage());
        }
        String url = settings.get("gateway.store.url").isBlank() ? Database.embeddedUrl(settings.dataDir())
                : settings.get("gateway.store.url");
        this.db = new Database(url, settings.get("gateway.store.user"), settings.get("gateway.store.password"),
                settings.intValue("gateway.store.pool-size", 1, 200));
        this.main = new Main();
    }

    /** Reads and checks the configuration; throws {@link io.paygate.config.ConfigException} naming file and key. */
    public static Gateway configure(java.util.Map<String, String> env, Properties system) {
        GatewaySettings settings = GatewaySettings.load(env, system);
        if (settings.bool("gateway.sandbox.enabled")) {
            provisionSandboxKeys(settings);
        }
        MerchantDirectory merchants = MerchantsFile.load(settings.configDir(), settings.dataDir(), env);
        if (!Files.isDirectory(settings.routesDir())) {
            throw new io.paygate.config.ConfigException("GATEWAY_ROUTES_DIR " + settings.routesDir() + ": not a folder");
        }
        return new Gateway(settings, merchants);
    }

    /** Starts everything and blocks until the JVM is asked to stop. */
    public void run() throws Exception {
        startSandboxes();
        checkCertificates();
        Messaging messaging = Messaging.start(settings, merchants);
        this.messaging = messaging;
        GatewayBeans beans = new GatewayBeans(settings, merchants, db);
        beans.bindAll(main::bind);
        beans.bindMessaging(main::bind, messaging, settings);
        Health health = beans.health();
        Properties props = GatewayBeans.camelProperties(settings);
        props.setProperty("camel.main.routes-include-pattern", "file:" + settings.routesDir() + "/*.yaml");
        main.setInitialProperties(props);
        main.configure().withRoutesIncludePattern("file:" + settings.routesDir() + "/*.yaml");
        main.configure().httpServer().withEnabled(true)
                .withHost(settings.get("gateway.http.host"))
                .withPort(settings.intValue("gateway.http.port", 0, 65535))
                .withMaxBodySize(settings.intValue("gateway.http.max-body-bytes", 1024, 16 * 1024 * 1024));
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                // Stopped by Camel after the routes, so no consumer outlives the broker.
                try {
                    m.getCamelContext().addService(new org.apache.camel.support.service.ServiceSupport() {
                        @Override
                        protected void doStop() {
                            messaging.close();
                        }
                    }, true, true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void afterStart(BaseMainSupport m) {
                health.markStarted();
                LOG.info("payment gateway ready on {}:{} (config {}, routes {}, data {})", settings.get("gateway.http.host"),
                        settings.get("gateway.http.port"), settings.configDir(), settings.routesDir(), settings.dataDir());
            }

            @Override
            public void beforeStop(BaseMainSupport m) {
                health.markStopping();
            }
        });
        main.run();
    }

    /**
     * The Pooul sandbox's platform key pair and a demo merchant key pair, in
     * {@code <data>/sandbox/pooul/}, made before the merchants are read: the shipped sandox
     * merchants name these files (config/merchants.yaml).
     */
    private static void provisionSandboxKeys(GatewaySettings settings) {
        java.nio.file.Path dir = settings.dataDir().resolve("sandbox").resolve("pooul");
        try {
            PooulSimulator.platformKeys(dir);
            PooulSimulator.demoMerchantKeys(dir);
        } catch (IOException e) {
            throw new io.paygate.config.ConfigException("sandbox keys in " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Each provider module checks its merchants' settings at start-up (after the sandbox has made its
     * own files): a client certificate with a wrong path or password is a configuration error naming
     * the merchant's key, not a failed first refund.
     */
    private void checkCertificates() {
        String file = settings.configDir().resolve(MerchantsFile.FILE).toString();
        for (MerchantProfile p : merchants.all()) {
            p.providers().forEach((name, section) -> io.paygate.provider.ProviderModules.byName(name).ifPresent(m ->
                    m.check(p, section.settings(), (key, reason) -> new io.paygate.config.ConfigException(file,
                            "merchants." + p.id() + "." + name + "." + key, reason))));
        }
    }

    private void startSandboxes() throws IOException {
        if (!settings.bool("gateway.sandbox.enabled")) {
            return;
        }
        startPooulSandbox();
        List<WechatSimulator.Merchant> wechatMerchants = new ArrayList<>();
        for (MerchantProfile p : merchants.all()) {
            if (p.settings(io.paygate.provider.wechat.WechatSettings.class) != null) {
                wechatMerchants.add(new WechatSimulator.Merchant(p.settings(io.paygate.provider.wechat.WechatSettings.class).mchId(), p.settings(io.paygate.provider.wechat.WechatSettings.class).appId(), p.settings(io.paygate.provider.wechat.WechatSettings.class).apiKey()));
            }
        }
        if (!wechatMerchants.isEmpty()) {
            Files.createDirectories(settings.dataDir().resolve("sandbox"));
            Path sandboxDir = settings.dataDir().resolve("sandbox");
            WechatSimulator sim = new WechatSimulator(settings.intValue("gateway.sandbox.wechat.port", 0, 65535),
                    wechatMerchants, sandboxDir.resolve("wechat-orders.json"),
                    settings.intValue("gateway.sandbox.wechat.tls-port", 0, 65535), sandboxDir.resolve("wechat-tls"));
            sim.start();
            sandboxes.add(sim);
            LOG.info("sandbox mode: WeChat Pay simulator on 127.0.0.1:{}, /secapi over TLS on 127.0.0.1:{} (CA {})",
                    sim.port(), sim.tlsPort(), sim.caCertificate());
        }
        List<io.paygate.sandbox.ystpay.YstpaySimulator.Merchant> ystpayMerchants = new ArrayList<>();
        String base = settings.get("gateway.public-base-url").replaceAll("/+$", "");
        for (MerchantProfile p : merchants.all()) {
            if (p.settings(io.paygate.provider.ystpay.YstpaySettings.class) != null) {
                io.paygate.provider.ystpay.YstpaySettings y = p.settings(io.paygate.provider.ystpay.YstpaySettings.class);
                // The notify URL ops would register with Ystpay for this merchant.
                ystpayMerchants.add(new io.paygate.sandbox.ystpay.YstpaySimulator.Merchant(y.account(), y.password(),
                        y.privateKey(), y.requestKey(), "pkcs7".equals(y.padding()), "lower".equals(y.passwordMd5()),
                        base + "/notify/ystpay/" + p.id()));
            }
        }
        if (!ystpayMerchants.isEmpty()) {
            io.paygate.sandbox.ystpay.YstpaySimulator sim = new io.paygate.sandbox.ystpay.YstpaySimulator(
                    settings.intValue("gateway.sandbox.ystpay.port", 0, 65535), ystpayMerchants);
            sim.start();
            sandboxes.add(sim);
            LOG.info("sandbox mode: Ystpay simulator on 127.0.0.1:{}{}", sim.port(),
                    io.paygate.sandbox.ystpay.YstpaySimulator.API_PATH);
        }
    }

    /** Pooul merchants whose baseUrl is the sandbox's port: classic by MD5 key, v2 by their public key. */
    private void startPooulSandbox() throws IOException {
        int port = settings.intValue("gateway.sandbox.pooul.port", 0, 65535);
        java.nio.file.Path dir = settings.dataDir().resolve("sandbox").resolve("pooul");
        java.security.KeyPair platform = PooulSimulator.platformKeys(dir);
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
                java.security.interfaces.RSAPrivateCrtKey k = (java.security.interfaces.RSAPrivateCrtKey) s.merchantKey();
                try {
                    pooulMerchants.add(PooulSimulator.Merchant.v2(s.merchantId(), java.security.KeyFactory.getInstance("RSA")
                            .generatePublic(new java.security.spec.RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()))));
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                pooulMerchants.add(PooulSimulator.Merchant.classic(s.merchantId(), s.key()));
            }
        }
        if (!pooulMerchants.isEmpty()) {
            PooulSimulator sim = new PooulSimulator(port, pooulMerchants, platform);
            sim.start();
            sandboxes.add(sim);
            LOG.info("sandbox mode: Pooul simulator (classic and v2) on 127.0.0.1:{}", sim.port());
        }
    }

    @Override
    public void close() {
        if (messaging != null) {
            messaging.close();
        }
        for (AutoCloseable s : sandboxes) {
            try {
                s.close();
            } catch (Exception e) {
                LOG.warn("sandbox did not stop cleanly: {}", e.toString());
            }
        }
        db.close();
    }
}
