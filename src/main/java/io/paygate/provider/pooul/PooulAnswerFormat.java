package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.ErrorCode;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderAnswerFormat;
import io.paygate.provider.ProviderHttpStatus;

/**
 * What the two Pooul data formats share: an HTTP status other than 200 is a
 * {@link ProviderHttpStatus}; the raw answer is handed to the wire format's check, whose only
 * output is a {@link PooulVerified}; an answer without a valid signature is read only as an error;
 * a signed answer that names another merchant or order is refused.
 */
abstract sealed class PooulAnswerFormat extends ProviderAnswerFormat<PooulVerified>
        permits PooulClassicFormat, PooulV2Format {

    PooulAnswerFormat() {
        super("Pooul");
    }

    /** An answer without a signature: an error at most. */
    static PooulVerified unsigned(String code, String msg) {
        if (code == null || "0".equals(code)) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer claims success without a valid signature");
        }
        return PooulVerified.unsignedError(code, msg);
    }

    /** A signed answer about another merchant or order is not this call's answer. */
    static void sameParties(JsonNode data, PooulSettings p, String orderId) {
        String merchant = PooulFields.text(data, "merchant_id");
        if (merchant != null && !merchant.equals(p.merchantId())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer names another merchant_id");
        }
        String order = PooulFields.text(data, "mch_trade_id");
        if (order != null && orderId != null && !order.equals(orderId)) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's answer names another mch_trade_id");
        }
    }
}
