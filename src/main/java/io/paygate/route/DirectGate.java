package io.paygate.route;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;

/**
 * The gate every {@code direct:} call passes ({@link GatedDirectComponent}), closed by the route
 * reloader around the replacement of a route, so that no call can enter a route being stopped.
 *
 * <p>Why: Camel's direct producer keeps the consumer it last found and looks again only when a
 * consumer was added or removed. A caller that took the old route's consumer an instant before the
 * route was stopped can enter it after its steps were stopped ("SendProcessor has not been
 * started"): the request fails although nothing reached the provider. The gate closes that window:
 *
 * <ol>
 *   <li>{@link #close} closes the endpoints of the routes about to be replaced: a new call to them
 *       waits at the gate, before it picks a consumer;</li>
 *   <li>it then waits until no call to them is under way, a call counting from the gate until its
 *       route answered, so the exchanges in flight finish on the old route;</li>
 *   <li>the routes are replaced, and {@link #open} lets the waiting calls through, to the new
 *       consumer.</li>
 * </ol>
 *
 * A call made from inside a route behind a closed gate (a route calling another route of the same
 * file) passes: its exchange is one of those being waited for. The wait for the calls under way is
 * bounded; past it the routes are replaced anyway, and a late call can meet the old race. Once the
 * gate opens, the calls find the new consumer: {@link GatedDirectComponent}'s producers look it up
 * again after every change (Camel's own cache could hand a caller the old one, see there).
 */
public final class DirectGate {
    private final Object lock = new Object();
    /** Calls under way, by endpoint key. */
    private final Map<String, Integer> underWay = new HashMap<>();
    /** Endpoint keys held by the exchanges under way, by exchange id (an exchange can be inside several). */
    private final Map<String, Map<String, Integer>> held = new HashMap<>();
    private final Set<String> closed = new HashSet<>();

    /**
     * Lets a call to the endpoint {@code key} through, waiting while the endpoint is closed unless the
     * exchange (or the exchange it was split from) is already inside a closed endpoint.
     */
    public void enter(String key, Exchange exchange) throws InterruptedException {
        String id = exchange.getExchangeId();
        synchronized (lock) {
            while (closed.contains(key) && !insideClosed(id) && !insideClosed(parentOf(exchange))) {
                lock.wait();
            }
            underWay.merge(key, 1, Integer::sum);
            held.computeIfAbsent(id, x -> new HashMap<>()).merge(key, 1, Integer::sum);
        }
    }

    /** The call to {@code key} entered by this exchange has ended. */
    public void exit(String key, Exchange exchange) {
        String id = exchange.getExchangeId();
        synchronized (lock) {
            underWay.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
            Map<String, Integer> keys = held.get(id);
            if (keys != null) {
                keys.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
                if (keys.isEmpty()) {
                    held.remove(id);
                }
            }
            lock.notifyAll();
        }
    }

    /**
     * Closes these endpoints and waits until no call to them is under way, at most {@code drain}.
     *
     * @return true when they drained, false when the wait ran out (the endpoints are closed either way)
     */
    public boolean close(Set<String> keys, Duration drain) throws InterruptedException {
        long deadline = System.nanoTime() + drain.toNanos();
        synchronized (lock) {
            closed.addAll(keys);
            while (keys.stream().anyMatch(underWay::containsKey)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** Opens these endpoints again: the calls waiting go on. */
    public void open(Set<String> keys) {
        synchronized (lock) {
            closed.removeAll(keys);
            lock.notifyAll();
        }
    }

    /** Calls under way to this endpoint (for tests and the admin answers). */
    public int underWay(String key) {
        synchronized (lock) {
            return underWay.getOrDefault(key, 0);
        }
    }

    private boolean insideClosed(String exchangeId) {
        if (exchangeId == null) {
            return false;
        }
        Map<String, Integer> keys = held.get(exchangeId);
        return keys != null && keys.keySet().stream().anyMatch(closed::contains);
    }

    /** The exchange a split, multicast or recipient list copied this one from. */
    private static String parentOf(Exchange exchange) {
        return exchange.getProperty(ExchangePropertyKey.CORRELATION_ID, String.class);
    }
}
