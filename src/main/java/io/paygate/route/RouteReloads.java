package io.paygate.route;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What became of the route files' reloads ({@link RouteReloader}): the routes in force (content hash
 * of the folder, when loaded, how many reloads were applied) and the last attempts, newest first.
 * Counted as {@code gateway_route_reloads_total{outcome}}. Holds file names and error lines only:
 * route files hold no secrets, and the errors name the file and the problem, never quote a line.
 */
public final class RouteReloads {
    /** APPLIED: the new routes serve. REFUSED: the folder did not validate; the running routes stay. FAILED: validated, but Camel could not start them; the previous routes were put back. */
    public enum Outcome { APPLIED, REFUSED, FAILED }

    /**
     * One reload attempt.
     *
     * @param files the route files that changed (added, edited or removed), by name
     * @param routes the route ids reloaded (APPLIED)
     * @param errors one line per problem, {@code <file>: <reason>} (REFUSED, FAILED)
     */
    public record Entry(Instant at, Outcome outcome, String hash, List<String> files, List<String> routes,
                        List<String> errors) {
        public Entry {
            files = List.copyOf(files);
            routes = List.copyOf(routes);
            errors = List.copyOf(errors);
        }
    }

    /**
     * The routes in force and the last attempt.
     *
     * @param enabled whether the folder is watched ({@code gateway.routes.reload})
     * @param hash the content hash of the route files in force ({@code sha256:<hex>})
     * @param loadedAt when they were loaded (start-up or the last applied reload)
     * @param version 1 at start-up, one more per applied reload
     * @param last the last attempt, or null when none was made
     */
    public record Status(boolean enabled, String hash, Instant loadedAt, long version, Entry last) {
    }

    private static final int HISTORY = 50;

    private final boolean enabled;
    private final MeterRegistry registry;
    private final Deque<Entry> history = new ArrayDeque<>();
    private String hash;
    private Instant loadedAt;
    private long version;
    /** The reloader's "check the folder now", while it watches (RouteReloader.start). */
    private volatile Supplier<Entry> trigger;

    /**
     * What a reload asked for by hand ({@code POST /admin/config/reload}) did.
     *
     * @param outcome applied, refused, failed, unchanged (no route file changed), pending (still
     *                under way when the caller stopped waiting) or disabled
     *                ({@code gateway.routes.reload=false}: the folder is not reloaded)
     * @param entry the attempt, or null when unchanged or disabled
     */
    public record Attempt(String outcome, Entry entry) {
    }

    public RouteReloads(boolean enabled, MeterRegistry registry) {
        this.enabled = enabled;
        this.registry = registry;
        // Every outcome in the scrape from the start (at 0), so an alert on its rate has a series.
        if (registry != null) {
            for (Outcome o : Outcome.values()) {
                counter(o);
            }
        }
    }

    private Counter counter(Outcome o) {
        return Counter.builder("gateway.route.reloads").description("Route folder reloads, by outcome")
                .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
    }

    /** The routes loaded at start-up. */
    public synchronized void started(String hash, Instant at) {
        this.hash = hash;
        this.loadedAt = at;
        this.version = 1;
    }

    public synchronized void record(Entry entry) {
        if (entry.outcome() == Outcome.APPLIED) {
            hash = entry.hash();
            loadedAt = entry.at();
            version++;
        }
        history.addFirst(entry);
        while (history.size() > HISTORY) {
            history.removeLast();
        }
        if (registry != null) {
            counter(entry.outcome()).increment();
        }
    }

    /** The reloader that {@link #reloadNow} runs; null when it stops. */
    public void attach(Supplier<Entry> reloader) {
        this.trigger = reloader;
    }

    /**
     * Checks the route folder now and applies what changed, as a file change does, waiting at most
     * {@code wait} for the outcome ("pending" past it: the attempt goes on and is in the history).
     * The attempt runs on its own thread, so a change to the route that asked (routes/admin.yaml)
     * can wait for that request to finish.
     */
    public Attempt reloadNow(java.time.Duration wait) {
        Supplier<Entry> t = trigger;
        if (t == null) {
            return new Attempt("disabled", null);
        }
        java.util.concurrent.CompletableFuture<Entry> run = new java.util.concurrent.CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                run.complete(t.get());
            } catch (RuntimeException e) {
                run.completeExceptionally(e);
            }
        }, "route-reload-admin");
        worker.setDaemon(true);
        worker.start();
        Entry e;
        try {
            e = run.get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException timeout) {
            return new Attempt("pending", null);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return new Attempt("pending", null);
        } catch (java.util.concurrent.ExecutionException failed) {
            throw new IllegalStateException("route reload failed", failed.getCause());
        }
        return e == null ? new Attempt("unchanged", null) : new Attempt(e.outcome().name().toLowerCase(Locale.ROOT), e);
    }

    public synchronized Status status() {
        return new Status(enabled, hash, loadedAt, version, history.peekFirst());
    }

    /** The last reload attempts (at most 50), newest first. */
    public synchronized List<Entry> history() {
        return new ArrayList<>(history);
    }
}
