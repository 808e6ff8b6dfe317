package io.paygate.sandbox.wechat;

import static io.paygate.sandbox.wechat.IndependentWechatClient.API_KEY;
import static io.paygate.sandbox.wechat.IndependentWechatClient.APP_ID;
import static io.paygate.sandbox.wechat.IndependentWechatClient.MCH_ID;
import static io.paygate.sandbox.wechat.IndependentWechatClient.OTHER_API_KEY;
import static io.paygate.sandbox.wechat.IndependentWechatClient.OTHER_APP_ID;
import static io.paygate.sandbox.wechat.IndependentWechatClient.OTHER_MCH_ID;
import static io.paygate.sandbox.wechat.IndependentWechatClient.byOrder;
import static io.paygate.sandbox.wechat.IndependentWechatClient.md5Sign;
import static io.paygate.sandbox.wechat.IndependentWechatClient.micropay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.sandbox.wechat.WechatSimulator.Merchant;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /secapi needs the merchant's own client certificate from the sandbox CA; the TLS files are made once and reused. */
class WechatSecapiTlsTest {

    private static final String PAYS = "134567890123456789";
    private static final String WAITS = "134567890123451111";
    private static final Merchant FIRST = new Merchant(MCH_ID, APP_ID, API_KEY);
    private static final Merchant SECOND = new Merchant(OTHER_MCH_ID, OTHER_APP_ID, OTHER_API_KEY);

    @TempDir
    Path temp;

