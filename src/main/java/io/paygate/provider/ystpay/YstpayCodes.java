package io.paygate.provider.ystpay;

import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentStatus;
import java.util.Set;

/**
 * Ystpay's code tables, mapped to the contract (docs/protocols/ystpay.md has the same tables).
 * The document lists no error codes: only E11000 (支付成功, also a successful query), E13000
 * (退款申请成功, 撤单成功) and E11101 (预支付订单请求成功) appear, all with result Y.
 */
public final class YstpayCodes {
    static final Set<String> SUCCESS_CODES = Set.of("E11000", "E13000", "E11101");

    private YstpayCodes() {
    }

    /** Contract channel → Ystpay's letter. */
    public static String letter(Channel c) {
        if (c == null) {
            return null;
        }
        return switch (c) {
            case WECHAT -> "W";
            case ALIPAY -> "A";
            case QQ -> "Q";
            case BESTPAY -> "Y";
        };
    }

    /** Ystpay's letter → contract channel; null when absent or unknown. */
    public static Channel channel(String letter) {
        if (letter == null) {
            return null;
        }
        return switch (letter.trim()) {
            case "W" -> Channel.WECHAT;
            case "A" -> Channel.ALIPAY;
            case "Q" -> Channel.QQ;
            case "Y" -> Channel.BESTPAY;
            default -> null;
        };
    }

    /**
     * The request succeeded: {@code result} Y, or, where an answer leaves {@code result} out (as
     * several of the document's examples do), one of the success codes. Anything else is a refusal.
     */
    static boolean succeeded(String result, String code) {
        if (result != null && !result.isBlank()) {
            return "Y".equals(result.trim());
        }
        return code != null && SUCCESS_CODES.contains(code.trim());
    }

    /**
     * An order's {@code status}: W is USERPAYING for a barcode order (the buyer is confirming on the
     * phone) and NOTPAY for the others (a QR code or page waiting to be paid); S SUCCESS; F PAYERROR.
     * The document's generic example writes SUCCESS in full, so the full words are read too. Null
     * when absent; anything else UNKNOWN, never a success.
     */
    static PaymentStatus orderStatus(String status, boolean barcode) {
        if (status == null || status.isBlank()) {
            return null;
        }
        return switch (status.trim()) {
            case "W", "WAITING" -> barcode ? PaymentStatus.USERPAYING : PaymentStatus.NOTPAY;
            case "S", "SUCCESS" -> PaymentStatus.SUCCESS;
            case "F", "FAIL", "FAILED" -> PaymentStatus.PAYERROR;
            default -> PaymentStatus.UNKNOWN;
        };
    }

    /** A refund's {@code status}: S SUCCESS, F FAILED, W or absent PROCESSING (accepted, not yet final). */
    static String refundStatus(String status) {
        if (status == null || status.isBlank()) {
            return "PROCESSING";
        }
        return switch (status.trim()) {
            case "S", "SUCCESS" -> "SUCCESS";
            case "F", "FAIL", "FAILED" -> "FAILED";
            default -> "PROCESSING";
        };
    }

    /** A refusal (result N). With no code table every code is PROVIDER_ERROR, keeping code and message. */
    static PaymentError refusal(String code, String msg) {
        String c = code == null || code.isBlank() ? "N" : code.trim();
        return PaymentError.provider(ErrorCode.PROVIDER_ERROR, "Ystpay refused the request" + (msg == null || msg.isBlank()
                ? "" : ": " + msg.trim()), false, c, msg == null || msg.isBlank() ? null : msg.trim());
    }
}
