package io.paygate.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.FieldError;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JMS side of the entry (routes/jms-api.yaml): takes a request off {@code payments.requests}
 * for {@code direct:payment-api}, and shapes the reply. Replies carry only the documented
 * properties ({@code merchant}, {@code orderId}, {@code operation}, {@code status}, {@code storeId})
 * and the correlation id: never the request's {@code Authorization} or other copied headers.
 */
public final class JmsEntry {
    private static final Logger LOG = LoggerFactory.getLogger(JmsEntry.class);
    public static final String INVALID_REASON = "invalidReason";
    /** The only properties of a reply (beside {@code JMSCorrelationID}); docs/asyncapi.yaml documents each. */
    public static final List<String> RESULT_PROPERTIES = List.of("merchant", "orderId", "operation", "status", "storeId");

    private final PaymentApi api;
    private final ObjectMapper json;
    private final io.paygate.config.MerchantDirectory merchants;
    private final String esbUser;
    private final io.paygate.broker.ReplyDestinations destinations;

    /**
     * @param merchants           maps a sender's broker login to its merchant
     * @param esbUser             the shared login of a trusted integration ({@code gateway.broker.user} of the embedded
     *                            broker); it may send for any merchant. Null on an external broker: there every login
     *                            that is not a merchant's is trusted (its security-settings decide who may send)
     * @param destinations who created a temporary queue, and where a reply to a JMSReplyTo goes ({@link io.paygate.broker.Messaging})
     */
    public JmsEntry(PaymentApi api, ObjectMapper json, io.paygate.config.MerchantDirectory merchants, String esbUser,
                    io.paygate.broker.ReplyDestinations destinations) {
        this.api = api;
        this.json = json;
        this.merchants = merchants;
        this.esbUser = esbUser;
        this.destinations = destinations;
    }

    /**
     * Marks a request's exchange as the transacted work it is (camel-jms does not), so that Camel
     * keeps it on the consumer's thread: a {@code delay} (a barcode PAY polling its provider, a
     * recalled reverse) then waits there instead of going on on a timer thread, where the consumer's
     * session is not at hand and the reply would go out on a session of its own, committed before the
     * request's acknowledgement (TransactedSessionTest).
     */
    public static void markTransacted(Exchange ex) {
        ex.getExchangeExtension().setTransacted(true);
    }

    /**
     * Notes where and how to answer, keeps the original for the invalid queue, and answers at once
     * a request whose JMSExpiration has passed: it is never processed, so never charged.
     */
    public void receive(Exchange ex) {
        markTransacted(ex);
        String refused = noteSender(ex);
        noteReplyTo(ex);
        String correlation = ex.getMessage().getHeader("JMSCorrelationID", String.class);
        io.paygate.route.RouteProperties.JMS_CORRELATION.set(ex, correlation != null ? correlation : ex.getMessage().getHeader("JMSMessageID", String.class));
        io.paygate.route.RouteProperties.JMS_ORIGINAL_BODY.set(ex, ex.getMessage().getBody());
        io.paygate.route.RouteProperties.JMS_ORIGINAL_HEADERS.set(ex, new HashMap<>(ex.getMessage().getHeaders()));
        if (refused != null) {
            api.error(ex, 403, PaymentResult.builder(), PaymentError.of(ErrorCode.FORBIDDEN, refused, false));
            return;
        }
        Long expiration = ex.getMessage().getHeader("JMSExpiration", Long.class);
        if (expiration != null && expiration > 0 && expiration < System.currentTimeMillis()) {
            expired(ex);
            return;
        }
        Object body = ex.getMessage().getBody();
        if (!(body instanceof String) && !(body instanceof byte[])) {
            io.paygate.route.RouteProperties.UNPARSEABLE.set(ex, true);
            api.error(ex, 400, PaymentResult.builder(), PaymentError.invalid(List.of(new FieldError("(body)",
                    "must be a JMS TextMessage or BytesMessage holding a PaymentRequest"))));
        }
    }

