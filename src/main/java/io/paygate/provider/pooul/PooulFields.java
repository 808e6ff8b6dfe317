package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.Times;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reading Pooul's loosely typed fields: the documents show {@code total_fee} as a number and as a
 * numeric string, and {@code time_end} as 10-digit seconds, 13-digit milliseconds and
 * {@code yyyyMMddHHmmss} (Asia/Shanghai), as a number or a string.
 */
final class PooulFields {
    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("uuuuMMddHHmmss")
            .withResolverStyle(java.time.format.ResolverStyle.STRICT);

    /** A field that cannot be read as its documented type. */
    static final class Unreadable extends RuntimeException {
        Unreadable(String field) {
            super("Pooul sent an unreadable " + field);
        }
    }

    private PooulFields() {
    }

    static String text(JsonNode object, String field) {
        if (object == null) {
            return null;
        }
        JsonNode v = object.get(field);
        if (v == null || v.isNull() || v.isMissingNode() || !v.isValueNode()) {
            return null;
        }
        String s = v.asText();
        return s.isBlank() ? null : s;
    }

    /** Fen as a JSON integer or a string of digits; a fraction, a sign or letters are unreadable. */
    static Long fen(JsonNode object, String field) {
        JsonNode v = object == null ? null : object.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0) {
            return v.asLong();
        }
        if (v.isTextual()) {
            String s = v.asText().trim();
            if (s.isEmpty()) {
                return null;
            }
            if (s.matches("\\d{1,15}")) {
                return Long.parseLong(s);
            }
        }
        throw new Unreadable(field);
    }

    /** A time in any of the three documented forms, as Asia/Shanghai time. */
    static Instant time(JsonNode object, String field) {
        JsonNode v = object == null ? null : object.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (!v.isIntegralNumber() && !v.isTextual()) {
            throw new Unreadable(field);
        }
        String s = v.asText().trim();
        if (s.isEmpty()) {
            return null;
        }
        try {
            if (s.matches("\\d{10}")) {
                return Instant.ofEpochSecond(Long.parseLong(s));
            }
            if (s.matches("\\d{13}")) {
                return Instant.ofEpochMilli(Long.parseLong(s));
            }
            if (s.matches("\\d{14}")) {
                return LocalDateTime.parse(s, COMPACT).atZone(Times.SHANGHAI).toInstant();
            }
        } catch (DateTimeParseException e) {
            throw new Unreadable(field);
        }
        throw new Unreadable(field);
    }
}
