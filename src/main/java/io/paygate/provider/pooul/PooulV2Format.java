package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.ErrorCode;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderCall;
import java.nio.charset.StandardCharsets;

/**
 * The data format {@code pooul-v2}: an API v2 answer, a compact RS256 JWS by the platform public
 * key whose payload is {@code {code, msg, data}}, or a plain JSON {@code {code, msg}} error
 * (docs/protocols/pooul.md). Its only output is a {@link PooulVerified}.
 */
public final class PooulV2Format extends PooulAnswerFormat {

    public PooulV2Format() {
    }

    @Override
    public PooulVerified verify(byte[] raw, ProviderCall call) {
        PooulSettings p = call.settings(PooulSettings.class);
        String text = new String(raw == null ? new byte[0] : raw, StandardCharsets.UTF_8).trim();
        if (text.startsWith("{")) {
            JsonNode plain = PooulFields.parse(raw, "answer");
            return unsigned(PooulFields.text(plain, "code"), PooulFields.text(plain, "msg"));
        }
        byte[] payload;
        try {
            payload = PooulJwt.verify(text, p.platformKey());
        } catch (PooulJwt.Invalid e) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer is not a valid token: " + e.getMessage());
        }
        JsonNode root = PooulFields.parse(payload, "answer's payload");
        String code = PooulFields.text(root, "code");
        if (code == null) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer carries no code");
        }
        JsonNode data = root.path("data");
        sameParties(data, p, call.request().orderId());
        return new PooulVerified(code, PooulFields.text(root, "msg"), data, true, root);
    }
}