    /** A request that expired before the gateway took it: an error answer, no provider call. */
    public void expired(Exchange ex) {
        if (io.paygate.route.RouteProperties.JMS_CORRELATION.get(ex) == null) {
            receiveHeadersOnly(ex);
        }
        api.error(ex, 408, answering(ex.getMessage().getBody(byte[].class)), PaymentError.of(ErrorCode.TIMEOUT,
                "the request expired (JMSExpiration) before the gateway took it; it was not processed", true));
    }

    /**
     * The order store could not be reached (routes/errors.yaml, {@code jms-errors}): the request is
     * answered with a retryable error, as HTTP answers 503, and taken off the queue with that reply
     * in one JMS transaction. Sent again with the same requestId once the store is back, it gets its
     * final answer and is never charged twice (docs/messaging.md, "The store down").
     */
    public void storeUnavailable(Exchange ex) {
        PaymentRequest request = io.paygate.route.RouteProperties.API_REQUEST.get(ex);
        Object original = io.paygate.route.RouteProperties.JMS_ORIGINAL_BODY.get(ex);
        PaymentResult.Builder b = request != null ? PaymentResult.answering(request)
                : answering(original instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                        : original instanceof byte[] bytes ? bytes : null);
        LOG.warn("the order store is unavailable: the request is answered PROVIDER_UNAVAILABLE (retryable)");
        api.error(ex, 503, b, PaymentError.of(ErrorCode.PROVIDER_UNAVAILABLE, STORE_UNAVAILABLE, true));
    }

    /** The error message of a request the store's absence stopped, on every entry (routes/errors.yaml). */
    public static final String STORE_UNAVAILABLE = "the gateway could not reach its order store; send the same request "
            + "again, with the same requestId, in a moment: it is never charged twice";

    /** An answer naming the request's requestId, merchant and orderId, as far as the body can be read. */
    private PaymentResult.Builder answering(byte[] body) {
        PaymentResult.Builder b = PaymentResult.builder();
        try {
            JsonNode tree = body == null ? null : json.readTree(body);
            for (String f : List.of("requestId", "merchant", "orderId")) {
                if (tree != null && tree.path(f).isTextual()) {
                    switch (f) {
                        case "requestId" -> b.requestId(tree.get(f).asText());
                        case "merchant" -> b.merchant(tree.get(f).asText());
                        default -> b.orderId(tree.get(f).asText());
                    }
                }
            }
        } catch (Exception e) {
            // an unreadable request is answered all the same
        }
        return b;
    }

    /**
     * Who sent the request, from the login the broker validated ({@link io.paygate.broker.SenderLogin}
     * stamps it; nothing the client sets is trusted). A merchant's own login is noted: it may act for
     * that merchant only ({@link PaymentApi}). Returns why the request is refused, or null: a login
     * that is neither a merchant's nor the ESB's (a merchant's login withdrawn while its request waited).
     */
    private String noteSender(Exchange ex) {
        String login = ex.getMessage().getHeader(io.paygate.broker.SenderLogin.PROPERTY, String.class);
        ex.getMessage().removeHeader(io.paygate.broker.SenderLogin.PROPERTY);
        if (login == null || merchants == null) {
            // No stamp: an external broker without the plugin; every sender is the trusted integration.
            return null;
        }
        java.util.Optional<String> merchant = merchants.merchantOfBrokerUser(login);
        if (merchant.isPresent()) {
            io.paygate.route.RouteProperties.BUS_MERCHANT.set(ex, merchant.get());
            return null;
        }
        if (esbUser == null || login.equals(esbUser)) {
            return null;
        }
        LOG.warn("a request from broker login {}, which is neither a merchant's nor gateway.broker.user: refused", login);
        return "the broker login " + login + " may not send requests";
    }

