package io.paygate.tools;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed-rate load for soak runs (scripts/soak.sh), the rate-limited twin of {@link HttpLoad}:
 * {@code --rate} requests a second, paced by one thread against the wall clock (start + n / rate,
 * so a slow answer does not lower the offered rate) and sent by up to {@code --clients} threads
 * sharing one keep-alive HTTP/1.1 client, for {@code --minutes}. Every {@code --query-every}-th
 * request is a QUERY of the last order whose PAY was answered (200 with status NOTPAY counts); the
 * others are PAY SCAN of new orders, as in HttpLoad. A request that finds every client busy and the
 * short queue full is not sent and counted as {@code dropped}, an error.
 *
 * <p>Prints one line a minute: {@code minute=N pay=P query=Q errors=E dropped=D p50=..ms p99=..ms
 * max=..ms} (the calls that <em>started</em> in that minute, answered by the time it is printed, so
 * a call still open at the boundary is counted in the next line), and at the end {@code total ...}.
 *
 * <pre>
 * java -cp payment-gateway-sandbox.jar io.paygate.tools.SoakLoad --url http://127.0.0.1:PORT --token T
 *      --merchant M --rate 50 --minutes 20 [--clients 32] [--query-every 10]
 * </pre>
 */
public final class SoakLoad {
    private SoakLoad() {
    }

    public static void main(String[] args) throws Exception {
        ToolOptions o = new ToolOptions(args, java.util.Set.of("url", "token", "merchant", "rate", "minutes",
                "clients", "query-every"));
        String url = o.get("url", null);
        String token = o.get("token", null);
        String merchant = o.get("merchant", null);
        double rate = Double.parseDouble(o.get("rate", "0"));
        int minutes = o.intValue("minutes", 0);
        if (url == null || token == null || merchant == null || rate <= 0 || minutes <= 0) {
            System.err.println("usage: SoakLoad --url U --token T --merchant M --rate R --minutes N [--clients 32]"
                    + " [--query-every 10]");
            System.exit(2);
        }
        long errors = run(URI.create(url), token, merchant, rate, minutes, o.intValue("clients", 32),
                o.intValue("query-every", 10));
        System.exit(errors == 0 ? 0 : 1);
    }

    /** One minute's counts; latencies in microseconds. */
    private static final class Minute {
        final AtomicLong pay = new AtomicLong();
        final AtomicLong query = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final long[] micros;
        final AtomicLong count = new AtomicLong();

        Minute(int capacity) {
            micros = new long[capacity];
        }

        void record(long took) {
            long i = count.getAndIncrement();
            if (i < micros.length) {
                micros[(int) i] = took;
            }
        }

        String line(String label) {
            int n = (int) Math.min(count.get(), micros.length);
            long[] sorted = Arrays.copyOf(micros, n);
            Arrays.sort(sorted);
            return String.format(Locale.ROOT, "%s pay=%d query=%d errors=%d dropped=%d p50=%.2fms p99=%.2fms max=%.1fms",
                    label, pay.get(), query.get(), errors.get() + dropped.get(), dropped.get(),
                    pct(sorted, 0.50), pct(sorted, 0.99), n == 0 ? 0.0 : sorted[n - 1] / 1000.0);
        }

        private static double pct(long[] sorted, double p) {
            return sorted.length == 0 ? 0.0 : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1000.0;
        }
    }

    static long run(URI base, String token, String merchant, double rate, int minutes, int clients, int queryEvery)
            throws InterruptedException {
        URI payments = base.resolve("/api/v1/payments");
        String run = Long.toString(System.currentTimeMillis(), 36);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(clients, clients, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(clients), r -> {
                    Thread t = new Thread(r, "soak-client");
                    t.setDaemon(true);
                    return t;
                });
        int perMinute = (int) Math.ceil(rate * 60) + 16;
        Minute[] perMinuteCounts = new Minute[minutes];
        for (int m = 0; m < minutes; m++) {
            perMinuteCounts[m] = new Minute(perMinute);
        }
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + TimeUnit.MINUTES.toNanos(minutes);
        long intervalNanos = (long) (1e9 / rate);
        int printed = 0;
        // The last order whose PAY was answered (a QUERY of an order still being created would
        // find nothing at the provider).
        AtomicReference<String> lastPaid = new AtomicReference<>();
        for (long n = 0; ; n++) {
            long due = start + n * intervalNanos;
            if (due >= end) {
                break;
            }
            long now;
            while ((now = System.nanoTime()) < due) {
                long wait = due - now;
                if (wait > 2_000_000) {
                    Thread.sleep(wait / 1_000_000 - 1);
                } else {
                    Thread.onSpinWait();
                }
                printed = printDue(perMinuteCounts, start, printed, false);
            }
            Minute minute = perMinuteCounts[(int) ((due - start) / TimeUnit.MINUTES.toNanos(1))];
            String paid = lastPaid.get();
            boolean query = queryEvery > 0 && paid != null && n % queryEvery == 0;
            String id = "S" + run + "-" + n;
            String body = query
                    ? "{\"requestId\":\"" + id + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"QUERY\","
                            + "\"orderId\":\"" + paid + "\"}"
                    : "{\"requestId\":\"" + id + "\",\"merchant\":\"" + merchant + "\",\"operation\":\"PAY\","
                            + "\"orderId\":\"" + id + "\",\"amount\":1,\"method\":\"SCAN\",\"subject\":\"soak\"}";
            HttpRequest request = HttpRequest.newBuilder(payments).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            try {
                pool.execute(() -> {
                    long t0 = System.nanoTime();
                    boolean ok;
                    try {
                        HttpResponse<String> answer = http.send(request,
                                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                        ok = answer.statusCode() == 200 && answer.body().contains("\"NOTPAY\"");
                        if (ok && !query) {
                            lastPaid.set(id);
                        }
                        if (!ok && firstFailure.compareAndSet(null, answer.statusCode() + " " + answer.body())) {
                            System.err.println("first failure: " + answer.statusCode() + " " + answer.body());
                        }
                    } catch (Exception e) {
                        ok = false;
                        if (firstFailure.compareAndSet(null, e.toString())) {
                            System.err.println("first failure: " + e);
                        }
                    }
                    (query ? minute.query : minute.pay).incrementAndGet();
                    if (ok) {
                        minute.record((System.nanoTime() - t0) / 1000);
                    } else {
                        minute.errors.incrementAndGet();
                    }
                });
            } catch (RejectedExecutionException busy) {
                minute.dropped.incrementAndGet();
            }
        }
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        printDue(perMinuteCounts, start, printed, true);
        Minute total = new Minute(0);
        long errors = 0;
        for (Minute m : perMinuteCounts) {
            total.pay.addAndGet(m.pay.get());
            total.query.addAndGet(m.query.get());
            total.errors.addAndGet(m.errors.get());
            total.dropped.addAndGet(m.dropped.get());
            errors += m.errors.get() + m.dropped.get();
        }
        System.out.println(total.line("total minutes=" + minutes + " rate=" + rate));
        return errors;
    }

    /** Prints every minute that ended at least 2 s ago (every one left with {@code all}); returns how many are printed. */
    private static int printDue(Minute[] minutes, long start, int printed, boolean all) {
        long elapsed = System.nanoTime() - start;
        while (printed < minutes.length
                && (all || elapsed >= TimeUnit.MINUTES.toNanos(printed + 1) + TimeUnit.SECONDS.toNanos(2))) {
            System.out.println(minutes[printed].line("minute=" + (printed + 1)));
            System.out.flush();
            printed++;
        }
        return printed;
    }
}
