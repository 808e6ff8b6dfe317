package io.paygate.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured merchants, looked up by id or by bearer token. The merchants are one immutable
 * snapshot, swapped as a whole when the configuration is reloaded ({@link #replace}): every reader
 * sees the old or the new set, never a mix, and a caller that took a profile keeps it for its whole
 * request.
 *
 * <p>A merchant removed by a reload is <em>retired</em>: its token is refused at once
 * ({@link #byToken}, {@link #all}), but {@link #byId} still finds its last profile, so its open orders
 * are reconciled, its provider notifications accepted and its callbacks delivered until the
 * gateway restarts (docs/operations.md, "Reloading the configuration").
 */
public final class MerchantDirectory {
    private record Snapshot(Map<String, MerchantProfile> byId, List<String> eventQueueMerchants,
                            Map<String, MerchantProfile> retired, Map<java.nio.file.Path, String> namedFiles,
                            Map<String, BrokerLogin> brokerLogins) {
    }

    private volatile Snapshot snapshot;

    public MerchantDirectory(Map<String, MerchantProfile> byId) {
        this(byId, List.of());
    }

    public MerchantDirectory(Map<String, MerchantProfile> byId, List<String> eventQueueMerchants) {
        this(byId, eventQueueMerchants, Map.of());
    }

    /** @param brokerLogins each merchant's own broker login, by merchant id (merchants without one are absent) */
    public MerchantDirectory(Map<String, MerchantProfile> byId, List<String> eventQueueMerchants,
                             Map<String, BrokerLogin> brokerLogins) {
        this.snapshot = new Snapshot(Map.copyOf(byId), List.copyOf(eventQueueMerchants), Map.of(), Map.of(),
                Map.copyOf(brokerLogins));
    }

    /** The same merchants, remembering the files their sections name, for the reload's watch and hash. */
    MerchantDirectory withNamedFiles(Map<java.nio.file.Path, String> files) {
        Snapshot s = snapshot;
        snapshot = new Snapshot(s.byId(), s.eventQueueMerchants(), s.retired(), Map.copyOf(files), s.brokerLogins());
        return this;
    }

    /**
     * Swaps in the merchants of {@code next} (a freshly loaded, checked directory) at once. Merchants
     * it no longer holds become retired; a retired merchant configured again is active again.
     */
    public void replace(MerchantDirectory next) {
        synchronized (this) {
            Snapshot old = snapshot;
            Snapshot n = next.snapshot;
            Map<String, MerchantProfile> retired = new LinkedHashMap<>(old.retired());
            old.byId().forEach((id, p) -> {
                if (!n.byId().containsKey(id)) {
                    retired.put(id, p);
                }
            });
            retired.keySet().removeAll(n.byId().keySet());
            snapshot = new Snapshot(n.byId(), n.eventQueueMerchants(), Map.copyOf(retired), n.namedFiles(), n.brokerLogins());
        }
    }

    /** Merchants with {@code eventsQueue: true}: a durable queue on the events topic keeps their events. */
    public List<String> eventQueueMerchants() {
        return snapshot.eventQueueMerchants();
    }

    /** The merchants' own broker logins, by merchant id (configured merchants only: a retired one has lost its login). */
    public Map<String, BrokerLogin> brokerLogins() {
        return snapshot.brokerLogins();
    }

    /** The merchant whose own broker login this user is; empty for any other login (the ESB's, the gateway's). */
    public Optional<String> merchantOfBrokerUser(String user) {
        if (user == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, BrokerLogin> e : snapshot.brokerLogins().entrySet()) {
            if (e.getValue().user().equals(user)) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** The files the merchants' sections name (certificates, PEM keys), each with the section that names it. */
    public Map<java.nio.file.Path, String> namedFiles() {
        return snapshot.namedFiles();
    }

    /** A configured merchant, or a retired one (removed by a reload, still finishing its orders). */
    public Optional<MerchantProfile> byId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Snapshot s = snapshot;
        MerchantProfile p = s.byId().get(id);
        return Optional.ofNullable(p != null ? p : s.retired().get(id));
    }

    /**
     * The configured merchant whose API token this is (never a retired one). Every profile is
     * compared in constant time, so the answer's timing tells nothing about how much of a token matched.
     */
    public Optional<MerchantProfile> byToken(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        MerchantProfile found = null;
        for (MerchantProfile p : snapshot.byId().values()) {
            if (MessageDigest.isEqual(given, p.apiToken().getBytes(StandardCharsets.UTF_8))) {
                found = p;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The configured merchants (not the retired ones). */
    public Collection<MerchantProfile> all() {
        return snapshot.byId().values();
    }

    /** Ids of merchants removed by a reload whose orders are still served until the gateway restarts. */
    public java.util.Set<String> retiredIds() {
        return snapshot.retired().keySet();
    }
}
