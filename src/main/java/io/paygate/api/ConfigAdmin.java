package io.paygate.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.canonical.Times;
import io.paygate.config.LiveConfig;
import io.paygate.config.MerchantProfile;
import io.paygate.store.ConfigHistory;
import java.util.function.Predicate;
import org.apache.camel.Exchange;

/**
 * Operators' view of the live configuration (routes/admin.yaml), behind the admin tokens:
 * {@code GET /admin/config}, {@code GET /admin/config/history} and {@code POST /admin/config/reload}.
 * Answers carry merchant ids, hashes, key paths and one-line errors: never a configured value.
 */
public final class ConfigAdmin {
    private static final int MAX_HISTORY = 1000;

    private final LiveConfig live;
    private final ConfigHistory history;
    private final ObjectMapper json;
    private final Predicate<Exchange> authorized;

    /** @param authorized the admin token check (answers 401 itself when it fails) */
    public ConfigAdmin(LiveConfig live, ConfigHistory history, ObjectMapper json, Predicate<Exchange> authorized) {
        this.live = live;
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
        ArrayNode out = json.createArrayNode();
        for (ConfigHistory.Entry e : history.newest(limit)) {
            ObjectNode n = out.addObject();
            n.put("at", Times.format(e.at()));
            n.put("outcome", e.outcome());
            n.put("trigger", e.trigger());
            n.put("contentHash", e.contentHash());
            n.put("version", e.version());
            JsonNode changes = e.changes() == null ? null : json.readTree(e.changes());
            n.set("changes", changes);
            n.put("error", e.error());
        }
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
        ObjectNode n = json.createObjectNode();
        n.put("outcome", r.outcome());
        n.set("config", status(r.status()));
        n.set("changes", json.valueToTree(r.changes()));
        n.put("error", r.error());
        int code = switch (r.outcome()) {
            case "refused" -> 422;
            case "unsettled" -> 409;
            default -> 200;
        };
        ApiAnswer.finish(ex, code, n.toString());
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
