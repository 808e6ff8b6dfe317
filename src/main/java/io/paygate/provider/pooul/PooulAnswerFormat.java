package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.ErrorCode;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.ProviderHttpStatus;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.camel.Exchange;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.support.service.ServiceSupport;

/**
 * What the two Pooul data formats share: an HTTP status other than 200 is a
 * {@link ProviderHttpStatus}; the raw answer is handed to the wire format's check, whose only
 * output is a {@link PooulVerified}; an answer without a valid signature is read only as an error;
 * a signed answer that names another merchant or order is refused.
 */
abstract sealed class PooulAnswerFormat extends ServiceSupport implements DataFormat
        permits PooulClassicFormat, PooulV2Format {

    @Override
    public final void marshal(Exchange exchange, Object graph, OutputStream stream) {
        throw new UnsupportedOperationException("the gateway never writes a Pooul answer");
    }

    @Override
    public final Object unmarshal(Exchange ex, InputStream stream) throws Exception {
        Integer httpStatus = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (httpStatus != null && httpStatus != 200) {
            throw new ProviderHttpStatus("Pooul", httpStatus);
        }
        return verify(stream.readAllBytes(), ProviderCalls.of(ex));
    }

    /** Parses, verifies and binds one raw answer to the call (also for tests and benchmarks). */
    public abstract PooulVerified verify(byte[] raw, ProviderCall call);

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
