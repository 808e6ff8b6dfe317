package io.paygate.api;

import io.paygate.route.RouteProperties;
import org.apache.camel.Exchange;

/**
 * How a bean step hands an answer to the reply route: the HTTP status (also used by JMS to know
 * nothing more is to be done) and the JSON body. Replies carry no other header.
 */
public final class ApiAnswer {
    private ApiAnswer() {
    }

    public static void finish(Exchange ex, int status, String jsonBody) {
        RouteProperties.HTTP_STATUS.set(ex, status);
        RouteProperties.ANSWERED.set(ex, true);
        RouteProperties.ANSWER.remove(ex);
        ex.getMessage().setBody(jsonBody);
    }

    /** The same, with the answer as a value: the JMS reply takes its properties from it, not from the JSON. */
    public static void finish(Exchange ex, int status, String jsonBody, io.paygate.canonical.PaymentResult answer) {
        finish(ex, status, jsonBody);
        RouteProperties.ANSWER.set(ex, answer);
    }

    public static int status(Exchange ex) {
        return RouteProperties.HTTP_STATUS.get(ex, 200);
    }
}
