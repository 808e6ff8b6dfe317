package io.paygate.config;

import java.time.Instant;
import java.util.List;

/**
 * A provider key before a rotation, still accepted for what the provider sends (notifications)
 * strictly before {@code until}; never used for what the gateway sends. Holds a credential:
 * {@link #toString()} never prints it.
 */
public record PreviousKey(String key, Instant until) {

    /** The keys to try at {@code now}: {@code current}, then the previous key while its window lasts. */
    public static List<String> inboundKeys(String current, PreviousKey previous, Instant now) {
        if (previous != null && now.isBefore(previous.until())) {
            return List.of(current, previous.key());
        }
        return List.of(current);
    }

    @Override
    public String toString() {
        return "PreviousKey[until=" + until + "]";
    }
}
