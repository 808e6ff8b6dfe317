package io.paygate.provider;

import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.config.MerchantProfile;
import java.util.Optional;

/**
 * The seam between the gateway and one provider (docs/decisions/0002-seams.md).
 *
 * <p>A connector turns a canonical request plus a merchant profile into a canonical result and never
 * touches the store. Its Java part is this bean; its flow is the route {@code direct:<provider>}
 * in {@code routes/<provider>.yaml}, which takes exchange properties {@code paymentRequest} and
 * {@code merchantProfile} and leaves a {@code PaymentResult} in the body.
 */
public interface ProviderConnector {

    /** The provider's name in the contract: wechat, pooul or ystpay. */
    String provider();

    /**
     * Provider-specific checks that run before anything is stored or sent: an INVALID_REQUEST with
     * fields (a value this provider cannot take) or UNSUPPORTED (an operation or method it lacks).
     */
    Optional<PaymentError> refuse(PaymentRequest request, MerchantProfile profile);

    /** The base URL of this provider for the merchant (the route appends the operation's path). */
    String baseUrl(MerchantProfile profile);
}
