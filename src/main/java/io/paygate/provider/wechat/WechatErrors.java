package io.paygate.provider.wechat;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import java.util.Map;

/** WeChat {@code err_code} → contract error (docs/protocols/wechat.md has the same table). */
final class WechatErrors {
    private record Mapping(ErrorCode code, boolean retryable) {
    }

    private static final Map<String, Mapping> TABLE = Map.ofEntries(
            Map.entry("SYSTEMERROR", new Mapping(ErrorCode.PROVIDER_ERROR, true)),
            Map.entry("BIZERR_NEED_RETRY", new Mapping(ErrorCode.PROVIDER_ERROR, true)),
            Map.entry("BANKERROR", new Mapping(ErrorCode.PROVIDER_ERROR, true)),
            Map.entry("USERPAYING", new Mapping(ErrorCode.PROVIDER_ERROR, true)),
            Map.entry("ORDERPAID", new Mapping(ErrorCode.ORDER_PAID, false)),
            Map.entry("ORDERCLOSED", new Mapping(ErrorCode.ORDER_CLOSED, false)),
            Map.entry("ORDERNOTEXIST", new Mapping(ErrorCode.ORDER_NOT_FOUND, false)),
            Map.entry("ORDERREVERSED", new Mapping(ErrorCode.ORDER_REVERSED, false)),
            Map.entry("OUT_TRADE_NO_USED", new Mapping(ErrorCode.DUPLICATE_ORDER, false)),
            Map.entry("SIGNERROR", new Mapping(ErrorCode.PROVIDER_ERROR, false)),
            Map.entry("PARAM_ERROR", new Mapping(ErrorCode.PROVIDER_ERROR, false)),
            Map.entry("NOTENOUGH", new Mapping(ErrorCode.INSUFFICIENT_FUNDS, false)),
            Map.entry("AUTHCODEEXPIRE", new Mapping(ErrorCode.AUTH_CODE_INVALID, false)),
            Map.entry("AUTH_CODE_INVALID", new Mapping(ErrorCode.AUTH_CODE_INVALID, false)),
            Map.entry("FREQUENCY_LIMITED", new Mapping(ErrorCode.RATE_LIMITED, true)),
            Map.entry("REFUNDNOTEXIST", new Mapping(ErrorCode.REFUND_NOT_FOUND, false)),
            Map.entry("TRADE_STATE_ERROR", new Mapping(ErrorCode.PROVIDER_ERROR, false)));

    private WechatErrors() {
    }

    static PaymentError map(String errCode, String errDescription) {
        Mapping m = errCode == null ? null : TABLE.get(errCode);
        if (m == null) {
            return PaymentError.provider(ErrorCode.PROVIDER_ERROR, "WeChat Pay refused the request",
                    false, errCode, errDescription);
        }
        String message = switch (errCode) {
            case "SIGNERROR" -> "WeChat Pay refused the gateway's signature: check the merchant's apiKey and signType";
            case "PARAM_ERROR" -> "WeChat Pay refused a parameter of the request";
            default -> "WeChat Pay answered " + errCode;
        };
        return PaymentError.provider(m.code(), message, m.retryable(), errCode, errDescription);
    }

    /**
     * The order's status after a PAY that WeChat refused. An answer about an order WeChat already
     * has (paid, closed, reversed, its number used) or a transient failure says nothing final about
     * this payment: UNKNOWN, which a QUERY settles. Only a refusal of the request itself (bad
     * parameters, our signature, no funds, a bad barcode) means no order was made: PAYERROR.
     */
    static io.paygate.canonical.PaymentStatus payStatusAfter(String errCode) {
        if (errCode == null || !TABLE.containsKey(errCode)) {
            return io.paygate.canonical.PaymentStatus.UNKNOWN;
        }
        return switch (errCode) {
            case "ORDERCLOSED" -> io.paygate.canonical.PaymentStatus.CLOSED;
            case "ORDERREVERSED" -> io.paygate.canonical.PaymentStatus.REVOKED;
            case "SYSTEMERROR", "BIZERR_NEED_RETRY", "BANKERROR", "USERPAYING", "ORDERPAID", "OUT_TRADE_NO_USED",
                    "FREQUENCY_LIMITED", "ORDERNOTEXIST", "TRADE_STATE_ERROR" -> io.paygate.canonical.PaymentStatus.UNKNOWN;
            default -> io.paygate.canonical.PaymentStatus.PAYERROR;
        };
    }
}
