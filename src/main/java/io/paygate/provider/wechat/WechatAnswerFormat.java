package io.paygate.provider.wechat;

import io.paygate.canonical.ErrorCode;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.ProviderHttpStatus;
import io.paygate.xml.HardenedXml;
import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import javax.xml.transform.stream.StreamSource;
import org.apache.camel.Exchange;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The data format {@code wechat-v2} of one answer type: parses the raw answer with the one
 * hardened parser, checks the signature over every field received (and that it names the app and
 * merchant the call was made for), and only then binds it. Its only output is a
 * {@link WechatVerified}; anything else is an {@link AnswerRejected} or a
 * {@link ProviderHttpStatus}.
 *
 * @param <T> the typed answer (a {@code wire} class), or {@code Void} for answers read from the
 *            verified fields alone (refunds)
 */
public final class WechatAnswerFormat<T> extends ServiceSupport implements DataFormat {
    private final Class<T> type;
    private final JAXBContext jaxb;

    public WechatAnswerFormat(Class<T> type) {
        this.type = type;
        try {
            this.jaxb = type == Void.class ? null : JAXBContext.newInstance(type);
        } catch (JAXBException e) {
            throw new IllegalStateException("cannot bind " + type.getName(), e);
        }
    }

    @Override
    public void marshal(Exchange exchange, Object graph, OutputStream stream) {
        throw new UnsupportedOperationException("the gateway never writes a WeChat Pay answer");
    }

    @Override
    public Object unmarshal(Exchange ex, InputStream stream) throws Exception {
        Integer httpStatus = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (httpStatus != null && httpStatus != 200) {
            throw new ProviderHttpStatus("WeChat Pay", httpStatus);
        }
        byte[] raw = stream.readAllBytes();
        return verify(raw, ProviderCalls.of(ex));
    }

    /** The verification and binding, on their own (tests, benchmarks). */
    public WechatVerified<T> verify(byte[] raw, ProviderCall call) {
        Map<String, String> fields;
        try {
            fields = HardenedXml.parseFlat(raw, "xml");
        } catch (HardenedXml.XmlRejected e) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer could not be read: " + e.getMessage());
        }
        WechatSettings w = call.settings(WechatSettings.class);
        if ("SUCCESS".equals(fields.get("return_code"))) {
            if (!WechatSigner.verify(fields, w.apiKey(), w.signType())) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer failed signature verification");
            }
            String appId = call.note(WechatConnector.SentAppId.class).map(WechatConnector.SentAppId::value).orElse(w.appId());
            if (!appId.equals(fields.get("appid")) || !w.mchId().equals(fields.get("mch_id"))) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "WeChat Pay's answer names another appid or mch_id");
            }
        }
        return new WechatVerified<>(fields, bind(raw));
    }

    private T bind(byte[] raw) {
        if (jaxb == null) {
            return null;
        }
        try {
            // The hardened parser has refused any DOCTYPE before this second read.
            return jaxb.createUnmarshaller().unmarshal(new StreamSource(new ByteArrayInputStream(raw)), type).getValue();
        } catch (JAXBException e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "WeChat Pay's answer could not be bound");
        }
    }
}
