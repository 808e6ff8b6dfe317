package io.paygate.sandbox.pooul;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator's own checks, with requests made here by hand (no gateway code). */
class PooulSimulatorTest {
    private static final String KEY = "sim-test-key-01";
    private static PooulSimulator sim;
    private static KeyPair merchant;
    private static KeyPair platform;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        merchant = SimPooulCrypto.generate();
        platform = SimPooulCrypto.generate();
        sim = new PooulSimulator(0, List.of(PooulSimulator.Merchant.classic("c1", KEY),
                PooulSimulator.Merchant.v2("5399355381712172", merchant.getPublic())), platform);
        sim.start();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void classicChecksTheSignatureAndSignsItsAnswerOverData() throws Exception {
        String fields = "body=Tea&mch_trade_id=s1&merchant_id=c1&notify_url=http://127.0.0.1:1/n&pay_type=wechat.scan&total_fee=5";
        String body = "{\"merchant_id\":\"c1\",\"pay_type\":\"wechat.scan\",\"mch_trade_id\":\"s1\",\"total_fee\":5,"
                + "\"body\":\"Tea\",\"notify_url\":\"http://127.0.0.1:1/n\",\"sign\":\"";
        JsonNode refused = json.readTree(post("/paygate/merchant_info/pay", body + md5(fields + "&key=wrong") + "\"}").body());
        assertThat(refused.get("code").asInt()).isEqualTo(101);
        assertThat(refused.has("sign")).isFalse();
        JsonNode ok = json.readTree(post("/paygate/merchant_info/pay", body + md5(fields + "&key=" + KEY) + "\"}").body());
        assertThat(ok.get("code").asInt()).isEqualTo(0);
        assertThat(ok.at("/data/code_url").asText()).startsWith("weixin://");
        assertThat(SimPooulCrypto.md5Verify(ok.get("data"), ok.get("sign").asText(), KEY)).isTrue();
        JsonNode unknown = json.readTree(post("/paygate/merchant_info/pay", body.replace("\"c1\"", "\"c9\"") + "x\"}").body());
        assertThat(unknown.get("code").asInt()).isEqualTo(200);
    }

    @Test
    void v2ChecksTheTokenAndTheNonceAndAnswersTokensByThePlatformKey() throws Exception {
        String payload = "{\"mch_trade_id\":\"nope\",\"nonce_str\":\"n-1\"}";
        String token = SimPooulCrypto.jwsSign(payload.getBytes(StandardCharsets.UTF_8), merchant.getPrivate());
        JsonNode missing = json.readTree(post("/v2/pay/query?merchant_id=5399355381712172", token).body());
        assertThat(missing.get("code").asInt()).isEqualTo(301);
        JsonNode replayed = json.readTree(post("/v2/pay/query?merchant_id=5399355381712172", token).body());
        assertThat(replayed.get("code").asInt()).isEqualTo(103);
        String foreign = SimPooulCrypto.jwsSign(payload.replace("n-1", "n-2").getBytes(StandardCharsets.UTF_8),
                platform.getPrivate());
        assertThat(json.readTree(post("/v2/pay/query?merchant_id=5399355381712172", foreign).body()).get("code").asInt())
                .isEqualTo(101);

        String pay = "{\"pay_type\":\"common.micro\",\"mch_trade_id\":\"m1\",\"total_fee\":9,\"body\":\"Tea\","
                + "\"auth_code\":\"134567890123456789\",\"nonce_str\":\"n-3\"}";
        String answer = post("/v2/pay?merchant_id=5399355381712172",
                SimPooulCrypto.jwsSign(pay.getBytes(StandardCharsets.UTF_8), merchant.getPrivate())).body();
        byte[] verified = SimPooulCrypto.jwsVerify(answer, platform.getPublic());
        assertThat(verified).isNotNull();
        assertThat(json.readTree(verified).at("/data/trade_state").asInt()).isEqualTo(0);
        assertThat(SimPooulCrypto.jwsVerify(answer, merchant.getPublic())).isNull();
    }

    @Test
    void platformKeysAreMadeOnceAndKept() throws Exception {
        Path dir = Files.createTempDirectory("pooul-keys");
        KeyPair first = PooulSimulator.platformKeys(dir);
        KeyPair again = PooulSimulator.platformKeys(dir);
        assertThat(again.getPublic()).isEqualTo(first.getPublic());
        assertThat(Files.readString(dir.resolve("platform-private.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PooulSimulator.readPublicKey(dir.resolve("platform-public.pem"))).isEqualTo(first.getPublic());
    }
}
