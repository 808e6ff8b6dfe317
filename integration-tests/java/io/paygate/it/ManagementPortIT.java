package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gateway.management.port: with it set, /observe and /admin answer only there and the public port
 * serves /api and /notify only (404 for the rest); without it, everything is on the one public port.
 * The merchant and the WeChat simulator are NotifyIT's.
 */
class ManagementPortIT {
    private static final String NO_SUCH_ENDPOINT = "no such endpoint";
    private static Path dir;
    private static int simPort;
    private static GatewayProcess simulator;

    @BeforeAll
    static void startSimulator() throws Exception {
        dir = Files.createTempDirectory("management-port-it");
        simulator = NotifyIT.startSimulator(dir, 0);
        simPort = simulator.listeningPort("wechat");
    }

    @AfterAll
    static void stopSimulator() throws Exception {
        if (simulator != null) {
            simulator.close();
        }
    }

    /** A gateway of its own folder; {@code management} is appended to its application.properties. */
    private static GatewayProcess gateway(String name, int httpPort, String management) throws Exception {
        Path own = Files.createDirectories(dir.resolve(name));
        Map<String, String> env = NotifyIT.setUp(own, simPort, httpPort, GatewayProcess.freePort(), GatewayProcess.freePort());
        Files.writeString(own.resolve("config/application.properties"), management, StandardOpenOption.APPEND);
        return GatewayProcess.gateway(own, env);
    }

    private static void assertNoSuchEndpoint(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isEqualTo(404);
        assertThat(r.body()).contains(NO_SUCH_ENDPOINT);
    }

    @Test
    void withAManagementPortObserveAndAdminAnswerOnlyThereAndTheApiOnlyOnThePublicPort() throws Exception {
        int httpPort = GatewayProcess.freePort();
        // 0: any free port, which the log names
        try (GatewayProcess g = gateway("separate", httpPort, "gateway.management.port=0\ngateway.management.host=127.0.0.1\n")) {
            g.awaitOutput("management port (/observe, /admin) listening on", Duration.ofSeconds(90));
            Matcher port = Pattern.compile("management port \\(/observe, /admin\\) listening on 127\\.0\\.0\\.1:(\\d+)")
                    .matcher(g.output());
            assertThat(port.find()).as(g.output()).isTrue();
            int managementPort = Integer.parseInt(port.group(1));
            assertThat(managementPort).isPositive().isNotEqualTo(httpPort);
            String pub = "http://127.0.0.1:" + httpPort;
            String mgmt = "http://127.0.0.1:" + managementPort;
            g.awaitHealthy(mgmt + "/observe/health", Duration.ofSeconds(90));

            // The payment API and provider notifications: the public port only.
            HttpResponse<String> paid = Http.post(pub + "/api/v1/payments", NotifyIT.TOKEN, NotifyIT.pay("MP-0001"));
            assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
            assertThat(paid.body()).contains("\"NOTPAY\"");
            assertThat(Http.get(pub + "/api/v1/payments/cb-shop/MP-0001", NotifyIT.TOKEN).body()).contains("\"MP-0001\"");
            assertNoSuchEndpoint(Http.post(mgmt + "/api/v1/payments", NotifyIT.TOKEN, NotifyIT.pay("MP-0002")));
            assertNoSuchEndpoint(Http.get(mgmt + "/api/v1/payments/cb-shop/MP-0001", NotifyIT.TOKEN));
            String notification = WechatNotifications.signedXml(WechatNotifications.paid("wxcb", "1800", "MP-0001", 500,
                    "4200000000202612060000001"), NotifyIT.KEY);
            assertNoSuchEndpoint(Http.postXml(mgmt + "/notify/wechat/cb-shop", notification));
            HttpResponse<String> notified = Http.postXml(pub + "/notify/wechat/cb-shop", notification);
            assertThat(notified.statusCode()).as(notified.body()).isEqualTo(200);
            assertThat(notified.body()).isEqualTo(NotifyIT.SUCCESS);

            // Health and metrics: the management port only.
            assertThat(Http.get(mgmt + "/observe/health", null).statusCode()).isEqualTo(200);
            assertNoSuchEndpoint(Http.get(pub + "/observe/health", null));
            HttpResponse<String> metrics = Http.get(mgmt + "/observe/metrics", null);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(metrics.body()).containsPattern("(?m)^gateway_notifications_total\\{[^}]*provider=\"wechat\"\\} [1-9]");
            assertNoSuchEndpoint(Http.get(pub + "/observe/metrics", null));

            // The admin API: the management port only, with its tokens as before.
            assertThat(Http.get(mgmt + "/admin/deliveries/dead", null).statusCode()).isEqualTo(401);
            assertThat(Http.get(mgmt + "/admin/deliveries/dead", NotifyIT.TOKEN).statusCode()).isEqualTo(401);
            HttpResponse<String> dead = Http.get(mgmt + "/admin/deliveries/dead", NotifyIT.ADMIN);
            assertThat(dead.statusCode()).as(dead.body()).isEqualTo(200);
            assertThat(dead.body()).contains("deadDeliveries");
            assertNoSuchEndpoint(Http.get(pub + "/admin/deliveries/dead", NotifyIT.ADMIN));
            assertNoSuchEndpoint(Http.post(pub + "/admin/orders/cb-shop/MP-0001/resend", NotifyIT.ADMIN, ""));
            HttpResponse<String> resend = Http.post(mgmt + "/admin/orders/cb-shop/MP-0001/resend", NotifyIT.ADMIN, "");
            assertThat(resend.statusCode()).as(resend.body()).isEqualTo(200);

            assertNoSuchEndpoint(Http.get(mgmt + "/no/such/path", null));
            assertThat(g.output()).doesNotContain(NotifyIT.KEY).doesNotContain(NotifyIT.ADMIN);
        }
    }

    @Test
    void withoutAManagementPortEverythingIsOnThePublicPort() throws Exception {
        int httpPort = GatewayProcess.freePort();
        try (GatewayProcess g = gateway("one-port", httpPort, "")) {
            String pub = "http://127.0.0.1:" + httpPort;
            g.awaitHealthy(pub + "/observe/health", Duration.ofSeconds(90));
            assertThat(g.output()).doesNotContain("management port");
            assertThat(Http.post(pub + "/api/v1/payments", NotifyIT.TOKEN, NotifyIT.pay("OP-0001")).body()).contains("\"NOTPAY\"");
            assertThat(Http.get(pub + "/observe/metrics", null).body()).contains("gateway_");
            assertThat(Http.get(pub + "/admin/deliveries/dead", null).statusCode()).isEqualTo(401);
            assertThat(Http.get(pub + "/admin/deliveries/dead", NotifyIT.ADMIN).body()).contains("deadDeliveries");
            assertNoSuchEndpoint(Http.get(pub + "/no/such/path", null));
        }
    }
}
