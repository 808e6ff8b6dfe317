package io.paygate.provider.ystpay;

import io.paygate.canonical.ErrorCode;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderAnswerFormat;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderHttpStatus;
import io.paygate.provider.ystpay.wire.YstpayAnswer;
import java.util.Map;

/**
 * The data format of every Ystpay {@code unitive.api} answer (bean {@code ystpayAnswer}, the
 * {@code answer} of each operation in routes/ystpay.yaml): checks the HTTP status, parses the
 * envelope with the hardened parser, verifies its MD5 signature with the merchant's DSN, only then
 * decrypts and reads its data, and checks that the answer is for this request (req_seq) and this
 * device (dsn). Its only output is a {@link YstpayVerified}; anything else is an
 * {@link AnswerRejected} (SIGNATURE_INVALID) or a {@link ProviderHttpStatus}.
 */
public final class YstpayAnswerFormat extends ProviderAnswerFormat<YstpayVerified> {

    public YstpayAnswerFormat() {
        super("Ystpay");
    }

    @Override
    public YstpayVerified verify(byte[] raw, ProviderCall call) {
        YstpayNumbers numbers = call.note(YstpayNumbers.class).orElseThrow(() ->
                new IllegalStateException("a Ystpay answer without the request's numbers (the prepare step)"));
        YstpayKeys keys = YstpayKeys.of(call.settings(YstpaySettings.class));
        Map<String, String> fields;
        try {
            fields = YstpayEnvelope.open(raw, keys);
        } catch (YstpayEnvelope.Rejected e) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Ystpay's answer was rejected: " + e.getMessage());
        }
        YstpayAnswer a = YstpayAnswer.of(fields);
        String seq = YstpayMapper.blankToNull(a.reqSeq());
        if (seq != null && !seq.equals(numbers.reqSeq()) && !seq.equals(numbers.oriSeq())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Ystpay's answer is for another request (req_seq differs)");
        }
        if (YstpayMapper.blankToNull(a.dsn()) != null && !YstpaySigner.matches(keys.dsn(), a.dsn())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Ystpay's answer names another device (dsn differs)");
        }
        return new YstpayVerified(a);
    }
}
