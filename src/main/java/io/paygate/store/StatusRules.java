package io.paygate.store;

import static io.paygate.canonical.PaymentStatus.CLOSED;
import static io.paygate.canonical.PaymentStatus.NOTPAY;
import static io.paygate.canonical.PaymentStatus.PAYERROR;
import static io.paygate.canonical.PaymentStatus.REFUND;
import static io.paygate.canonical.PaymentStatus.REVOKED;
import static io.paygate.canonical.PaymentStatus.SUCCESS;
import static io.paygate.canonical.PaymentStatus.UNKNOWN;
import static io.paygate.canonical.PaymentStatus.USERPAYING;

import io.paygate.canonical.PaymentEvent;
import io.paygate.canonical.PaymentStatus;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The allowed status transitions (docs/status.md holds the same table). A status only moves
 * forward; anything else is a stale answer, recorded and ignored.
 */
public final class StatusRules {
    private static final Map<PaymentStatus, Set<PaymentStatus>> NEXT = new EnumMap<>(PaymentStatus.class);
    static {
        NEXT.put(UNKNOWN, EnumSet.of(NOTPAY, USERPAYING, SUCCESS, CLOSED, REVOKED, PAYERROR, REFUND));
        NEXT.put(NOTPAY, EnumSet.of(USERPAYING, SUCCESS, CLOSED, REVOKED, PAYERROR, REFUND));
        NEXT.put(USERPAYING, EnumSet.of(SUCCESS, CLOSED, REVOKED, PAYERROR, REFUND));
        NEXT.put(SUCCESS, EnumSet.of(REFUND, REVOKED));
        NEXT.put(CLOSED, EnumSet.of(SUCCESS, REFUND));
        NEXT.put(REVOKED, EnumSet.noneOf(PaymentStatus.class));
        NEXT.put(PAYERROR, EnumSet.noneOf(PaymentStatus.class));
        NEXT.put(REFUND, EnumSet.noneOf(PaymentStatus.class));
    }

    private StatusRules() {
    }

    public static boolean allowed(PaymentStatus from, PaymentStatus to) {
        return NEXT.get(from).contains(to);
    }

    /**
     * The event a transition makes, or null. Reaching REFUND from an unpaid state also means the
     * payment succeeded in between, so the merchant still learns of the payment.
     */
    public static String eventFor(PaymentStatus from, PaymentStatus to) {
        return switch (to) {
            case SUCCESS -> PaymentEvent.PAYMENT_SUCCEEDED;
            case PAYERROR -> PaymentEvent.PAYMENT_FAILED;
            case CLOSED -> PaymentEvent.PAYMENT_CLOSED;
            case REVOKED -> PaymentEvent.PAYMENT_REVOKED;
            case REFUND -> from == SUCCESS ? null : PaymentEvent.PAYMENT_SUCCEEDED;
            default -> null;
        };
    }
}
