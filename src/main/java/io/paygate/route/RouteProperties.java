package io.paygate.route;

import io.paygate.provider.ProviderCall;

/**
 * Every exchange property the gateway's routes and beans share, with its type: the one place
 * they are declared. Routes read them as {@code ${exchangeProperty.<name>}}. A provider's own
 * working values are not here: they travel as typed notes on the {@link ProviderCall}.
 * Credentials never travel in headers, which Camel copies into replies.
 */
public final class RouteProperties {
    /** The name of {@link #PROVIDER_CALL}, for {@code @ExchangeProperty(RouteProperties.CALL) ProviderCall call}. */
    public static final String CALL = "providerCall";
    /** The call to the provider: request, profile, operation, order, route (see {@link ProviderCall}). */
    public static final Property<ProviderCall> PROVIDER_CALL = new Property<>(CALL, ProviderCall.class);
    /** The answer is already known (a refusal, a replay): no provider call. */
    public static final Property<Boolean> ANSWERED = new Property<>("gatewayAnswered", Boolean.class);
    /** The gateway's answer as a value, when it was made here (a replay has only its stored JSON). */
    public static final Property<io.paygate.canonical.PaymentResult> ANSWER =
            new Property<>("gatewayAnswer", io.paygate.canonical.PaymentResult.class);
    /** The HTTP status of the gateway's answer. */
    public static final Property<Integer> HTTP_STATUS = new Property<>("gatewayHttpStatus", Integer.class);
    /** The authenticated merchant of an API request (the metrics' label). */
    public static final Property<String> API_MERCHANT = new Property<>("apiMerchant", String.class);
    /** The API request as parsed and validated, its provider filled in (the metrics' labels). */
    public static final Property<io.paygate.canonical.PaymentRequest> API_REQUEST =
            new Property<>("apiRequest", io.paygate.canonical.PaymentRequest.class);
    /** When the provider call under way started (System.nanoTime()), for its latency. */
    public static final Property<Long> PROVIDER_CALL_STARTED = new Property<>("providerCallStarted", Long.class);
    /** The body could not be parsed at all (JMS keeps such requests on payments.requests.invalid). */
    public static final Property<Boolean> UNPARSEABLE = new Property<>("gatewayUnparseable", Boolean.class);
    /** The provider's answer was refused (signature, unreadable): the outcome of the call is open. */
    public static final Property<Boolean> ANSWER_REJECTED = new Property<>("providerAnswerRejected", Boolean.class);
    /** The connector refused the call before anything was sent ({@link io.paygate.provider.CallRefused}). */
    public static final Property<Boolean> NOTHING_SENT = new Property<>("providerNothingSent", Boolean.class);

    /** A barcode payment's POS request waits for another query (routes/payment-api.yaml). */
    public static final Property<Boolean> MICRO_POLL = new Property<>("microPoll", Boolean.class);
    /** Milliseconds until that query. */
    public static final Property<Long> MICRO_DELAY = new Property<>("microDelay", Long.class);
    /** The wait itself: when it started, the claim's owner, the PAY call and its answer. */
    public static final Property<io.paygate.reconcile.MicroWait.Wait> MICRO_WAIT =
            new Property<>("microWait", io.paygate.reconcile.MicroWait.Wait.class);

    /** The claimed order or refund a reconciliation task works on. */
    public static final Property<io.paygate.reconcile.Reconciler.Task> RECONCILE_TASK = new Property<>("reconcileTask", io.paygate.reconcile.Reconciler.Task.class);
    /** The next call of a reconciliation task (an Operation name), null when it is done. */
    public static final Property<String> RECONCILE_OPERATION = new Property<>("reconcileOperation", String.class);
    /** Close the order when the query finds it expired and unpaid. */
    public static final Property<Boolean> RECONCILE_CLOSE_IF_UNPAID = new Property<>("reconcileCloseIfUnpaid", Boolean.class);
    /** False when the step is decided without calling the provider. */
    public static final Property<Boolean> RECONCILE_CALL = new Property<>("reconcileCall", Boolean.class);
    /** This REVERSE stands in for a CLOSE the provider does not have. */
    public static final Property<Boolean> RECONCILE_CLOSING = new Property<>("reconcileClosing", Boolean.class);
    /** Reverse the barcode payment when the query finds it still paying. */
    public static final Property<Boolean> RECONCILE_REVERSE_IF_PENDING = new Property<>("reconcileReverseIfPending", Boolean.class);
    /** Until when the task's claim, taken for its first provider call, runs (null after that call): no renewal while it covers the call. */
    public static final Property<java.time.Instant> RECONCILE_CLAIM_UNTIL = new Property<>("reconcileClaimUntil", java.time.Instant.class);
    /** The sweep chunk a reconciliation task belongs to: its claims, and the answers it records together. */
    public static final Property<io.paygate.reconcile.Reconciler.Chunk> RECONCILE_CHUNK =
            new Property<>("reconcileChunk", io.paygate.reconcile.Reconciler.Chunk.class);
    /** The claim is no longer the task's: nothing is recorded. */
    public static final Property<Boolean> RECONCILE_SKIP = new Property<>("reconcileSkip", Boolean.class);

