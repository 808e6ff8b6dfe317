package io.paygate.provider.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.config.MerchantProfile;
import io.paygate.provider.wechat.WechatSettings;
import io.paygate.provider.ProviderMisconfigured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading a merchant's PKCS12 client certificate. The file is made by the JDK's keytool (an
 * independent tool), as a merchant's apiclient_cert.p12 would be.
 */
class WechatClientCertificatesTest {
    private static final String PASSWORD = "1900000109";

    @TempDir
    static Path dir;
    private static Path p12;

    @BeforeAll
    static void makeCertificate() throws Exception {
        p12 = dir.resolve("apiclient_cert.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "apiclient", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=1900000109, O=Test Merchant", "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", PASSWORD).redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
    }

    private static MerchantProfile profile(String path, String password, String serverCa) {
        return new MerchantProfile("store-9", "wechat", "token-store-9-000000", null, null, List.of(),
                MerchantProfile.DEFAULT_RETRY_SCHEDULE, java.util.Map.of("wechat", MerchantProfile.Section.of(new WechatSettings("https://api.mch.weixin.qq.com", "wxapp",
                "1900000109", "k".repeat(32), "MD5", null, null, path, password, null, serverCa))));
    }

    private static WechatClientCertificates.Pool pool(WechatClientCertificates certs, MerchantProfile p) {
        return certs.pool(p.id(), p.settings(WechatSettings.class), java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1));
    }

    @Test
    void loadsTheKeyForTls12OrNewerAndKeepsOnePoolPerCertificate() {
        SSLContext ssl = WechatClientCertificates.sslContext("store-9", profile(p12.toString(), PASSWORD, null).settings(WechatSettings.class));
        assertThat(ssl.getProtocol()).isEqualTo("TLS");
        try (WechatClientCertificates certs = new WechatClientCertificates()) {
            var first = pool(certs, profile(p12.toString(), PASSWORD, null));
            var again = pool(certs, profile(p12.toString(), PASSWORD, null));
            assertThat(again).isSameAs(first);
            assertThat(first.name()).startsWith("wechatSecapi-store-9-").doesNotContain(PASSWORD);
        }
    }

    @Test
    void aWrongPasswordIsAClearErrorThatNeverShowsThePassword() {
        assertThatThrownBy(() -> WechatClientCertificates.sslContext("store-9",
                profile(p12.toString(), "wrong-secret-77", null).settings(WechatSettings.class)))
                .isInstanceOf(ProviderMisconfigured.class)
                .hasMessageContaining("store-9").hasMessageContaining(p12.toString()).hasMessageContaining("wrong password")
                .hasMessageNotContaining("wrong-secret-77").hasMessageNotContaining(PASSWORD);
    }

    @Test
    void missingFilesAndNoCertificateAreClearErrors() throws Exception {
        assertThatThrownBy(() -> WechatClientCertificates.sslContext("store-9",
                profile(dir.resolve("nope.p12").toString(), PASSWORD, null).settings(WechatSettings.class)))
                .isInstanceOf(ProviderMisconfigured.class).hasMessageContaining("is missing");
        try (WechatClientCertificates certs = new WechatClientCertificates()) {
            assertThatThrownBy(() -> pool(certs, profile(null, null, null))).isInstanceOf(ProviderMisconfigured.class)
                    .hasMessageContaining("wechat.certificate.path");
        }
        Path junk = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        assertThatThrownBy(() -> WechatClientCertificates.sslContext("store-9",
                profile(p12.toString(), PASSWORD, junk.toString()).settings(WechatSettings.class)))
                .isInstanceOf(ProviderMisconfigured.class).hasMessageContaining("server CA");
    }
}
