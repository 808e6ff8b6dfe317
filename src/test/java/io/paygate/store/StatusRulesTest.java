package io.paygate.store;

import static io.paygate.canonical.PaymentStatus.CLOSED;
import static io.paygate.canonical.PaymentStatus.NOTPAY;
import static io.paygate.canonical.PaymentStatus.PAYERROR;
import static io.paygate.canonical.PaymentStatus.REFUND;
import static io.paygate.canonical.PaymentStatus.REVOKED;
import static io.paygate.canonical.PaymentStatus.SUCCESS;
import static io.paygate.canonical.PaymentStatus.UNKNOWN;
import static io.paygate.canonical.PaymentStatus.USERPAYING;
import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.canonical.PaymentEvent;
import io.paygate.canonical.PaymentStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The transition table, written out by hand from the contract's rules (docs/status.md) ("a status only moves forward",
 * "UNKNOWN is never final", CLOSED → SUCCESS when a payment arrives after a close) and the class's
 * javadoc. Rows: from; columns in the order of the header; 'Y' = allowed, '.' = stale.
 */
class StatusRulesTest {
    private static final PaymentStatus[] COLUMNS = {UNKNOWN, NOTPAY, USERPAYING, SUCCESS, CLOSED, REVOKED, PAYERROR, REFUND};

    private static final String[] TABLE = {
            //            UNK NOT USR SUC CLO REV ERR REF
            "UNKNOWN    :  .   Y   Y   Y   Y   Y   Y   Y",
            "NOTPAY     :  .   .   Y   Y   Y   Y   Y   Y",
            "USERPAYING :  .   .   .   Y   Y   Y   Y   Y",
            "SUCCESS    :  .   .   .   .   .   Y   .   Y",
            "CLOSED     :  .   .   .   Y   .   .   .   Y",
            "REVOKED    :  .   .   .   .   .   .   .   .",
            "PAYERROR   :  .   .   .   .   .   .   .   .",
            "REFUND     :  .   .   .   .   .   .   .   .",
    };

    private static boolean expected(PaymentStatus from, PaymentStatus to) {
        for (String row : TABLE) {
            String[] parts = row.split(":");
            if (parts[0].trim().equals(from.name())) {
                String[] cells = parts[1].trim().split("\\s+");
                for (int i = 0; i < COLUMNS.length; i++) {
                    if (COLUMNS[i] == to) {
                        return cells[i].equals("Y");
                    }
                }
            }
        }
        throw new AssertionError("no table cell for " + from + " -> " + to);
    }

    @Test
    void tableCoversEveryStatus() {
        assertThat(COLUMNS).containsExactlyInAnyOrder(PaymentStatus.values());
        assertThat(TABLE).hasSize(PaymentStatus.values().length);
    }

