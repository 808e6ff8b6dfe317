package io.paygate.canonical;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The canonical request. Built only from a tree that {@link RequestValidator} has accepted, so its
 * fields have the types and ranges of docs/schemas/PaymentRequest.schema.json.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PaymentRequest(
        String version,
        String requestId,
        String merchant,
        String provider,
        Operation operation,
        String orderId,
        Long amount,
        String currency,
        PayMethod method,
        Channel channel,
        String subject,
        String attach,
        String clientIp,
        String authCode,
        Payer payer,
        H5 h5,
        String expireAt,
        String deviceId,
        String operatorId,
        String storeId,
        List<Item> items,
        String notifyUrl,
        Refund refund) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Payer(String appId, String openId, String buyerId, String buyerLogonId) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record H5(String type, String appName, String appId, String redirectUrl) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String sku, String name, Long unitPrice, Long quantity) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Refund(String refundId, Long amount, String reason) {
    }

    /** The same request with another provider (the profile's default filled in). */
    public PaymentRequest withProvider(String p) {
        return new PaymentRequest(version, requestId, merchant, p, operation, orderId, amount, currency, method,
                channel, subject, attach, clientIp, authCode, payer, h5, expireAt, deviceId, operatorId, storeId,
                items, notifyUrl, refund);
    }
}
