package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Json;
import io.paygate.canonical.Times;
import io.paygate.provider.AnswerRejected;
import java.io.IOException;
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
    /** Strict JSON (duplicate keys refused), fractions kept in the text they came in for signing. */
    static final ObjectMapper JSON = Json.mapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

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

    /** A JSON object, or an {@link AnswerRejected} that never quotes the input. */
    static JsonNode parse(byte[] raw, String what) {
        try {
            JsonNode n = raw == null || raw.length == 0 ? null : JSON.readTree(raw);
            if (n == null || !n.isObject()) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's " + what + " is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            // Jackson's message quotes the input: never pass it on.
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's " + what + " is not valid JSON");
        }
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
