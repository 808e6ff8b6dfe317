package io.paygate.provider;

import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.config.MerchantProfile;
import java.util.Optional;

/**
 * The seam between the gateway and one provider (docs/decisions/0002-seams.md).
 *
 * <p>A connector turns a canonical request plus a merchant profile into a canonical result and never
 * touches the store. Its Java part is this bean; its flow is the route {@link #route} names
 * in {@code routes/<provider>.yaml}, which takes the exchange property {@code providerCall} (a
 * {@link ProviderCall}) and leaves a {@code PaymentResult} in the body.
 */
public interface ProviderConnector {

    /** The provider's name in the contract: wechat, pooul or ystpay. */
    String provider();

    /**
     * Provider-specific checks that run before anything is stored or sent: an INVALID_REQUEST with
     * fields (a value this provider cannot take) or UNSUPPORTED (an operation or method it lacks).
     */
    Optional<PaymentError> refuse(PaymentRequest request, MerchantProfile profile);

    /**
     * The Camel endpoint that performs the call: the provider's route of that operation (a barcode
     * PAY and a QR-code PAY are different operations of most providers).
     */
    default String route(ProviderCall call) {
        return "direct:" + provider();
    }

    /**
     * The URL of an operation's path for the call's merchant: its base URL and the path, plus
     * whatever the provider wants in the query (Pooul v2's merchant_id) or a TLS client of the
     * merchant's own (WeChat's /secapi).
     */
    default String url(ProviderCall call, String path) {
        return call.baseUrl() + path;
    }

    /**
     * Whether a PAY whose first attempt was cut off (the idempotency record of a process that died
     * mid-request, {@code ORPHANED}) may be sent to the provider again as it was. True only where the
     * provider documents that the same merchant order number with the same terms is answered with
     * the same order and never charges twice (WeChat's {@code unifiedorder}: the buyer pays later,
     * once). Otherwise (the default) the gateway asks with a QUERY instead, never paying twice.
     */
    default boolean payResendSafe(PaymentRequest request) {
        return false;
    }
}
