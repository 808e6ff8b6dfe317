package io.paygate.api;

import io.paygate.store.Database;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;

/** {@code /observe/health}: 200 when started and the store answers, 503 otherwise. */
public final class Health {
    private final AtomicBoolean started = new AtomicBoolean();
    private final Database db;

    public Health(Database db) {
        this.db = db;
    }

    public void markStarted() {
        started.set(true);
    }

    public void markStopping() {
        started.set(false);
    }

    public void check(Exchange ex) {
        boolean store = db.isHealthy();
        boolean up = started.get() && store;
        ApiAnswer.finish(ex, up ? 200 : 503, "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"checks\":{\"started\":"
                + started.get() + ",\"store\":\"" + (store ? "UP" : "DOWN") + "\"}}");
    }
}
