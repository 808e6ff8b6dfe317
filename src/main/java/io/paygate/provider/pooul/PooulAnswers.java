package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Json;
import io.paygate.provider.AnswerRejected;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Verifies Pooul's raw answers before any field is used, then hands out {@link PooulAnswer}.
 * Classic: the MD5 {@code sign} over the {@code data} object as it arrived. v2: the RS256 JWS by the
 * platform public key. In both, an answer without a valid signature is read only as an error, and
 * one that claims success without a signature is refused; a signed answer that names another
 * merchant or order is refused too.
 */
final class PooulAnswers {
    /** Strict JSON (duplicate keys refused), fractions kept in the text they came in for signing. */
    static final ObjectMapper JSON = Json.mapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private PooulAnswers() {
    }

    static PooulAnswer classic(byte[] raw, PooulSettings p, String orderId) {
        JsonNode root = parse(raw, "answer");
        String code = PooulFields.text(root, "code");
        String msg = PooulFields.text(root, "msg");
        JsonNode data = root.get("data");
        String sign = PooulFields.text(root, "sign");
        boolean hasData = data != null && data.isObject();
        if (sign == null || !hasData) {
            return unsigned(code, msg);
        }
        if (!PooulSigner.verify(PooulSigner.fieldsOf(data), sign, p.key())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer failed MD5 signature verification");
        }
        if (code == null) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer carries no code");
        }
        sameParties(data, p, orderId);
        return new PooulAnswer(code, msg, data, true, root);
    }

    static PooulAnswer v2(byte[] raw, PooulSettings p, String orderId) {
        String text = new String(raw == null ? new byte[0] : raw, StandardCharsets.UTF_8).trim();
        if (text.startsWith("{")) {
            JsonNode plain = parse(raw, "answer");
            return unsigned(PooulFields.text(plain, "code"), PooulFields.text(plain, "msg"));
        }
        byte[] payload;
        try {
            payload = PooulJwt.verify(text, p.platformKey());
        } catch (PooulJwt.Invalid e) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer is not a valid token: " + e.getMessage());
        }
        JsonNode root = parse(payload, "answer's payload");
        String code = PooulFields.text(root, "code");
        if (code == null) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer carries no code");
        }
        JsonNode data = root.path("data");
        sameParties(data, p, orderId);
        return new PooulAnswer(code, PooulFields.text(root, "msg"), data, true, root);
    }

    /** An answer without a signature: an error at most. */
    private static PooulAnswer unsigned(String code, String msg) {
        if (code == null || "0".equals(code)) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer claims success without a valid signature");
        }
        return PooulAnswer.unsignedError(code, msg);
    }

    private static void sameParties(JsonNode data, PooulSettings p, String orderId) {
        String merchant = PooulFields.text(data, "merchant_id");
        if (merchant != null && !merchant.equals(p.merchantId())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer names another merchant_id");
        }
        String order = PooulFields.text(data, "mch_trade_id");
        if (order != null && orderId != null && !order.equals(orderId)) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer names another mch_trade_id");
        }
    }

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
}
