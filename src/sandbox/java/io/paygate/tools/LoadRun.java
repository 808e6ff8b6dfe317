package io.paygate.tools;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that repeat one call for a warm-up and then a measured period, each on a thread of its
 * own, and what they measured: calls per second and latency percentiles of the measured calls.
 */
final class LoadRun {

    /** One client's loop body: makes call number {@code n} and says whether its answer was right. */
    interface Client extends AutoCloseable {
        boolean call(long n) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    interface ClientFactory {
        Client create(int index) throws Exception;
    }

    /** The measured figures, printed in the line format JmsLoad prints. */
    record Result(int clients, int seconds, int requests, long errors, double rps, double p50Ms, double p99Ms,
                  double maxMs) {
        String line() {
            return String.format(java.util.Locale.ROOT,
                    "clients=%d seconds=%d requests=%d errors=%d rps=%.1f p50=%.2fms p99=%.2fms max=%.1fms",
                    clients, seconds, requests, errors, rps, p50Ms, p99Ms, maxMs);
        }
    }

    private LoadRun() {
    }

    static Result run(int clients, double warmupSeconds, double seconds, ClientFactory factory) throws InterruptedException {
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long end = warmupEnd + (long) (seconds * 1e9);
        AtomicLong errors = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
        List<long[]> latencies = new ArrayList<>();
        int[] measured = new int[clients];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long[] mine = new long[1 << 20];
            latencies.add(mine);
            int index = c;
            Thread thread = new Thread(() -> {
                try (Client client = factory.create(index)) {
                    long n = 0;
                    int count = 0;
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        boolean ok;
                        try {
                            ok = client.call(n++);
                        } catch (Exception e) {
                            ok = false;
                            if (firstFailure.compareAndSet(null, e.toString())) {
                                System.err.println("client " + index + ": " + e);
                            }
                        }
                        long took = System.nanoTime() - start;
                        if (!ok) {
                            errors.incrementAndGet();
                        } else if (start > warmupEnd && count < mine.length) {
                            mine[count++] = took;
                        }
                    }
                    measured[index] = count;
                } catch (Exception e) {
                    errors.incrementAndGet();
                    System.err.println("client " + index + ": " + e);
                }
            }, "load-" + c);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        int total = Arrays.stream(measured).sum();
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(latencies.get(c), 0, all, at, measured[c]);
            at += measured[c];
        }
        Arrays.sort(all);
        return new Result(clients, (int) Math.round(seconds), total, errors.get(), total / seconds, pct(all, 0.50),
                pct(all, 0.99), all.length == 0 ? 0 : all[all.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
