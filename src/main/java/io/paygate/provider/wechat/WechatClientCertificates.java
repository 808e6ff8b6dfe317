package io.paygate.provider.wechat;

import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderMisconfigured;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import io.paygate.route.RouteProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.ExchangeProperty;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.HttpsSupport;
import org.apache.hc.core5.reactor.ssl.SSLBufferMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The merchants' client certificates for WeChat's certificate endpoints ({@code /secapi/pay/reverse},
 * {@code /secapi/pay/refund}). Each merchant's PKCS12 file is read once and kept as its own pooled
 * TLS connection manager (TLS 1.2 or 1.3, the configured timeouts), bound in Camel's registry under
 * a name the call notes ({@link ClientPool}), which {@link WechatConnector#url} puts in the
 * endpoint as its {@code clientConnectionManager}: the certificate is presented on /secapi calls
 * only, every other call goes through the shared client without it.
 *
 * <p>The pool's name carries a fingerprint of the path, password, server CA and file content, and
 * the call's timeouts: a certificate file replaced on disk, or other timeouts, load it again under
 * a new name (and close the old pool). The password is never logged or put in a message.
 */
public final class WechatClientCertificates implements AutoCloseable {
    /** Note on the call: the registry name of the merchant's connection manager for /secapi. */
    record ClientPool(String name) {
    }

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    record Pool(String name, PoolingHttpClientConnectionManager manager) {
    }

    private final Map<String, Pool> pools = new ConcurrentHashMap<>();

    /**
     * The {@code prepare} step of a /secapi operation: binds the merchant's pool in Camel's registry
     * (loading it the first time) and notes its name on the call.
     */
    public void select(@ExchangeProperty(RouteProperties.CALL) ProviderCall call, CamelContext camel) {
        Pool pool = pool(call.merchant(), call.settings(WechatSettings.class), call.connectTimeout(), call.readTimeout());
        if (camel.getRegistry().lookupByName(pool.name()) == null) {
            camel.getRegistry().bind(pool.name(), pool.manager());
        }
        call.note(ClientPool.class, new ClientPool(pool.name()));
    }

    Pool pool(String merchant, WechatSettings w, java.time.Duration connectTimeout, java.time.Duration readTimeout) {
        if (w == null || w.certificatePath() == null) {
            throw new ProviderMisconfigured("merchant " + merchant + " has no WeChat Pay client certificate "
                    + "(wechat.certificate.path in merchants.yaml); refunds and reversals need it");
        }
        String name = "wechatSecapi-" + merchant + "-" + fingerprint(w) + "-" + connectTimeout.toMillis() + "-"
                + readTimeout.toMillis();
        return pools.compute(merchant, (id, old) -> {
            if (old != null && old.name().equals(name)) {
                return old;
            }
            // The new pool first: a certificate that cannot be opened (a file caught mid-rewrite)
            // throws here and leaves the working pool in place.
            Pool replacement = new Pool(name, manager(sslContext(merchant, w), Timeout.of(connectTimeout),
                    Timeout.of(readTimeout)));
            if (old != null) {
                old.manager().close();
            }
            return replacement;
        });
    }

    /**
     * Start-up check: opens the merchant's certificate (and server CA) once, so a wrong path or
     * password stops start-up instead of failing the first refund.
     *
     * @throws ProviderMisconfigured naming the merchant and file, never the password
     */
    public static void check(WechatSettings settings, String merchant) {
        if (settings != null && settings.certificatePath() != null) {
            sslContext(merchant, settings);
        }
    }

    /** Loads the merchant's key and certificate, and the server CA it trusts (the JVM's by default). */
    static SSLContext sslContext(String merchant, WechatSettings w) {
        Path file = Path.of(w.certificatePath());
        char[] password = w.certificatePassword() == null ? new char[0] : w.certificatePassword().toCharArray();
        KeyStore keys;
        try (InputStream in = Files.newInputStream(file)) {
            keys = KeyStore.getInstance("PKCS12");
            keys.load(in, password);
        } catch (NoSuchFileException e) {
            throw new ProviderMisconfigured("the WeChat Pay client certificate of merchant " + merchant
                    + " is missing: " + file);
        } catch (IOException | GeneralSecurityException e) {
            // A wrong password shows as an IOException from PKCS12; never say more than that.
            throw new ProviderMisconfigured("the WeChat Pay client certificate of merchant " + merchant + " (" + file
                    + ") could not be opened: wrong password, or not a PKCS12 file");
        }
        try {
            if (!keys.aliases().hasMoreElements() || !hasKey(keys)) {
                throw new ProviderMisconfigured("the WeChat Pay client certificate of merchant " + merchant + " (" + file
                        + ") holds no private key");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(w.certificateServerCa() == null ? null : caStore(merchant, Path.of(w.certificateServerCa())));
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new ProviderMisconfigured("the WeChat Pay client certificate of merchant " + merchant + " (" + file
                    + ") could not be used: " + e.getClass().getSimpleName());
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }

    private static boolean hasKey(KeyStore keys) throws GeneralSecurityException {
        for (String alias : java.util.Collections.list(keys.aliases())) {
            if (keys.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    private static KeyStore caStore(String merchant, Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new ProviderMisconfigured("the server CA file of merchant " + merchant + " holds no certificate: " + pem);
            }
            return trust;
        } catch (IOException | GeneralSecurityException e) {
            throw new ProviderMisconfigured("the server CA file of merchant " + merchant + " could not be read: " + pem);
        }
    }

    private static PoolingHttpClientConnectionManager manager(SSLContext ssl, Timeout connectTimeout, Timeout readTimeout) {
        return PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(new DefaultClientTlsStrategy(ssl, PROTOCOLS, null, SSLBufferMode.STATIC,
                        HttpsSupport.getDefaultHostnameVerifier()))
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(connectTimeout)
                        .setSocketTimeout(readTimeout).setTimeToLive(5, TimeUnit.MINUTES).build())
                .setMaxConnTotal(20)
                .setMaxConnPerRoute(10)
                .build();
    }

    /** Changes when the file's path, password or content change; reveals none of them. */
    private static String fingerprint(WechatSettings w) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(w.certificatePath().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(String.valueOf(w.certificatePassword()).getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(String.valueOf(w.certificateServerCa()).getBytes(StandardCharsets.UTF_8));
            try {
                md.update(Files.readAllBytes(Path.of(w.certificatePath())));
            } catch (IOException e) {
                // missing now: sslContext says so clearly
            }
            return HexFormat.of().formatHex(md.digest(), 0, 6);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        pools.values().forEach(p -> p.manager().close());
        pools.clear();
    }
}
