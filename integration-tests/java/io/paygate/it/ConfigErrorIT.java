package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** A bad configuration stops start-up with one clear line naming the file and the key. */
class ConfigErrorIT {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed YAML|merchants:\\n  shop: [unclosed|merchants.yaml: malformed YAML",
        "unknown provider|merchants:\\n  shop:\\n    provider: paypal\\n    apiToken: abcdefghijklmnopq|merchants.shop.provider: unknown provider 'paypal'",
        "missing credential|merchants:\\n  shop:\\n    provider: wechat\\n    apiToken: abcdefghijklmnopq\\n    wechat: {baseUrl: 'http://127.0.0.1:1', appId: a, mchId: '1'}|merchants.shop.wechat.apiKey: missing",
        "client certificate that cannot be opened|merchants:\\n  shop:\\n    provider: wechat\\n    apiToken: abcdefghijklmnopq\\n    wechat: {baseUrl: 'http://127.0.0.1:1', appId: a, mchId: '1', apiKey: k, certificate: {path: no-such-cert.p12}}|merchants.shop.wechat.certificate: the WeChat Pay client certificate of merchant shop is missing",
        "unset env reference|merchants:\\n  shop:\\n    provider: wechat\\n    apiToken: ${env:NO_SUCH_TOKEN_VAR_XYZ}|merchants.shop.apiToken: environment variable NO_SUCH_TOKEN_VAR_XYZ is not set"
    })
    void startUpStopsWithTheFileAndTheKey(String name, String merchants, String expected, @TempDir Path dir) throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("application.properties"), "gateway.http.port=0\n");
        Files.writeString(config.resolve("merchants.yaml"), merchants.replace("\\n", "\n"));
        Map<String, String> env = Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                "GATEWAY_DATA_DIR", dir.resolve("data").toString());
        try (GatewayProcess p = GatewayProcess.gateway(dir, env)) {
            assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            String out = p.output();
            assertThat(out).contains("configuration error").contains(config.resolve("merchants.yaml").toString()).contains(expected);
            assertThat(out.lines().count()).as(out).isEqualTo(1);
        }
    }

    @Test
    void aTakenBrokerPortStopsTheStartNamingTheAddress(@TempDir Path dir) throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Files.writeString(config.resolve("application.properties"),
                    "gateway.http.port=0\ngateway.broker.port=" + taken.getLocalPort() + "\n");
            Files.writeString(config.resolve("merchants.yaml"), "merchants:\n  shop:\n    provider: wechat\n"
                    + "    apiToken: abcdefghijklmnopq\n    wechat: {baseUrl: 'http://127.0.0.1:1', appId: a, mchId: '1', apiKey: k}\n");
            Map<String, String> env = Map.of("GATEWAY_CONFIG_DIR", config.toString(),
                    "GATEWAY_ROUTES_DIR", GatewayProcess.PROJECT.resolve("routes").toString(),
                    "GATEWAY_DATA_DIR", dir.resolve("data").toString());
            try (GatewayProcess p = GatewayProcess.gateway(dir, env)) {
                assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.output()).isEqualTo(1);
                assertThat(p.output()).contains("payment-gateway: start-up failed: the embedded broker cannot listen on 127.0.0.1:"
                        + taken.getLocalPort());
            }
        }
    }
}
