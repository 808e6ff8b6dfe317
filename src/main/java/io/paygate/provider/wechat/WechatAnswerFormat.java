package io.paygate.provider.wechat;

import io.paygate.canonical.ErrorCode;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderAnswerFormat;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderHttpStatus;
import io.paygate.xml.HardenedXml;
import java.util.Map;
import java.util.function.Function;

/**
 * The data format of one WeChat Pay v2 answer type: parses the raw answer once with the hardened
 * parser, checks the signature over every field received (and that it names the app and merchant
 * the call was made for: app, merchant, sub-merchant and, where the answer names one, the order),
 * and only then binds the typed answer from those verified fields. Its
 * only output is a {@link WechatVerified}; anything else is an {@link AnswerRejected} or a
 * {@link ProviderHttpStatus}.
 *
 * @param <T> the typed answer ({@link UnifiedOrderAnswer}, {@link RefundQueryAnswer}, ...)
 */
public final class WechatAnswerFormat<T extends WechatAnswer> extends ProviderAnswerFormat<WechatVerified<T>> {
    /** The answer types and how each is bound from verified fields (their constructors are package-private). */
    private static final Map<Class<?>, Function<Map<String, String>, ? extends WechatAnswer>> BINDINGS = Map.of(
            UnifiedOrderAnswer.class, UnifiedOrderAnswer::new,
            MicropayAnswer.class, MicropayAnswer::new,
            OrderQueryAnswer.class, OrderQueryAnswer::new,
            CloseOrderAnswer.class, CloseOrderAnswer::new,
            ReverseAnswer.class, ReverseAnswer::new,
            RefundAnswer.class, RefundAnswer::new,
            RefundQueryAnswer.class, RefundQueryAnswer::new);

    private final Class<T> type;
    private final Function<Map<String, String>, ? extends WechatAnswer> binding;

    public WechatAnswerFormat(Class<T> type) {
        super("WeChat Pay");
        this.type = type;
        this.binding = BINDINGS.get(type);
        if (binding == null) {
            throw new IllegalArgumentException("not a WeChat Pay answer type: " + type.getName());
        }
    }

    @Override
    public WechatVerified<T> verify(byte[] raw, ProviderCall call) {
        Map<String, String> fields;
        try {
            fields = HardenedXml.parseFlat(raw, "xml");
        } catch (HardenedXml.XmlRejected e) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer could not be read: " + e.getMessage());
        }
        WechatSettings w = call.settings(WechatSettings.class);
        // A FAIL (return_code) is unsigned; the mappers read nothing of it but the codes and message.
        if ("SUCCESS".equals(fields.get("return_code"))) {
            if (!WechatSigner.verify(fields, w.apiKey(), w.signType())) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer failed signature verification");
            }
            String appId = call.note(WechatConnector.SentAppId.class).map(WechatConnector.SentAppId::value).orElse(w.appId());
            if (!appId.equals(fields.get("appid")) || !w.mchId().equals(fields.get("mch_id"))) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer names another appid or mch_id");
            }
            // A service provider signs every sub-merchant's answers with its one key: only sub_mch_id
            // tells one sub-merchant's answer from another's, and WeChat Pay echoes it in each answer.
            if (w.subMchId() != null && !w.subMchId().isBlank() && !w.subMchId().equals(fields.get("sub_mch_id"))) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer names another sub_mch_id");
            }
            // An answer that names an order (orderquery, micropay, refund, refundquery) must name this one.
            String outTradeNo = fields.get("out_trade_no");
            if (outTradeNo != null && call.request() != null && !outTradeNo.equals(call.request().orderId())) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer names another out_trade_no");
            }
        }
        return new WechatVerified<>(fields, type.cast(binding.apply(fields)));
    }
}
