package io.paygate.provider.pooul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.CallRefused;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which instance of routes/pooul.yaml a call goes to, its URL, and the refund mapping. */
class PooulConnectorTest {
    private final PooulConnector connector = new PooulConnector("https://gw.example/", "127.0.0.1", Clock.systemUTC());

    private ProviderCall call(String api, String merchantId, Operation op) {
        PooulSettings p = new PooulSettings("http://pooul.example", merchantId, api, "key", null, null, null, null);
        MerchantProfile profile = new MerchantProfile("acme", "pooul", "token-acme-0123456789", null, null, List.of(),
                MerchantProfile.DEFAULT_RETRY_SCHEDULE, Map.of("pooul", MerchantProfile.Section.of(p)));
        PaymentRequest r = new PaymentRequest("1", "req-1", "acme", "pooul", op, "ORD-1", 100L, null, PayMethod.SCAN,
                Channel.WECHAT, "Coffee", null, null, null, null, null, null, null, null, null, null, null, null);
        return ProviderCalls.standalone(connector, r, profile, op, null);
    }

    @Test
    void theMerchantsApiAndTheOperationPickTheInstance() {
        assertThat(call("classic", "m1", Operation.PAY).route()).isEqualTo("direct:pooul-classic-pay");
        assertThat(call("classic", "m1", Operation.CLOSE).route()).isEqualTo("direct:pooul-classic-close");
        assertThat(call("classic", "m1", Operation.REFUND_QUERY).route()).isEqualTo("direct:pooul-classic-refund-query");
        assertThat(call("v2", "m1", Operation.QUERY).route()).isEqualTo("direct:pooul-v2-query");
        assertThat(call("v2", "m1", Operation.REVERSE).route()).isEqualTo("direct:pooul-v2-reverse");
        assertThat(call("v2", "m1", Operation.REFUND).route()).isEqualTo("direct:pooul-v2-refund");
        // refuse() answers UNSUPPORTED before: no call of it is ever made.
        assertThatThrownBy(() -> call("classic", "m1", Operation.REVERSE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void v2NamesTheMerchantInTheQuery() {
        assertThat(connector.url(call("classic", "m 1", Operation.QUERY), "/paygate/merchant_info/query"))
                .isEqualTo("http://pooul.example/paygate/merchant_info/query");
        assertThat(connector.url(call("v2", "m 1", Operation.QUERY), "/v2/pay/query"))
                .isEqualTo("http://pooul.example/v2/pay/query?merchant_id=m+1");
        assertThat(call("v2", "m1", Operation.QUERY).endpoint("/v2/pay")).startsWith("http://pooul.example/v2/pay?merchant_id=m1&");
    }

    @Test
    void anUnsignedRefundRefusalKeepsTheRefundOpenASignedOneEndsIt() throws Exception {
        PooulMapping mapping = new PooulMapping();
        // Anyone on the way can write an unsigned error: the refund may still have been taken.
        PaymentResult unsigned = mapping.refundTaken(PooulVerified.unsignedError("500", "refused"), call("v2", "m1",
                Operation.REFUND));
        assertThat(unsigned.error().retryable()).isTrue();
        assertThat(unsigned.error().providerCode()).isEqualTo("500");
        assertThat(mapping.refund(PooulVerified.unsignedError("500", "refused"), call("classic", "m1", Operation.REFUND))
                .error().retryable()).isTrue();
        // Signed by Pooul: its own refusal, as its code says.
        PooulVerified signed = new PooulVerified("500", "refused", com.fasterxml.jackson.databind.node.MissingNode.getInstance(),
                true, com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        assertThat(mapping.refundTaken(signed, call("v2", "m1", Operation.REFUND)).error())
                .isEqualTo(io.paygate.canonical.PaymentError.provider(PooulCodes.error("500", "refused").code(),
                        PooulCodes.error("500", "refused").message(), PooulCodes.error("500", "refused").retryable(), "500",
                        "refused"));
    }
}