    /**
     * The reply goes where the client asked, except to the gateway's own destinations: the reply is
     * sent with the gateway's rights, and a JMSReplyTo of payments.events would let a client publish
     * into the events (and so into other merchants' signed callbacks). Such a request is answered on
     * payments.results instead. A merchant's own login is answered on a temporary queue it created
     * or on its replies queue payments.results.&lt;merchant&gt;, never anywhere else.
     */
    private void noteReplyTo(Exchange ex) {
        Object replyTo = ex.getMessage().getHeader("JMSReplyTo");
        String busMerchant = io.paygate.route.RouteProperties.BUS_MERCHANT.get(ex);
        if (busMerchant != null) {
            String own = io.paygate.broker.Destinations.merchantResults(busMerchant);
            io.paygate.route.RouteProperties.JMS_REPLY_TO.set(ex, own);
            if (replyTo != null && ownReplyTo(replyTo, busMerchant, own)) {
                io.paygate.route.RouteProperties.JMS_REPLY_TO.set(ex, replyTo);
            } else if (replyTo != null) {
                LOG.warn("merchant {}'s login asked for its reply on a destination it does not own: answered on {} instead",
                        busMerchant, own);
            }
            return;
        }
        if (replyTo == null) {
            return;
        }
        String name = destinationName(replyTo);
        if (name != null && (name.startsWith("payments.") || name.equals("DLQ") || name.equals("ExpiryQueue"))) {
            LOG.warn("a request asked for its reply on {}: answered on payments.results instead", name);
            return;
        }
        io.paygate.route.RouteProperties.JMS_REPLY_TO.set(ex, replyTo);
    }

    /** The merchant's replies queue, or a temporary queue its own login created. */
    private boolean ownReplyTo(Object replyTo, String merchant, String ownQueue) {
        try {
            if (!(replyTo instanceof jakarta.jms.Queue q)) {
                return false;
            }
            String name = q.getQueueName();
            if (name.equals(ownQueue)) {
                return true;
            }
            String login = merchants.brokerLogins().get(merchant) == null ? null : merchants.brokerLogins().get(merchant).user();
            java.util.Optional<String> owner = destinations.temporaryQueueOwner(name);
            if (owner.isPresent() && owner.get().equals(io.paygate.broker.Messaging.UNKNOWN_OWNER)) {
                // An external broker does not say who made a temporary queue: its type is all there is.
                return replyTo instanceof jakarta.jms.TemporaryQueue && !name.startsWith("payments.");
            }
            return owner.isPresent() && owner.get().equals(login);
        } catch (jakarta.jms.JMSException e) {
            return false;
        }
    }

    /**
     * The destination's name, temporary ones included: a temporary queue's name is random, but a
     * client can name one {@code payments.deliveries} and send that as its JMSReplyTo.
     */
    private static String destinationName(Object destination) {
        try {
            if (destination instanceof jakarta.jms.Queue q) {
                return q.getQueueName();
            }
            if (destination instanceof jakarta.jms.Topic t) {
                return t.getTopicName();
            }
        } catch (jakarta.jms.JMSException e) {
            return "payments.unknown";
        }
        return "payments.unknown";
    }

    private void receiveHeadersOnly(Exchange ex) {
        noteSender(ex);
        noteReplyTo(ex);
        String correlation = ex.getMessage().getHeader("JMSCorrelationID", String.class);
        io.paygate.route.RouteProperties.JMS_CORRELATION.set(ex, correlation != null ? correlation : ex.getMessage().getHeader("JMSMessageID", String.class));
    }

