package io.paygate.provider;

import java.io.InputStream;
import java.io.OutputStream;
import org.apache.camel.Exchange;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The verifying step of a provider operation (the template's {@code answer}): an HTTP status
 * other than 200 is a {@link ProviderHttpStatus}; otherwise the raw answer goes to the provider's
 * {@link #verify}, which parses, checks and binds it in one step. Its only output is the provider's
 * verified answer type, which nothing else can make.
 *
 * @param <V> the provider's verified answer
 */
public abstract class ProviderAnswerFormat<V> extends ServiceSupport implements DataFormat {
    private final String provider;

    /** @param provider the provider's name as errors show it ("WeChat Pay") */
    protected ProviderAnswerFormat(String provider) {
        this.provider = provider;
    }

    @Override
    public final void marshal(Exchange exchange, Object graph, OutputStream stream) {
        throw new UnsupportedOperationException("the gateway never writes a " + provider + " answer");
    }

    @Override
    public final Object unmarshal(Exchange ex, InputStream stream) throws Exception {
        Integer httpStatus = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (httpStatus != null && httpStatus != 200) {
            throw new ProviderHttpStatus(provider, httpStatus);
        }
        return verify(stream.readAllBytes(), ProviderCalls.of(ex));
    }

    /**
     * Parses, verifies and binds one raw answer to the call (also for tests and benchmarks).
     *
     * @throws AnswerRejected when the answer is not the provider's genuine answer to this call
     */
    public abstract V verify(byte[] raw, ProviderCall call);
}
