package io.paygate.reconcile;

import io.paygate.config.GatewaySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The reconciliation timings of CONTRACT.md ({@code gateway.reconcile.*}, {@code gateway.order.*},
 * {@code gateway.micro.*}), read once, plus the gateway's own limits on how much one sweep does.
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
        Duration claimLease) {

    public static ReconcileTimings from(GatewaySettings s) {
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
                s.seconds("gateway.reconcile.claim-lease"));
    }

    /** The wait before the next look after {@code checks} looks (the last entry repeats). */
    public Duration backoffAfter(int checks) {
        return backoff.get(Math.min(Math.max(checks, 0), backoff.size() - 1));
    }
}
