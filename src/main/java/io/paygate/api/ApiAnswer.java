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
        ex.getMessage().setBody(jsonBody);
    }

    public static int status(Exchange ex) {
        return RouteProperties.HTTP_STATUS.get(ex, 200);
    }
}
