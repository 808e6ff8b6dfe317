package io.paygate.api;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderCalls;
import io.paygate.route.RouteProperties;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Results for calls whose answer the gateway does not have: a read timeout (504), an unreachable
 * provider (502), an answer that failed verification (200 with SIGNATURE_INVALID). A PAY then has
 * status UNKNOWN: what to do next is QUERY, never a second PAY.
 */
public final class ProviderFailures {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderFailures.class);

    public PaymentResult timedOut(Exchange ex) {
        log(ex, "did not answer within the read timeout");
        return unknown(ex, 504, PaymentError.of(ErrorCode.TIMEOUT,
                "the provider did not answer in time; QUERY the order to learn its state", true));
    }

    public PaymentResult unreachable(Exchange ex) {
        log(ex, "could not be reached");
        return unknown(ex, 502, PaymentError.of(ErrorCode.PROVIDER_UNAVAILABLE,
                "the provider could not be reached; QUERY the order before trying again", true));
    }

    public PaymentResult rejected(Exchange ex) {
        RouteProperties.ANSWER_REJECTED.set(ex, true);
        AnswerRejected e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, AnswerRejected.class);
        log(ex, "sent an answer the gateway rejected: " + (e == null ? "?" : e.getMessage()));
        return unknown(ex, 200, PaymentError.of(e == null ? ErrorCode.SIGNATURE_INVALID : e.code(),
                e == null ? "the provider's answer was rejected" : e.getMessage(), false));
    }

    /** Nothing was sent: the merchant's configuration does not allow the call (its certificate, say). */
    public PaymentResult misconfigured(Exchange ex) {
        io.paygate.provider.ProviderMisconfigured e = ex.getProperty(Exchange.EXCEPTION_CAUGHT,
                io.paygate.provider.ProviderMisconfigured.class);
        String message = e == null ? "the merchant's provider settings do not allow this call" : e.getMessage();
        log(ex, "was not called: " + message);
        RouteProperties.HTTP_STATUS.set(ex, 200);
        PaymentRequest r = ProviderCalls.of(ex).request();
        return PaymentResult.answering(r).error(PaymentError.of(ErrorCode.PROVIDER_ERROR, message, false)).build();
    }

    /** Nothing was sent: the connector refused the call for the reason it gives (a Ystpay order it cannot name). */
    public PaymentResult refused(Exchange ex) {
        io.paygate.provider.CallRefused e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, io.paygate.provider.CallRefused.class);
        RouteProperties.HTTP_STATUS.set(ex, e.error().code() == ErrorCode.INVALID_REQUEST ? 400 : 200);
        RouteProperties.NOTHING_SENT.set(ex, true);
        return PaymentResult.answering(ProviderCalls.of(ex).request()).error(e.error()).build();
    }

    public PaymentResult unexpected(Exchange ex) {
        Throwable cause = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("provider call failed unexpectedly", cause);
        return unknown(ex, 200, PaymentError.of(ErrorCode.PROVIDER_ERROR,
                "the provider's answer could not be processed; QUERY the order to learn its state", true));
    }

    private PaymentResult unknown(Exchange ex, int httpStatus, PaymentError error) {
        RouteProperties.HTTP_STATUS.set(ex, httpStatus);
        PaymentRequest r = ProviderCalls.of(ex).request();
        PaymentResult.Builder b = PaymentResult.answering(r).error(error);
        if (r.operation() == Operation.PAY) {
            b.status(PaymentStatus.UNKNOWN).amount(r.amount());
        }
        return b.build();
    }

    private static void log(Exchange ex, String what) {
        PaymentRequest r = ProviderCalls.of(ex).request();
        Throwable cause = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("{} {} for merchant {} order {}: provider {} {} ({})", r.operation(), r.requestId(), r.merchant(),
                r.orderId(), r.provider(), what, cause == null ? "-" : cause.getClass().getSimpleName());
    }
}
