package io.paygate.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One merchant from {@code config/merchants.yaml}. The provider sections are read by the provider
 * modules (io.paygate.provider.ProviderModule), each into its own settings type; this record knows
 * no provider by name. Holds credentials: {@link #toString()} never prints them.
 *
 * @param provider the default provider: the one a request takes when it names none and no routing
 *        rule matches; null when the routing rules alone decide
 * @param providers the merchant's provider sections by provider name, in file order
 * @param routing the {@code routing:} rules, first match wins; empty: every payment goes to {@code provider}
 */
public record MerchantProfile(
        String id,
        String provider,
        String apiToken,
        String callbackSecret,
        String notifyUrl,
        List<String> callbackHosts,
        List<Integer> retrySchedule,
        Map<String, Section> providers,
        List<RoutingRule> routing) {

    public static final List<Integer> DEFAULT_RETRY_SCHEDULE = List.of(15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600);

    public MerchantProfile {
        providers = Map.copyOf(providers);
        routing = routing == null ? List.of() : List.copyOf(routing);
    }

    /** A profile with one provider for every payment (no routing rules). */
    public MerchantProfile(String id, String provider, String apiToken, String callbackSecret, String notifyUrl,
                           List<String> callbackHosts, List<Integer> retrySchedule, Map<String, Section> providers) {
        this(id, provider, apiToken, callbackSecret, notifyUrl, callbackHosts, retrySchedule, providers, List.of());
    }

    /**
     * The provider a new payment of this channel and method goes to: the first routing rule that
     * matches, else the default provider; empty when neither applies. An order already in the
     * ledger keeps the provider that took it, whatever the rules say now.
     */
    public Optional<String> route(io.paygate.canonical.Channel channel, io.paygate.canonical.PayMethod method) {
        for (RoutingRule rule : routing) {
            if (rule.matches(channel, method)) {
                return Optional.of(rule.provider());
            }
        }
        return Optional.ofNullable(provider);
    }

    /**
     * One provider section: the module's settings and the merchant's own HTTP timeouts for that
     * provider ({@code connectTimeout}, {@code readTimeout}; empty: the provider's default).
     */
    public record Section(ProviderSettings settings, Optional<Duration> connectTimeout, Optional<Duration> readTimeout) {
        public static Section of(ProviderSettings settings) {
            return new Section(settings, Optional.empty(), Optional.empty());
        }
    }

    /** Does this profile carry settings for the provider? */
    public boolean supports(String providerName) {
        return providers.containsKey(providerName);
    }

    /** The merchant's settings of a provider, if it has that section. */
    public Optional<Section> section(String providerName) {
        return Optional.ofNullable(providers.get(providerName));
    }

    /** The merchant's settings of the given type (each provider module has its own), or null. */
    public <T extends ProviderSettings> T settings(Class<T> type) {
        for (Section s : providers.values()) {
            if (type.isInstance(s.settings())) {
                return type.cast(s.settings());
            }
        }
        return null;
    }

    /** A copy with one provider section more (tests, and modules that derive a profile). */
    public MerchantProfile with(String providerName, ProviderSettings settings) {
        Map<String, Section> copy = new java.util.LinkedHashMap<>(providers);
        copy.put(providerName, Section.of(settings));
        return new MerchantProfile(id, provider, apiToken, callbackSecret, notifyUrl, callbackHosts, retrySchedule, copy,
                routing);
    }

    @Override
    public String toString() {
        return "MerchantProfile[" + id + ", provider=" + provider + (routing.isEmpty() ? "" : ", routing=" + routing) + "]";
    }
}
