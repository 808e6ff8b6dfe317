package io.paygate.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shipped sandbox configuration on free ports: the merchants' simulator URLs in merchants.yaml
 * are moved to free ports, and the environment gives the gateway (HTTP, broker, simulators) the
 * same ones, so a test never binds 8080, 8091-8094 or 61616.
 */
final class FreeSandbox {
    final int http = GatewayProcess.freePort();
    final int broker = GatewayProcess.freePort();
    final int wechat = GatewayProcess.freePort();
    final int wechatTls = GatewayProcess.freePort();
    final int pooul = GatewayProcess.freePort();
    final int ystpay = GatewayProcess.freePort();

    private FreeSandbox() throws IOException {
    }

    /** Copies {@code application.properties} and {@code merchants.yaml} of {@code from} to {@code to} (may be the same folder), ports moved. */
    static FreeSandbox config(Path from, Path to) throws IOException {
        FreeSandbox s = new FreeSandbox();
        Files.createDirectories(to);
        String merchants = Files.readString(from.resolve("merchants.yaml"), StandardCharsets.UTF_8)
                .replace("127.0.0.1:8091", "127.0.0.1:" + s.wechat)
                .replace("127.0.0.1:8092", "127.0.0.1:" + s.wechatTls)
                .replace("127.0.0.1:8093", "127.0.0.1:" + s.pooul)
                .replace("127.0.0.1:8094", "127.0.0.1:" + s.ystpay);
        String properties = Files.readString(from.resolve("application.properties"), StandardCharsets.UTF_8);
        Files.writeString(to.resolve("merchants.yaml"), merchants, StandardCharsets.UTF_8);
        Files.writeString(to.resolve("application.properties"), properties, StandardCharsets.UTF_8);
        return s;
    }

    /** The ports, as environment variables (sandbox mode on). */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEWAY_SANDBOX_ENABLED", "true");
        env.put("GATEWAY_HTTP_PORT", Integer.toString(http));
        env.put("GATEWAY_PUBLIC_BASE_URL", base());
        env.put("GATEWAY_BROKER_PORT", Integer.toString(broker));
        env.put("GATEWAY_SANDBOX_WECHAT_PORT", Integer.toString(wechat));
        env.put("GATEWAY_SANDBOX_WECHAT_TLS_PORT", Integer.toString(wechatTls));
        env.put("GATEWAY_SANDBOX_POOUL_PORT", Integer.toString(pooul));
        env.put("GATEWAY_SANDBOX_YSTPAY_PORT", Integer.toString(ystpay));
        return env;
    }

    String base() {
        return "http://127.0.0.1:" + http;
    }

    String simulator() {
        return "http://127.0.0.1:" + wechat;
    }
}
