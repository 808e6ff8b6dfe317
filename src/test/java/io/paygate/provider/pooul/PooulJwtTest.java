package io.paygate.provider.pooul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.config.PemKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PooulJwtTest {
    private static final byte[] PAYLOAD = "{\"pay_type\":\"wechat.scan\",\"total_fee\":221,\"body\":\"测试\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static KeyPair pair;
    private static KeyPair other;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        pair = g.generateKeyPair();
        other = g.generateKeyPair();
    }

    @Test
    void roundTripWithAGeneratedKeyPair() throws Exception {
        String token = PooulJwt.sign(PAYLOAD, (RSAPrivateKey) pair.getPrivate());
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        assertThat(header).contains("\"alg\":\"RS256\"").contains("\"typ\":\"JWT\"");
        assertThat(PooulJwt.verify(token, (RSAPublicKey) pair.getPublic())).isEqualTo(PAYLOAD);
        assertThatThrownBy(() -> PooulJwt.verify(token, (RSAPublicKey) other.getPublic())).isInstanceOf(PooulJwt.Invalid.class);
    }

    @Test
    void roundTripWithThePkcs1KeyMadeByOpenssl() throws Exception {
        RSAPrivateKey key = PemKeys.privateKey(Path.of("src/test/resources/pooul/merchant-pkcs1-TEST-ONLY.pem"));
        RSAPublicKey pub = PemKeys.publicKey(Path.of("src/test/resources/pooul/merchant-pkcs1-TEST-ONLY.pub.pem"));
        String token = PooulJwt.sign(PAYLOAD, key);
        assertThat(PooulJwt.verify(token, pub)).isEqualTo(PAYLOAD);
        // And the signature checks with the JDK alone, as RS256 over header.payload.
        String[] p = token.split("\\.");
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(pub);
        rsa.update((p[0] + "." + p[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rsa.verify(Base64.getUrlDecoder().decode(p[2]))).isTrue();
    }

    @Test
    void tamperedUnsignedAndOtherAlgorithmsAreRefused() {
        String token = PooulJwt.sign(PAYLOAD, (RSAPrivateKey) pair.getPrivate());
        String[] p = token.split("\\.");
        String otherPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"pay_type\":\"wechat.scan\",\"total_fee\":1}".getBytes(StandardCharsets.UTF_8));
        RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
        assertThatThrownBy(() -> PooulJwt.verify(p[0] + "." + otherPayload + "." + p[2], pub)).isInstanceOf(PooulJwt.Invalid.class);
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> PooulJwt.verify(none + "." + p[1] + ".", pub)).isInstanceOf(PooulJwt.Invalid.class);
        String hs = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> PooulJwt.verify(hs + "." + p[1] + "." + p[2], pub)).isInstanceOf(PooulJwt.Invalid.class)
                .hasMessageContaining("not RS256");
        assertThatThrownBy(() -> PooulJwt.verify("{\"code\":0}", pub)).isInstanceOf(PooulJwt.Invalid.class);
        assertThatThrownBy(() -> PooulJwt.verify(p[0] + "." + p[1], pub)).isInstanceOf(PooulJwt.Invalid.class);
    }
}