    @Test
    void everyPairFollowsTheTable() {
        List<String> wrong = new ArrayList<>();
        for (PaymentStatus from : PaymentStatus.values()) {
            for (PaymentStatus to : PaymentStatus.values()) {
                if (StatusRules.allowed(from, to) != expected(from, to)) {
                    wrong.add(from + "->" + to + " expected " + (expected(from, to) ? "allowed" : "stale"));
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void nothingMovesBackToUnknownOrToAnUnfinishedStateFromAFinalOne() {
        for (PaymentStatus from : PaymentStatus.values()) {
            assertThat(StatusRules.allowed(from, UNKNOWN)).as(from + "->UNKNOWN").isFalse();
            assertThat(StatusRules.allowed(from, from)).as(from + "->" + from).isFalse();
            if (from.isFinal()) {
                for (PaymentStatus to : List.of(NOTPAY, USERPAYING)) {
                    assertThat(StatusRules.allowed(from, to)).as(from + "->" + to).isFalse();
                }
            }
        }
    }

    @Test
    void unknownIsNeverFinal() {
        assertThat(UNKNOWN.isFinal()).isFalse();
        assertThat(NOTPAY.isFinal()).isFalse();
        assertThat(USERPAYING.isFinal()).isFalse();
        for (PaymentStatus s : List.of(SUCCESS, CLOSED, REVOKED, PAYERROR, REFUND)) {
            assertThat(s.isFinal()).as(s.name()).isTrue();
        }
        for (PaymentStatus to : PaymentStatus.values()) {
            if (to != UNKNOWN) {
                assertThat(StatusRules.allowed(UNKNOWN, to)).as("UNKNOWN->" + to).isTrue();
            }
        }
    }

    @Test
    void successEventOnEveryMoveToSuccessIncludingAfterAClose() {
        for (PaymentStatus from : List.of(UNKNOWN, NOTPAY, USERPAYING, CLOSED)) {
            assertThat(StatusRules.eventFor(from, SUCCESS)).as(from + "->SUCCESS").isEqualTo(PaymentEvent.PAYMENT_SUCCEEDED);
        }
        assertThat(PaymentEvent.PAYMENT_SUCCEEDED).isEqualTo("PAYMENT_SUCCEEDED");
    }

    @Test
    void failedClosedAndRevokedEvents() {
        for (PaymentStatus from : List.of(UNKNOWN, NOTPAY, USERPAYING)) {
            assertThat(StatusRules.eventFor(from, PAYERROR)).isEqualTo("PAYMENT_FAILED");
            assertThat(StatusRules.eventFor(from, CLOSED)).isEqualTo("PAYMENT_CLOSED");
            assertThat(StatusRules.eventFor(from, REVOKED)).isEqualTo("PAYMENT_REVOKED");
        }
        assertThat(StatusRules.eventFor(SUCCESS, REVOKED)).isEqualTo("PAYMENT_REVOKED");
    }

    @Test
    void noEventForUnfinishedStates() {
        for (PaymentStatus from : PaymentStatus.values()) {
            assertThat(StatusRules.eventFor(from, NOTPAY)).as(from + "->NOTPAY").isNull();
            assertThat(StatusRules.eventFor(from, USERPAYING)).as(from + "->USERPAYING").isNull();
            assertThat(StatusRules.eventFor(from, UNKNOWN)).as(from + "->UNKNOWN").isNull();
        }
    }

    /**
     * As the javadoc says: reaching REFUND from a paid order makes no payment event (refunds have
     * their own REFUND_* events), reaching it from an unpaid state means the payment succeeded in
     * between, so the merchant still learns of the payment.
     */
    @Test
    void refundStatusMakesAPaymentEventOnlyWhenTheSuccessWasMissed() {
        assertThat(StatusRules.eventFor(SUCCESS, REFUND)).isNull();
        for (PaymentStatus from : List.of(UNKNOWN, NOTPAY, USERPAYING, CLOSED)) {
            assertThat(StatusRules.eventFor(from, REFUND)).as(from + "->REFUND").isEqualTo("PAYMENT_SUCCEEDED");
        }
    }

    /** Every allowed move, with the event it must make: one literal list. */
    @Test
    void eventOfEveryAllowedMove() {
        String[] expected = {
                "UNKNOWN->NOTPAY=-", "UNKNOWN->USERPAYING=-", "UNKNOWN->SUCCESS=PAYMENT_SUCCEEDED",
                "UNKNOWN->CLOSED=PAYMENT_CLOSED", "UNKNOWN->REVOKED=PAYMENT_REVOKED", "UNKNOWN->PAYERROR=PAYMENT_FAILED",
                "UNKNOWN->REFUND=PAYMENT_SUCCEEDED",
                "NOTPAY->USERPAYING=-", "NOTPAY->SUCCESS=PAYMENT_SUCCEEDED", "NOTPAY->CLOSED=PAYMENT_CLOSED",
                "NOTPAY->REVOKED=PAYMENT_REVOKED", "NOTPAY->PAYERROR=PAYMENT_FAILED", "NOTPAY->REFUND=PAYMENT_SUCCEEDED",
                "USERPAYING->SUCCESS=PAYMENT_SUCCEEDED", "USERPAYING->CLOSED=PAYMENT_CLOSED",
                "USERPAYING->REVOKED=PAYMENT_REVOKED", "USERPAYING->PAYERROR=PAYMENT_FAILED",
                "USERPAYING->REFUND=PAYMENT_SUCCEEDED",
                "SUCCESS->REVOKED=PAYMENT_REVOKED", "SUCCESS->REFUND=-",
                "CLOSED->SUCCESS=PAYMENT_SUCCEEDED", "CLOSED->REFUND=PAYMENT_SUCCEEDED",
        };
        List<String> actual = new ArrayList<>();
        for (PaymentStatus from : PaymentStatus.values()) {
            for (PaymentStatus to : PaymentStatus.values()) {
                if (StatusRules.allowed(from, to)) {
                    String e = StatusRules.eventFor(from, to);
                    actual.add(from + "->" + to + "=" + (e == null ? "-" : e));
                }
            }
        }
        assertThat(actual).containsExactlyInAnyOrder(expected);
    }
}