    /** What the gateway made of a provider notification (the metric's tag). */
    public static final Property<String> NOTIFY_OUTCOME = new Property<>("notifyOutcome", String.class);
    /** The provider whose notification this is ("unknown" when no configured provider has that name): the metric's tag. */
    public static final Property<String> NOTIFY_PROVIDER = new Property<>("notifyProvider", String.class);
    /** The notice must be confirmed by a QUERY before anything changes. */
    public static final Property<Boolean> NOTIFY_CONFIRM_BY_QUERY = new Property<>("notifyConfirmByQuery", Boolean.class);
    /** The verified notice awaiting its confirming QUERY. */
    public static final Property<io.paygate.notify.Notice> NOTIFY_NOTICE = new Property<>("notifyNotice", io.paygate.notify.Notice.class);
    /** The provider's codec of the notification being handled. */
    public static final Property<io.paygate.notify.NotificationCodec> NOTIFY_CODEC =
            new Property<>("notifyCodec", io.paygate.notify.NotificationCodec.class);
    /** The notification as received, kept for audit. */
    public static final Property<String> NOTIFY_RAW = new Property<>("notifyRaw", String.class);
    /** The Content-Type of the reply to the provider. */
    public static final Property<String> NOTIFY_CONTENT_TYPE = new Property<>("notifyContentType", String.class);

    /** The merchant whose own broker login sent this JMS request: it may act for that merchant only. */
    public static final Property<String> BUS_MERCHANT = new Property<>("busMerchant", String.class);
    /** Where the JMS reply goes: a JMS destination (the request's JMSReplyTo) or a queue's name. */
    public static final Property<Object> JMS_REPLY_TO = new Property<>("jmsReplyTo", Object.class);
    /** The request's JMSReplyTo is a temporary queue that is gone: no reply is sent (routes/jms-api.yaml). */
    public static final Property<Boolean> JMS_REPLY_GONE = new Property<>("gatewayReplyGone", Boolean.class);
    /** The reply's JMSCorrelationID: the request's, else its JMSMessageID. */
    public static final Property<String> JMS_CORRELATION = new Property<>("jmsCorrelation", String.class);
    /** The request as received, for payments.requests.invalid. */
    public static final Property<Object> JMS_ORIGINAL_BODY = new Property<>("jmsOriginalBody", Object.class);
    /** The request's headers as received, for payments.requests.invalid. */
    public static final Property<java.util.Map> JMS_ORIGINAL_HEADERS = new Property<>("jmsOriginalHeaders", java.util.Map.class);
    /** The event a callback delivers, as published. */
    public static final Property<String> EVENT_JSON = new Property<>("eventJson", String.class);
    /** The id of the event being delivered (or resent). */
    public static final Property<String> EVENT_ID = new Property<>("eventId", String.class);
    /** The merchant of the event being delivered. */
    public static final Property<String> EVENT_MERCHANT = new Property<>("eventMerchant", String.class);
    /** The order of the event being delivered. */
    public static final Property<String> EVENT_ORDER_ID = new Property<>("eventOrderId", String.class);
    /** Where the callback goes (the order's notifyUrl, else the merchant's). */
    public static final Property<String> CALLBACK_URL = new Property<>("callbackUrl", String.class);
    /** The number of this callback attempt (1 for the first). */
    public static final Property<Integer> DELIVERY_ATTEMPT = new Property<>("deliveryAttempt", Integer.class);
    /** What the deliveries route does next: skip, done, retry or dead. */
    public static final Property<String> DELIVERY_NEXT = new Property<>("deliveryNext", String.class);

    /** Who and what the exchange is about, for its log lines' MDC (see {@link LogContext}). */
    public static final Property<LogContext> LOG_CONTEXT = new Property<>("logContext", LogContext.class);
    /** An HTTP request as the access log reports it (see {@link LoggedUnitOfWork}). */
    public static final Property<LoggedUnitOfWork.HttpRequest> HTTP_REQUEST =
            new Property<>("gatewayHttpRequest", LoggedUnitOfWork.HttpRequest.class);

    private RouteProperties() {
    }
}
