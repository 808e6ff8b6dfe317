package io.paygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemKeysTest {
    private static final Path PKCS1 = Path.of("src/test/resources/pooul/merchant-pkcs1-TEST-ONLY.pem");
    private static final Path PUBLIC = Path.of("src/test/resources/pooul/merchant-pkcs1-TEST-ONLY.pub.pem");

    @TempDir
    Path dir;

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    @Test
    void pkcs1AndPkcs8FormsOfOneKeyReadAlike() throws Exception {
        RSAPrivateKey fromPkcs1 = PemKeys.privateKey(PKCS1);
        Path pkcs8 = Files.writeString(dir.resolve("k8.pem"), pem("PRIVATE KEY", fromPkcs1.getEncoded()));
        assertThat(PemKeys.privateKey(pkcs8)).isEqualTo(fromPkcs1);
        assertThat(((RSAPrivateCrtKey) fromPkcs1).getModulus()).isEqualTo(PemKeys.publicKey(PUBLIC).getModulus());
    }

    @Test
    void publicKeysAsX509Pkcs1OrBareBase64() throws Exception {
        var x509 = PemKeys.publicKey(PUBLIC);
        byte[] spki = x509.getEncoded();
        // PKCS#1 RSAPublicKey is the BIT STRING inside SubjectPublicKeyInfo: after the 24-byte prefix of a 2048-bit key.
        byte[] pkcs1 = java.util.Arrays.copyOfRange(spki, 24, spki.length);
        assertThat(PemKeys.publicKey(Files.writeString(dir.resolve("p1.pem"), pem("RSA PUBLIC KEY", pkcs1)))).isEqualTo(x509);
        assertThat(PemKeys.publicKey(Files.writeString(dir.resolve("bare.txt"), Base64.getEncoder().encodeToString(spki))))
                .isEqualTo(x509);
    }

    @Test
    void problemsAreNamedWithoutTheKey() throws Exception {
        assertThatThrownBy(() -> PemKeys.privateKey(dir.resolve("missing.pem"))).hasMessage("not found");
        assertThatThrownBy(() -> PemKeys.privateKey(PUBLIC)).hasMessageContaining("'PUBLIC KEY' block");
        assertThatThrownBy(() -> PemKeys.privateKey(Files.writeString(dir.resolve("enc.pem"),
                pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3})))).hasMessageContaining("encrypted");
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        Path small = Files.writeString(dir.resolve("small.pem"), pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded()));
        assertThatThrownBy(() -> PemKeys.privateKey(small)).hasMessageContaining("1024 bits");
        Path garbage = Files.writeString(dir.resolve("g.pem"), pem("RSA PRIVATE KEY", "not a key at all".getBytes()));
        assertThatThrownBy(() -> PemKeys.privateKey(garbage)).hasMessageContaining("not a readable RSA private key");
    }

    @Test
    void merchantsFileNamesTheKeyAndFileAndReadsRelativePathsFromTheConfigFolder() throws IOException {
        String key = Files.readString(PKCS1);
        Files.writeString(dir.resolve("merchant.pem"), key);
        Files.copy(PUBLIC, dir.resolve("platform.pem"));
        String yaml = """
                merchants:
                  p2:
                    provider: pooul
                    apiToken: token-p2-abcdefghijklmn
                    pooul: { baseUrl: "http://127.0.0.1:8093", merchantId: "5399355381712172", api: v2,
                             privateKey: merchant.pem, platformPublicKey: platform.pem }
                """;
        Files.writeString(dir.resolve(MerchantsFile.FILE), yaml);
        MerchantProfile p = MerchantsFile.load(dir, Map.of()).byId("p2").orElseThrow();
        assertThat(p.settings(io.paygate.provider.pooul.PooulSettings.class).merchantKey()).isNotNull();
        assertThat(p.settings(io.paygate.provider.pooul.PooulSettings.class).platformKey()).isNotNull();
        assertThat(p.settings(io.paygate.provider.pooul.PooulSettings.class).toString()).doesNotContain("merchant.pem").doesNotContain("MII");

        Files.writeString(dir.resolve(MerchantsFile.FILE), yaml.replace("platformPublicKey: platform.pem",
                "platformPublicKey: merchant.pem"));
        assertThatThrownBy(() -> MerchantsFile.load(dir, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("merchants.p2.pooul.platformPublicKey").hasMessageContaining("merchant.pem")
                .hasMessageContaining("not an RSA public key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key.substring(40, 80)));
        Files.writeString(dir.resolve(MerchantsFile.FILE), yaml.replace("privateKey: merchant.pem", "privateKey: nope.pem"));
        assertThatThrownBy(() -> MerchantsFile.load(dir, Map.of())).hasMessageContaining("merchants.p2.pooul.privateKey")
                .hasMessageContaining(dir.resolve("nope.pem").toString()).hasMessageContaining("not found");
    }
}
