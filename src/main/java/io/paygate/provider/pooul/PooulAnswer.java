package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * An answer of either API after verification: {@code code} and {@code msg}, and the {@code data}
 * object (missing when there is none). {@code signed} is false only for an error answer that came
 * without a signature, which is never read as success. {@code envelope} is the whole classic body,
 * for {@code time_end}, which one documented classic query answer carries outside {@code data}.
 */
public record PooulAnswer(String code, String msg, JsonNode data, boolean signed, JsonNode envelope) {

    public boolean ok() {
        return "0".equals(code);
    }

    public String text(String field) {
        return PooulFields.text(data, field);
    }

    static PooulAnswer unsignedError(String code, String msg) {
        return new PooulAnswer(code, msg, MissingNode.getInstance(), false, MissingNode.getInstance());
    }
}
