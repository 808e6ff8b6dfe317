package io.paygate.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.canonical.Times;
import io.paygate.config.LiveConfig;
import io.paygate.config.MerchantProfile;
import io.paygate.route.RouteReloads;
import io.paygate.store.ConfigHistory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.apache.camel.Exchange;

/**
 * Operators' view of the live configuration (routes/admin.yaml), behind the admin tokens:
 * {@code GET /admin/config}, {@code GET /admin/config/history} and {@code POST /admin/config/reload},
 * for merchants.yaml (LiveConfig) and the route folder (RouteReloads) alike. Answers carry merchant
 * ids, route files and ids, hashes, key paths and one-line errors: never a configured value.
 */
public final class ConfigAdmin {
    private static final int MAX_HISTORY = 1000;
    /** How long POST /admin/config/reload waits for the route folder's attempt. */
    private static final java.time.Duration ROUTES_WAIT = java.time.Duration.ofSeconds(20);

    private final LiveConfig live;
    private final ConfigHistory history;
    private final ObjectMapper json;
    private final Predicate<Exchange> authorized;
    private final RouteReloads routes;

    /**
     * @param routes the route folder's reloads (RouteReloader): shown, listed and triggered with the merchants'
     * @param authorized the admin token check (answers 401 itself when it fails)
     */
    public ConfigAdmin(LiveConfig live, ConfigHistory history, RouteReloads routes, ObjectMapper json,
                       Predicate<Exchange> authorized) {
        this.live = live;
        this.routes = routes;
        this.history = history;
        this.json = json;
        this.authorized = authorized;
    }

    /** GET /admin/config. */
    public void status(Exchange ex) {
        if (!authorized.test(ex)) {
            return;
        }
        ObjectNode n = status(live.status());
        ArrayNode ids = n.putArray("merchants");
        live.merchants().all().stream().map(MerchantProfile::id).sorted().forEach(ids::add);
        ArrayNode retired = n.putArray("retiredMerchants");
        live.merchants().retiredIds().stream().sorted().forEach(retired::add);
        n.set("routes", routes(routes.status()));
        ApiAnswer.finish(ex, 200, n.toString());
    }

    /** GET /admin/config/history[?limit=n]: newest first. */
    public void history(Exchange ex) throws Exception {
        if (!authorized.test(ex)) {
            return;
        }
        int limit = 100;
        String asked = ex.getMessage().getHeader("limit", String.class);
        if (asked != null) {
            try {
                limit = Integer.parseInt(asked.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_HISTORY) {
                ApiAnswer.finish(ex, 400, "{\"error\":{\"code\":\"INVALID_REQUEST\",\"message\":\"limit: expected 1 to "
                        + MAX_HISTORY + "\",\"retryable\":false}}");
                return;
            }
        }
        // The merchants' loads (kept in the store) and the route folder's attempts (the last 50,
        // kept in memory), merged newest first.
        List<ObjectNode> entries = new ArrayList<>();
        for (ConfigHistory.Entry e : history.newest(limit)) {
            ObjectNode n = json.createObjectNode();
            n.put("kind", "merchants");
            n.put("at", Times.format(e.at()));
            n.put("outcome", e.outcome());
            n.put("trigger", e.trigger());
            n.put("contentHash", e.contentHash());
            n.put("version", e.version());
            JsonNode changes = e.changes() == null ? null : json.readTree(e.changes());
            n.set("changes", changes);
            n.put("error", e.error());
            entries.add(n);
        }
        for (RouteReloads.Entry e : routes.history()) {
            entries.add(route(e));
        }
        entries.sort(Comparator.comparing((ObjectNode n) -> Times.parse(n.get("at").asText())).reversed());
        ArrayNode out = json.createArrayNode();
        entries.stream().limit(limit).forEach(out::add);
        ApiAnswer.finish(ex, 200, out.toString());
    }

    /**
     * POST /admin/config/reload: 200 when applied or unchanged, 422 with the error when refused (the
     * running configuration stays), 409 when a file changed while it was read (try again).
     */
    public void reload(Exchange ex) {
        if (!authorized.test(ex)) {
            return;
        }
        LiveConfig.Result r = live.reload("admin");
        RouteReloads.Attempt routeAttempt = routes.reloadNow(ROUTES_WAIT);
        ObjectNode n = json.createObjectNode();
        n.put("outcome", r.outcome());
        n.set("config", status(r.status()));
        n.set("changes", json.valueToTree(r.changes()));
        n.put("error", r.error());
        ObjectNode rn = n.putObject("routes");
        rn.put("outcome", routeAttempt.outcome());
        rn.set("attempt", routeAttempt.entry() == null ? null : route(routeAttempt.entry()));
        rn.set("status", routes(routes.status()));
        boolean routesRefused = routeAttempt.outcome().equals("refused") || routeAttempt.outcome().equals("failed");
        int code = switch (r.outcome()) {
            case "refused" -> 422;
            case "unsettled" -> routesRefused ? 422 : 409;
            default -> routesRefused ? 422 : 200;
        };
        ApiAnswer.finish(ex, code, n.toString());
    }

    /** The route folder in force and its last attempt. */
    private ObjectNode routes(RouteReloads.Status s) {
        ObjectNode n = json.createObjectNode();
        n.put("enabled", s.enabled());
        n.put("contentHash", s.hash());
        n.put("loadedAt", s.loadedAt() == null ? null : Times.format(s.loadedAt()));
        n.put("version", s.version());
        n.set("last", s.last() == null ? null : route(s.last()));
        return n;
    }

    /** One route folder attempt, as a history entry: file names, route ids and one-line errors. */
    private ObjectNode route(RouteReloads.Entry e) {
        ObjectNode n = json.createObjectNode();
        n.put("kind", "routes");
        n.put("at", Times.format(e.at()));
        n.put("outcome", e.outcome().name().toLowerCase(Locale.ROOT));
        n.put("contentHash", e.hash());
        n.set("files", json.valueToTree(e.files()));
        n.set("routes", json.valueToTree(e.routes()));
        n.put("error", e.errors().isEmpty() ? null : String.join("; ", e.errors()));
        return n;
    }

    private ObjectNode status(LiveConfig.Status s) {
        ObjectNode n = json.createObjectNode();
        n.put("version", s.version());
        n.put("contentHash", s.contentHash());
        n.put("loadedAt", Times.format(s.loadedAt()));
        n.put("lastError", s.lastError());
        n.put("lastErrorAt", s.lastErrorAt() == null ? null : Times.format(s.lastErrorAt()));
        return n;
    }
}
