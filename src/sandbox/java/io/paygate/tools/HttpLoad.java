package io.paygate.tools;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A load harness for the HTTP entry, the twin of {@link JmsLoad}: {@code --clients} threads, each
 * with a keep-alive connection of its own, send {@code POST /api/v1/payments} PAY SCAN requests of
 * new orders and wait for each answer (200 with status NOTPAY counts), for {@code --seconds} after
 * {@code --warmup}. Prints requests per second and latency percentiles in JmsLoad's line format.
 * {@code --url} may name several gateways, comma-separated: client {@code i} sends to the
 * {@code i mod n}-th (scripts/bench-e2e.sh --instances 2).
 *
 * <pre>
 * java -cp payment-gateway-sandbox.jar io.paygate.tools.HttpLoad --url http://127.0.0.1:PORT --token T
 *      --merchant M [--clients 8] [--seconds 20] [--warmup 5]
 * </pre>
 */
public final class HttpLoad {
    private HttpLoad() {
    }

    public static void main(String[] args) throws Exception {
        ToolOptions o = new ToolOptions(args, java.util.Set.of("url", "token", "merchant", "clients", "seconds",
                "warmup"));
        String url = o.get("url", null);
        String token = o.get("token", null);
        String merchant = o.get("merchant", null);
        if (url == null || token == null || merchant == null) {
            System.err.println("usage: HttpLoad --url U --token T --merchant M [--clients N] [--seconds S] [--warmup W]");
            System.exit(2);
        }
        java.util.List<URI> bases = java.util.Arrays.stream(url.split(",")).map(String::trim).map(URI::create).toList();
        System.out.println(run(bases, token, merchant, o.intValue("clients", 8), o.intValue("warmup", 5),
                o.intValue("seconds", 20)).line());
    }

    static LoadRun.Result run(URI base, String token, String merchant, int clients, double warmup, double seconds)
            throws InterruptedException {
        return run(java.util.List.of(base), token, merchant, clients, warmup, seconds);
    }

    /** Client {@code i} sends to {@code bases.get(i mod bases.size())}. */
    static LoadRun.Result run(java.util.List<URI> bases, String token, String merchant, int clients, double warmup,
                              double seconds) throws InterruptedException {
        String run = Long.toString(System.currentTimeMillis(), 36);
        return LoadRun.run(clients, warmup, seconds, index -> {
            URI payments = bases.get(index % bases.size()).resolve("/api/v1/payments");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            return n -> {
                String id = "H" + run + "-" + index + "-" + n;
                String body = "{\"requestId\":\"" + id + "\",\"merchant\":\"" + merchant
                        + "\",\"operation\":\"PAY\",\"orderId\":\"" + id + "\",\"amount\":1,\"method\":\"SCAN\","
                        + "\"subject\":\"load\"}";
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(payments)
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                return answer.statusCode() == 200 && answer.body().contains("\"NOTPAY\"");
            };
        });
    }
}
