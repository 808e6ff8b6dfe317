package io.paygate.sandbox.wechat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the API calls received per endpoint, failed ones included, so a test can assert how
 * often the gateway really called WeChat (e.g. that a retry happened, or that a cache held).
 */
final class SimCallCounter {

    private final Map<String, AtomicLong> calls;

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

    /** A snapshot per endpoint, in endpoint order. */
    Map<String, Long> snapshot() {
        Map<String, Long> copy = new LinkedHashMap<>();
        calls.forEach((endpoint, counter) -> copy.put(endpoint, counter.get()));
        return Collections.unmodifiableMap(copy);
    }
}
