package io.paygate.reconcile;

import io.paygate.config.GatewaySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The reconciliation timings ({@code gateway.reconcile.*}, {@code gateway.order.*},
 * {@code gateway.micro.*}; docs/configuration.md), read once, plus the gateway's own limits on how
 * much one sweep does. The order and barcode timings may differ by provider
 * ({@link #of(String)}): each provider module's defaults carry its documented limits.
 */
public record ReconcileTimings(
        Duration minAge,
        List<Duration> backoff,
        Duration maxAge,
        Duration defaultLifetime,
        Duration minCloseAge,
        Duration pollDelay,
        Duration pollInterval,
        Duration pollLimit,
        Duration reverseAfter,
        Duration microWait,
        int batch,
        int perMerchant,
        Duration claimLease,
        java.util.Map<String, ProviderTimings> byProvider) {

    /**
     * The timings that may differ by provider: {@code gateway.<provider>.order.min-close-age} and
     * {@code gateway.<provider>.micro.poll-delay}, {@code poll-interval}, {@code poll-limit},
     * {@code reverse-after}, {@code wait} (GatewaySettings.forProvider: the operator's per-provider
     * value, else the operator's shared value, else the module's default, else the gateway's).
     */
    public record ProviderTimings(Duration minCloseAge, Duration pollDelay, Duration pollInterval, Duration pollLimit,
                                  Duration reverseAfter, Duration microWait) {
    }

    /** The timings of one provider's orders. */
    public ProviderTimings of(String provider) {
        ProviderTimings p = byProvider.get(provider);
        return p != null ? p : new ProviderTimings(minCloseAge, pollDelay, pollInterval, pollLimit, reverseAfter, microWait);
    }

    /** The shortest poll delay of any provider: a barcode payment is never due before it. */
    public Duration earliestPollDelay() {
        return byProvider.values().stream().map(ProviderTimings::pollDelay).reduce(pollDelay,
                (a, b) -> a.compareTo(b) <= 0 ? a : b);
    }

    /** The longest barcode wait of any provider (how long a till's request holds its order). */
    public Duration longestMicroWait() {
        return byProvider.values().stream().map(ProviderTimings::microWait).reduce(microWait,
                (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }

    public static ReconcileTimings from(GatewaySettings s) {
        return from(s, io.paygate.provider.ProviderModules.names());
    }

    public static ReconcileTimings from(GatewaySettings s, java.util.Collection<String> providers) {
        java.util.Map<String, ProviderTimings> byProvider = new java.util.LinkedHashMap<>();
        for (String p : providers) {
            byProvider.put(p, new ProviderTimings(seconds(s, p, "order.min-close-age"), seconds(s, p, "micro.poll-delay"),
                    seconds(s, p, "micro.poll-interval"), seconds(s, p, "micro.poll-limit"),
                    seconds(s, p, "micro.reverse-after"), seconds(s, p, "micro.wait")));
        }
        List<Duration> backoff = new ArrayList<>();
        for (String part : s.get("gateway.reconcile.backoff").split(",")) {
            try {
                long seconds = Long.parseLong(part.trim());
                if (seconds < 1) {
                    throw new NumberFormatException();
                }
                backoff.add(Duration.ofSeconds(seconds));
            } catch (NumberFormatException e) {
                throw new io.paygate.config.ConfigException("application.properties", "gateway.reconcile.backoff",
                        "expected seconds separated by commas, e.g. 60,120,300,600,1800");
            }
        }
        return new ReconcileTimings(s.seconds("gateway.reconcile.min-age"), List.copyOf(backoff),
                s.seconds("gateway.reconcile.max-age"), s.seconds("gateway.order.default-lifetime"),
                s.seconds("gateway.order.min-close-age"), s.seconds("gateway.micro.poll-delay"),
                s.seconds("gateway.micro.poll-interval"), s.seconds("gateway.micro.poll-limit"),
                s.seconds("gateway.micro.reverse-after"), s.seconds("gateway.micro.wait"),
                s.intValue("gateway.reconcile.batch", 1, 100_000), s.intValue("gateway.reconcile.per-merchant", 1, 100_000),
                s.seconds("gateway.reconcile.claim-lease"), java.util.Map.copyOf(byProvider));
    }

    private static Duration seconds(GatewaySettings s, String provider, String rest) {
        String v = s.forProvider(provider, rest);
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(n);
        } catch (NumberFormatException e) {
            throw new io.paygate.config.ConfigException("application.properties", "gateway." + provider + "." + rest,
                    "expected whole seconds >= 0");
        }
    }

    /** The wait before the next look after {@code checks} looks (the last entry repeats). */
    public Duration backoffAfter(int checks) {
        return backoff.get(Math.min(Math.max(checks, 0), backoff.size() - 1));
    }
}
