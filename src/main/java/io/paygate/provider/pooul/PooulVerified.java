package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * A Pooul answer of either API that passed its data format ({@link PooulClassicFormat},
 * {@link PooulV2Format}): {@code code} and {@code msg}, and the {@code data} object (missing when
 * there is none). Only those data formats make one, so a result mapper that takes it
 * ({@link PooulMapping}) can never see an answer that was not checked.
 *
 * <p>{@code signed} is false only for an error answer that came without a signature (the data
 * formats refuse an unsigned answer that claims success), which is never read as success.
 * {@code envelope} is the whole classic body, for {@code time_end}, which one documented classic
 * query answer carries outside {@code data}.
 */
public final class PooulVerified {
    private final String code;
    private final String msg;
    private final JsonNode data;
    private final boolean signed;
    private final JsonNode envelope;

    PooulVerified(String code, String msg, JsonNode data, boolean signed, JsonNode envelope) {
        this.code = code;
        this.msg = msg;
        this.data = data;
        this.signed = signed;
        this.envelope = envelope;
    }

    /** An error answer without a signature: its code and message, nothing else. */
    static PooulVerified unsignedError(String code, String msg) {
        return new PooulVerified(code, msg, MissingNode.getInstance(), false, MissingNode.getInstance());
    }

    /** Pooul's {@code code} 0: the operation was done. */
    public boolean ok() {
        return "0".equals(code);
    }

    public String code() {
        return code;
    }

    public String msg() {
        return msg;
    }

    /** The {@code data} object as verified (a missing node when there is none). */
    public JsonNode data() {
        return data;
    }

    public boolean signed() {
        return signed;
    }

    public JsonNode envelope() {
        return envelope;
    }

    /** A text field of {@code data}, null when absent or blank. */
    public String text(String field) {
        return PooulFields.text(data, field);
    }
}
