package io.paygate.broker;

/** The contract's JMS destinations, and the gateway's own additions (docs/broker.xml). */
public final class Destinations {
    public static final String REQUESTS = "payments.requests";
    public static final String RESULTS = "payments.results";
    public static final String INVALID = "payments.requests.invalid";
    /** Requests whose JMSExpiration passed on the queue: answered with an error, never processed. */
    public static final String REQUESTS_EXPIRED = "payments.requests.expired";
    public static final String EVENTS = "payments.events";
    public static final String DELIVERIES_DLQ = "payments.deliveries.DLQ";
    /** The queue on the events topic from which merchant callbacks are made. */
    public static final String DELIVERIES = "payments.deliveries";
    /** Dead letters of every payments.* queue (after the last redelivery). */
    public static final String DLQ = "payments.DLQ";
    /** Expired messages of every payments.* queue but the requests. */
    public static final String EXPIRED = "payments.expired";

    private Destinations() {
    }

    /**
     * The queue of replies to a merchant's own broker login (made by the broker for merchants with
     * {@code broker:} in merchants.yaml): for clients without temporary queues (STOMP), and for
     * requests without a JMSReplyTo or with one the gateway will not answer on.
     */
    public static String merchantResults(String merchant) {
        return RESULTS + "." + merchant;
    }

    /** The durable queue on the events topic that keeps one merchant's events while it is away. */
    public static String merchantEvents(String merchant) {
        return EVENTS + "." + merchant;
    }
}
