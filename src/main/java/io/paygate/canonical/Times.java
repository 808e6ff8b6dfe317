package io.paygate.canonical;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Times in the contract: ISO-8601 with offset, written in +08:00 (providers speak Asia/Shanghai). */
public final class Times {
    public static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

    private Times() {
    }

    public static String format(Instant t) {
        return t == null ? null : ISO.format(t.atZone(SHANGHAI));
    }

    public static Instant parse(String iso) {
        return iso == null ? null : OffsetDateTime.parse(iso).toInstant();
    }
}
