package io.paygate.api;

import org.apache.camel.Exchange;

/**
 * How a bean step hands an answer to the reply route: the HTTP status (also used by JMS to know
 * nothing more is to be done) and the JSON body. Replies carry no other header.
 */
public final class ApiAnswer {
    public static final String STATUS = "gatewayHttpStatus";
    public static final String DONE = "gatewayAnswered";

    private ApiAnswer() {
    }

    public static void finish(Exchange ex, int status, String jsonBody) {
        ex.setProperty(STATUS, status);
        ex.setProperty(DONE, true);
        ex.getMessage().setBody(jsonBody);
    }

    public static int status(Exchange ex) {
        Integer s = ex.getProperty(STATUS, Integer.class);
        return s == null ? 200 : s;
    }
}
