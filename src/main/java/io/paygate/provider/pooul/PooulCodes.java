package io.paygate.provider.pooul;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentStatus;
import java.util.Map;

/** Pooul's code tables → the contract (docs/protocols/pooul.md has the same tables). */
final class PooulCodes {
    private record Mapping(ErrorCode code, boolean retryable, String meaning, boolean orderMade) {
    }

    /**
     * Error codes (docs/protocols/pooul.md). {@code orderMade}: after a PAY refused with this code, may Pooul
     * still hold an order (then the order is UNKNOWN until a QUERY), or was the request itself
     * refused (PAYERROR).
     */
    private static final Map<String, Mapping> ERRORS = Map.ofEntries(
            Map.entry("100", new Mapping(ErrorCode.PROVIDER_ERROR, false, "could not parse the request's JSON", false)),
            Map.entry("101", new Mapping(ErrorCode.PROVIDER_ERROR, false,
                    "refused the gateway's signature: check the merchant's key (classic) or privateKey (v2)", false)),
            Map.entry("103", new Mapping(ErrorCode.PROVIDER_ERROR, false, "reports a missing field", false)),
            Map.entry("107", new Mapping(ErrorCode.DUPLICATE_ORDER, false, "already has this order number", true)),
            Map.entry("108", new Mapping(ErrorCode.PROVIDER_ERROR, true, "is outside its service hours", false)),
            Map.entry("1500", new Mapping(ErrorCode.PROVIDER_ERROR, false, "reports a channel configuration problem", false)),
            Map.entry("200", new Mapping(ErrorCode.PROVIDER_ERROR, false, "reports a problem with the merchant", false)),
            Map.entry("201", new Mapping(ErrorCode.PROVIDER_ERROR, false, "reports a problem with the merchant", false)),
            Map.entry("202", new Mapping(ErrorCode.PROVIDER_ERROR, false, "reports a problem with the merchant", false)),
            Map.entry("301", new Mapping(ErrorCode.ORDER_NOT_FOUND, false, "has no such order", true)),
            Map.entry("600", new Mapping(ErrorCode.PROVIDER_ERROR, true, "reports an upstream channel error", true)),
            Map.entry("601", new Mapping(ErrorCode.TIMEOUT, true, "reports that the upstream channel timed out", true)));

    private PooulCodes() {
    }

    static PaymentError error(String code, String msg) {
        Mapping m = code == null ? null : ERRORS.get(code);
        if (m == null) {
            return PaymentError.provider(ErrorCode.PROVIDER_ERROR, "Pooul refused the request", false, code, msg);
        }
        return PaymentError.provider(m.code(), "Pooul " + m.meaning(), m.retryable(), code, msg);
    }

    /** The order's status after a PAY Pooul refused: UNKNOWN unless the code says no order was made. */
    static PaymentStatus payStatusAfter(String code) {
        Mapping m = code == null ? null : ERRORS.get(code);
        return m == null || m.orderMade() ? PaymentStatus.UNKNOWN : PaymentStatus.PAYERROR;
    }

    /**
     * {@code trade_state}: 0 success, 1 refund, 2 not paid, 3 closed, 4 reversed, 5 revoking or
     * revoked, 6 paying, 7 failed; anything else (or none) UNKNOWN, never success.
     */
    static PaymentStatus tradeState(String s) {
        if (s == null) {
            return PaymentStatus.UNKNOWN;
        }
        return switch (s.trim()) {
            case "0" -> PaymentStatus.SUCCESS;
            case "1" -> PaymentStatus.REFUND;
            case "2" -> PaymentStatus.NOTPAY;
            case "3" -> PaymentStatus.CLOSED;
            case "4", "5" -> PaymentStatus.REVOKED;
            case "6" -> PaymentStatus.USERPAYING;
            case "7" -> PaymentStatus.PAYERROR;
            default -> PaymentStatus.UNKNOWN;
        };
    }

    /** {@code refund_status} (classic) and {@code refund_state} (v2): 0 success, 1 processing, -1 failed. */
    static String refundStatus(String s) {
        if (s == null) {
            return "PROCESSING";
        }
        return switch (s.trim()) {
            case "0" -> "SUCCESS";
            case "-1" -> "FAILED";
            default -> "PROCESSING";
        };
    }
}
