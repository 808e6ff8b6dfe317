package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.ErrorCode;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderCall;

/**
 * The data format {@code pooul-classic}: a classic API answer, JSON {@code {code, msg, data, sign}}
 * whose MD5 {@code sign} covers the {@code data} object as it arrived (docs/protocols/pooul.md).
 * Its only output is a {@link PooulVerified}.
 */
public final class PooulClassicFormat extends PooulAnswerFormat {

    public PooulClassicFormat() {
    }

    @Override
    public PooulVerified verify(byte[] raw, ProviderCall call) {
        PooulSettings p = call.settings(PooulSettings.class);
        JsonNode root = PooulFields.parse(raw, "answer");
        String code = PooulFields.text(root, "code");
        String msg = PooulFields.text(root, "msg");
        JsonNode data = root.get("data");
        String sign = PooulFields.text(root, "sign");
        if (sign == null || data == null || !data.isObject()) {
            return unsigned(code, msg);
        }
        if (!PooulSigner.verify(PooulSigner.fieldsOf(data), sign, p.key())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer failed MD5 signature verification");
        }
        if (code == null) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer carries no code");
        }
        sameParties(data, p, call.request().orderId());
        return new PooulVerified(code, msg, data, true, root);
    }
}