    /** The reply: the answer's JSON with only the documented properties. */
    public void reply(Exchange ex) {
        String body = ex.getMessage().getBody(String.class);
        ex.getMessage().getHeaders().clear();
        ex.getMessage().setBody(body);
        PaymentResult answer = io.paygate.route.RouteProperties.ANSWER.get(ex);
        if (answer != null) {
            // The answer made by this request: its properties (RESULT_PROPERTIES) come from the value, not from its JSON.
            header(ex, "merchant", answer.merchant());
            header(ex, "orderId", answer.orderId());
            header(ex, "operation", answer.operation() == null ? null : answer.operation().name());
            header(ex, "status", answer.status() == null ? null : answer.status().name());
            header(ex, "storeId", answer.storeId());
        } else {
            // A replay: only the stored JSON is at hand.
            try {
                JsonNode stored = json.readTree(body);
                for (String p : RESULT_PROPERTIES) {
                    if (stored.path(p).isTextual()) {
                        ex.getMessage().setHeader(p, stored.get(p).asText());
                    }
                }
            } catch (Exception e) {
                LOG.warn("reply body is not JSON; sent without properties");
            }
        }
        String correlation = io.paygate.route.RouteProperties.JMS_CORRELATION.get(ex);
        if (correlation != null) {
            ex.getMessage().setHeader("JMSCorrelationID", correlation);
        }
        Object replyTo = io.paygate.route.RouteProperties.JMS_REPLY_TO.get(ex);
        if (replyTo instanceof String queue) {
            ex.getMessage().setHeader("CamelJmsDestinationName", queue);
        } else if (replyTo instanceof jakarta.jms.Destination destination) {
            java.util.Optional<jakarta.jms.Destination> to = destinations.replyDestination(destination);
            // A gone temporary queue keeps its destination: a jms-reply route of its own (ops') without
            // the shipped route's check of gatewayReplyGone sends there as it always did, never to payments.results.
            ex.getMessage().setHeader("CamelJmsDestination", to.orElse(destination));
            if (to.isEmpty()) {
                io.paygate.route.RouteProperties.JMS_REPLY_GONE.set(ex, true);
            }
        }
    }

    /** The reply is not sent: its temporary queue is gone (routes/jms-api.yaml). */
    public void replyGone(Exchange ex) {
        LOG.warn("the reply to correlation id {} is not sent: its temporary queue is gone (the client disconnected "
                + "before the answer); the request's work is kept and a replay of it answers again",
                io.paygate.route.RouteProperties.JMS_CORRELATION.get(ex));
    }

    private static void header(Exchange ex, String name, String value) {
        if (value != null) {
            ex.getMessage().setHeader(name, value);
        }
    }

    /**
     * The unparseable request, unchanged (body and its string properties), for
     * {@code payments.requests.invalid}, with the reason. The bearer token is not kept.
     */
    @SuppressWarnings("unchecked")
    public void invalidCopy(Exchange ex) {
        Map<String, Object> original = io.paygate.route.RouteProperties.JMS_ORIGINAL_HEADERS.get(ex);
        ex.getMessage().getHeaders().clear();
        if (original != null) {
            original.forEach((k, v) -> {
                if (!k.equals("Authorization") && !k.equals(io.paygate.broker.SenderLogin.PROPERTY) && !k.startsWith("Camel") && !k.startsWith("JMS") && v instanceof String) {
                    ex.getMessage().setHeader(k, v);
                }
            });
            Object correlation = original.get("JMSCorrelationID");
            if (correlation != null) {
                ex.getMessage().setHeader("JMSCorrelationID", correlation);
            }
        }
        String reason = "unparseable";
        try {
            JsonNode answer = json.readTree(ex.getMessage().getBody(String.class));
            reason = answer.at("/error/message").asText(reason);
        } catch (Exception e) {
            // keep the generic reason
        }
        ex.getMessage().setHeader(INVALID_REASON, reason);
        ex.getMessage().setBody(io.paygate.route.RouteProperties.JMS_ORIGINAL_BODY.get(ex));
    }

    public void replyFailed(Exchange ex) {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("the reply to correlation id {} could not be sent ({}); the request's work is kept and a replay "
                + "of it answers again", io.paygate.route.RouteProperties.JMS_CORRELATION.get(ex), e == null ? "?" : e.toString());
    }
}