    @Test
    void secapiRefusesPlainHttpNoCertificateAndAnotherMerchantsCertificate() throws Exception {
        Path tlsDir = temp.resolve("tls");
        try (WechatSimulator simulator = new WechatSimulator(0, List.of(FIRST, SECOND), null, 0, tlsDir)) {
            simulator.start();
            IndependentWechatClient plain = IndependentWechatClient.plain(simulator.port());
            plain.call("/pay/micropay", micropay("TLS-1", WAITS, 1));

            Map<String, String> overHttp = plain.call("/secapi/pay/reverse", byOrder("TLS-1"));
            assertThat(overHttp).containsEntry("return_code", "FAIL").doesNotContainKeys("sign", "result_code");
            assertThat(overHttp.get("return_msg")).contains("requires the client certificate");

            IndependentWechatClient anonymous = IndependentWechatClient.tls(simulator.tlsPort(), simulator.caCertificate(), null, null);
            Map<String, String> withoutCertificate = anonymous.call("/secapi/pay/reverse", byOrder("TLS-1"));
            assertThat(withoutCertificate).containsEntry("return_code", "FAIL").doesNotContainKey("sign");
            assertThat(withoutCertificate.get("return_msg")).contains("no client certificate");
            // Paths without /secapi work on the TLS port without a certificate.
            assertThat(anonymous.call("/pay/orderquery", byOrder("TLS-1"))).containsEntry("trade_state", "USERPAYING");

            IndependentWechatClient second = IndependentWechatClient.tls(simulator.tlsPort(), simulator.caCertificate(),
                    simulator.clientCertificate(OTHER_MCH_ID), OTHER_MCH_ID);
            Map<String, String> foreign = second.call("/secapi/pay/reverse", byOrder("TLS-1"));
            assertThat(foreign).containsEntry("return_code", "FAIL").doesNotContainKey("sign");
            assertThat(foreign.get("return_msg")).contains(OTHER_MCH_ID).contains(MCH_ID);
            assertThat(plain.call("/pay/orderquery", byOrder("TLS-1"))).containsEntry("trade_state", "USERPAYING");

            IndependentWechatClient first = IndependentWechatClient.tls(simulator.tlsPort(), simulator.caCertificate(),
                    simulator.clientCertificate(MCH_ID), MCH_ID);
            Map<String, String> accepted = first.call("/secapi/pay/reverse", byOrder("TLS-1"));
            assertThat(accepted).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "SUCCESS");
            assertThat(accepted.get("sign")).isEqualTo(md5Sign(accepted, API_KEY));
            assertThat(simulator.calls()).containsEntry("/secapi/pay/reverse", 4L);
        }
    }

    @Test
    void certificateFromAnotherCaIsRefusedEvenWithTheRightCommonName() throws Exception {
        Path otherDir = temp.resolve("other-tls");
        try (WechatSimulator other = new WechatSimulator(0, List.of(FIRST), null, 0, otherDir)) {
            other.start();
        }
        try (WechatSimulator simulator = new WechatSimulator(0, List.of(FIRST), null, 0, temp.resolve("tls"))) {
            simulator.start();
            IndependentWechatClient.plain(simulator.port()).call("/pay/micropay", micropay("TLS-CA", PAYS, 1));
            IndependentWechatClient impostor = IndependentWechatClient.tls(simulator.tlsPort(), simulator.caCertificate(),
                    otherDir.resolve(MCH_ID + ".p12"), MCH_ID);

            Map<String, String> answer = impostor.call("/secapi/pay/refund",
                    IndependentWechatClient.refund("TLS-CA", "TLS-CA-R1", 1, 1));

            assertThat(answer).containsEntry("return_code", "FAIL").doesNotContainKey("sign");
            assertThat(answer.get("return_msg")).contains("not issued by the sandbox CA");
        }
    }

    @Test
    void serverIsOnlyTrustedThroughTheSandboxCa() throws Exception {
        Path otherDir = temp.resolve("other-tls");
        try (WechatSimulator other = new WechatSimulator(0, List.of(FIRST), null, 0, otherDir)) {
            other.start();
        }
        try (WechatSimulator simulator = new WechatSimulator(0, List.of(FIRST), null, 0, temp.resolve("tls"))) {
            simulator.start();
            IndependentWechatClient trustsAnotherCa = IndependentWechatClient.tls(simulator.tlsPort(),
                    otherDir.resolve("ca.pem"), null, null);

            assertThatThrownBy(() -> trustsAnotherCa.call("/pay/orderquery", byOrder("ANY")))
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void generatedFilesAreWhatWechatIssuesAndAreReusedOnRestart() throws Exception {
        Path tlsDir = temp.resolve("tls");
        byte[] ca;
        byte[] server;
        byte[] client;
        try (WechatSimulator simulator = new WechatSimulator(0, List.of(FIRST), null, 0, tlsDir)) {
            simulator.start();
            assertThat(simulator.caCertificate()).isEqualTo(tlsDir.resolve("ca.pem"));
            assertThat(simulator.clientCertificate(MCH_ID)).isEqualTo(tlsDir.resolve(MCH_ID + ".p12"));
            ca = Files.readAllBytes(tlsDir.resolve("ca.pem"));
            server = Files.readAllBytes(tlsDir.resolve("server.pem"));
            client = Files.readAllBytes(tlsDir.resolve(MCH_ID + ".p12"));
        }
        assertThat(new String(ca, java.nio.charset.StandardCharsets.US_ASCII)).startsWith("-----BEGIN CERTIFICATE-----");
        X509Certificate caCertificate;
        try (InputStream in = Files.newInputStream(tlsDir.resolve("ca.pem"))) {
            caCertificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore p12 = merchantsFile(tlsDir);
        String alias = Collections.list(p12.aliases()).get(0);
        X509Certificate clientCertificate = (X509Certificate) p12.getCertificate(alias);
        assertThat(p12.isKeyEntry(alias)).isTrue();
        assertThat(clientCertificate.getSubjectX500Principal().getName()).contains("CN=" + MCH_ID);
        clientCertificate.verify(caCertificate.getPublicKey());
        assertThat(caCertificate.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(clientCertificate.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2");
        // The CA and server keys are EC P-256 (quick to make); the merchant's key is RSA-2048 like WeChat's.
        assertThat(caCertificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(caCertificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(clientCertificate.getPublicKey()).isInstanceOfSatisfying(java.security.interfaces.RSAPublicKey.class,
                rsa -> assertThat(rsa.getModulus().bitLength()).isEqualTo(2048));
        assertThat(clientCertificate.getSigAlgName()).isEqualTo("SHA256withECDSA");

        // Restart with one more merchant: the existing files stay, the new merchant gets its certificate.
        try (WechatSimulator restarted = new WechatSimulator(0, List.of(FIRST, SECOND), null, 0, tlsDir)) {
            restarted.start();
            assertThat(Files.readAllBytes(tlsDir.resolve("ca.pem"))).isEqualTo(ca);
            assertThat(Files.readAllBytes(tlsDir.resolve("server.pem"))).isEqualTo(server);
            assertThat(Files.readAllBytes(tlsDir.resolve(MCH_ID + ".p12"))).isEqualTo(client);
            assertThat(tlsDir.resolve(OTHER_MCH_ID + ".p12")).isRegularFile();

            assertReversesWithTheMerchantsFile(tlsDir, restarted, "TLS-RE");
        }
        try (var files = Files.list(tlsDir)) {
            assertThat(files.map(file -> file.getFileName().toString())).containsExactlyInAnyOrder(
                    "ca.pem", "ca-key.pem", "server.pem", "server-key.pem", MCH_ID + ".p12", OTHER_MCH_ID + ".p12");
        }
    }

    @Test
    void anRsaCaMadeByAnEarlierVersionIsKeptAndIssuesWithRsaSignatures() throws Exception {
        Path tlsDir = Files.createDirectories(temp.resolve("tls"));
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        java.security.KeyPair keys = rsa.generateKeyPair();
        org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("O=PayGate Sandbox,CN=Old RSA CA");
        java.time.Instant now = java.time.Instant.now();
        X509Certificate oldCa = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.TEN,
                        java.util.Date.from(now.minusSeconds(3600)), java.util.Date.from(now.plus(java.time.Duration.ofDays(365))),
                        name, keys.getPublic())
                        .addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
                                new org.bouncycastle.asn1.x509.BasicConstraints(true))
                        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        java.util.Base64.Encoder pem = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'});
        Files.writeString(tlsDir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n" + pem.encodeToString(oldCa.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Files.writeString(tlsDir.resolve("ca-key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + pem.encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        byte[] ca = Files.readAllBytes(tlsDir.resolve("ca.pem"));

        try (WechatSimulator simulator = new WechatSimulator(0, List.of(FIRST), null, 0, tlsDir)) {
            simulator.start();
            assertThat(Files.readAllBytes(tlsDir.resolve("ca.pem"))).isEqualTo(ca);
            KeyStore p12 = merchantsFile(tlsDir);
            X509Certificate client = (X509Certificate) p12.getCertificate(Collections.list(p12.aliases()).get(0));
            client.verify(oldCa.getPublicKey());
            assertThat(client.getSigAlgName()).isEqualTo("SHA256withRSA");
            assertReversesWithTheMerchantsFile(tlsDir, simulator, "TLS-OLD");
        }
    }

    @Test
    void aCaKeyFileThatIsNotTheCertificatesKeyMakesANewCa() throws Exception {
        Path tlsDir = temp.resolve("tls");
        byte[] ca = caOfAFirstStart(tlsDir);
        // the server's key where the CA's should be: same type, not the certificate's pair
        Files.copy(tlsDir.resolve("server-key.pem"), tlsDir.resolve("ca-key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (WechatSimulator restarted = new WechatSimulator(0, List.of(FIRST), null, 0, tlsDir)) {
            restarted.start();
            assertThat(Files.readAllBytes(tlsDir.resolve("ca.pem"))).isNotEqualTo(ca);
            assertReversesWithTheMerchantsFile(tlsDir, restarted, "TLS-MIX");
        }
    }

    /** Starts and stops a simulator on an empty tlsDir (it makes every file there); the CA it made. */
    private static byte[] caOfAFirstStart(Path tlsDir) throws Exception {
        try (WechatSimulator simulator = new WechatSimulator(0, List.of(FIRST), null, 0, tlsDir)) {
            simulator.start();
        }
        return Files.readAllBytes(tlsDir.resolve("ca.pem"));
    }

    /** The merchant's client certificate file, opened with its password (the mch_id). */
    private static KeyStore merchantsFile(Path tlsDir) throws Exception {
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tlsDir.resolve(MCH_ID + ".p12"))) {
            p12.load(in, MCH_ID.toCharArray());
        }
        return p12;
    }

    /** A barcode payment, then its reversal over /secapi with the merchant's .p12 from tlsDir, trusting tlsDir's CA. */
    private static void assertReversesWithTheMerchantsFile(Path tlsDir, WechatSimulator simulator, String orderId) throws Exception {
        IndependentWechatClient.plain(simulator.port()).call("/pay/micropay", micropay(orderId, WAITS, 1));
        IndependentWechatClient client = IndependentWechatClient.tls(simulator.tlsPort(), tlsDir.resolve("ca.pem"),
                tlsDir.resolve(MCH_ID + ".p12"), MCH_ID);
        assertThat(client.call("/secapi/pay/reverse", byOrder(orderId))).containsEntry("result_code", "SUCCESS");
    }

    @Test
    void damagedClientFileIsMadeAnewUnderTheSameCa() throws Exception {
        Path tlsDir = temp.resolve("tls");
        byte[] ca = caOfAFirstStart(tlsDir);
        Files.writeString(tlsDir.resolve(MCH_ID + ".p12"), "not a keystore");

        try (WechatSimulator restarted = new WechatSimulator(0, List.of(FIRST), null, 0, tlsDir)) {
            restarted.start();
            assertThat(Files.readAllBytes(tlsDir.resolve("ca.pem"))).isEqualTo(ca);
            assertReversesWithTheMerchantsFile(tlsDir, restarted, "TLS-NEW");
        }
    }

    @Test
    void withoutATlsDirectoryThereIsNoTlsPort() throws Exception {
        try (WechatSimulator simulator = new WechatSimulator(0, List.of(FIRST), null)) {
            simulator.start();
            assertThatThrownBy(simulator::tlsPort).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(simulator::caCertificate).isInstanceOf(IllegalStateException.class);
        }
    }
}
