package io.paygate.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** The configured merchants, looked up by id or by bearer token. */
public final class MerchantDirectory {
    private final Map<String, MerchantProfile> byId;
    private final java.util.List<String> eventQueueMerchants;

    public MerchantDirectory(Map<String, MerchantProfile> byId) {
        this(byId, java.util.List.of());
    }

    public MerchantDirectory(Map<String, MerchantProfile> byId, java.util.List<String> eventQueueMerchants) {
        this.byId = Map.copyOf(byId);
        this.eventQueueMerchants = java.util.List.copyOf(eventQueueMerchants);
    }

    /** Merchants with {@code eventsQueue: true}: a durable queue on the events topic keeps their events. */
    public java.util.List<String> eventQueueMerchants() {
        return eventQueueMerchants;
    }

    public Optional<MerchantProfile> byId(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    /**
     * The merchant whose API token this is. Every profile is compared in constant time, so the
     * answer's timing tells nothing about how much of a token matched.
     */
    public Optional<MerchantProfile> byToken(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        MerchantProfile found = null;
        for (MerchantProfile p : byId.values()) {
            if (MessageDigest.isEqual(given, p.apiToken().getBytes(StandardCharsets.UTF_8))) {
                found = p;
            }
        }
        return Optional.ofNullable(found);
    }

    public Collection<MerchantProfile> all() {
        return byId.values();
    }
}
