package io.paygate.sandbox.wechat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the API calls received per endpoint, failed ones included, so a test can assert how
 * often the gateway really called WeChat (e.g. that a retry happened, or that a cache held); and
 * keeps the last {@link #LOG_LIMIT} calls that could be read (time, path, out_trade_no,
 * out_refund_no), so a test can count the calls per order (e.g. that two gateways never charged
 * one order twice).
 */
final class SimCallCounter {
    /** About 10 MB at most: enough for a load test of a few minutes. */
    static final int LOG_LIMIT = 100_000;

    /** One API call whose XML could be read: when it came and which order and refund it named. */
    record Logged(long atMillis, String path, String outTradeNo, String outRefundNo) {
    }

    private final Map<String, AtomicLong> calls;
    private final ArrayDeque<Logged> log = new ArrayDeque<>();
    private long dropped;

    SimCallCounter(List<String> endpoints) {
        // Fixed keys, filled once: concurrent increments and reads need no further locking.
        Map<String, AtomicLong> counters = new LinkedHashMap<>();
        endpoints.forEach(endpoint -> counters.put(endpoint, new AtomicLong()));
        this.calls = Collections.unmodifiableMap(counters);
    }

    void count(String endpoint) {
        AtomicLong counter = calls.get(endpoint);
        if (counter != null) {
            counter.incrementAndGet();
        }
    }

    /** Logs a call that named an order or a refund; the oldest entry goes when the log is full. */
    void log(String path, String outTradeNo, String outRefundNo) {
        if (outTradeNo == null && outRefundNo == null) {
            return;
        }
        Logged entry = new Logged(System.currentTimeMillis(), path, outTradeNo, outRefundNo);
        synchronized (log) {
            if (log.size() == LOG_LIMIT) {
                log.removeFirst();
                dropped++;
            }
            log.addLast(entry);
        }
    }

    /** The logged calls, oldest first, that name this order (all of them when null). */
    List<Logged> logged(String outTradeNo) {
        synchronized (log) {
            List<Logged> copy = new ArrayList<>();
            for (Logged l : log) {
                if (outTradeNo == null || outTradeNo.equals(l.outTradeNo())) {
                    copy.add(l);
                }
            }
            return copy;
        }
    }

    /** How many logged calls were dropped because the log was full. */
    long dropped() {
        synchronized (log) {
            return dropped;
        }
    }

    /** A snapshot per endpoint, in endpoint order. */
    Map<String, Long> snapshot() {
        Map<String, Long> copy = new LinkedHashMap<>();
        calls.forEach((endpoint, counter) -> copy.put(endpoint, counter.get()));
        return Collections.unmodifiableMap(copy);
    }
}
