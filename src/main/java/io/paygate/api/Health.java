package io.paygate.api;

import io.paygate.store.Database;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;

/** {@code /observe/health}: 200 when started and every part (store, broker) answers, 503 otherwise. */
public final class Health {
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final Map<String, BooleanSupplier> checks = new LinkedHashMap<>();

    public Health(Database db) {
        checks.put("store", db::isHealthy);
    }

    public synchronized void addCheck(String name, BooleanSupplier check) {
        checks.put(name, check);
    }

    public void markStarted() {
        started.set(true);
    }

    public void markStopping() {
        started.set(false);
    }

    /** Stopping: new HTTP requests are refused from now on (the work in flight goes on). */
    public void refuseNewWork() {
        refusing.set(true);
    }

    public boolean refusingNewWork() {
        return refusing.get();
    }

    public synchronized void check(Exchange ex) {
        boolean up = started.get();
        StringBuilder parts = new StringBuilder("\"started\":").append(started.get());
        for (Map.Entry<String, BooleanSupplier> c : checks.entrySet()) {
            boolean ok = c.getValue().getAsBoolean();
            up &= ok;
            parts.append(",\"").append(c.getKey()).append("\":\"").append(ok ? "UP" : "DOWN").append('"');
        }
        ApiAnswer.finish(ex, up ? 200 : 503, "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"checks\":{" + parts + "}}");
    }
}
