package io.paygate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.paygate.canonical.PaymentResult.DeliveryEntry;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.store.Ledger;
import io.paygate.store.OrderRecord;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merchant callbacks (routes/deliveries.yaml): each event is POSTed to the order's notifyUrl (or
 * the profile's), only to a host of the profile's callbackHosts, signed
 * {@code X-Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(callbackSecret, t + "." + body)>}.
 * A failed attempt schedules the next one as a new message (Artemis scheduled delivery) after the
 * merchant's retrySchedule entry, so a slow merchant never holds back the others; after the last
 * attempt the event goes to payments.deliveries.DLQ with its attempt log. Every attempt is stored
 * (committed before the delivery's JMS transaction; concurrent attempts share a commit, {@link AttemptLog}).
 */
public final class CallbackDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackDelivery.class);
    /** JMS message property of a callback message: its attempt number. */
    public static final String ATTEMPT = "deliveryAttempt";
    public static final String SCHEDULED = "_AMQ_SCHED_DELIVERY";

    private final MerchantDirectory merchants;
    private final Ledger ledger;
    private final ObjectMapper json;
    private final Clock clock;
    private final io.paygate.api.Metrics metrics;
    /** Every attempt is stored before its delivery's JMS transaction commits; concurrent ones share a commit. */
    private final AttemptLog attempts;

    public CallbackDelivery(MerchantDirectory merchants, Ledger ledger, ObjectMapper json, Clock clock,
                            io.paygate.api.Metrics metrics) {
        this.metrics = metrics;
        this.merchants = merchants;
        this.ledger = ledger;
        this.json = json;
        this.clock = clock;
        this.attempts = new AttemptLog(ledger);
    }

    private void record(String eventId, String merchant, String orderId, int attempt, String outcome, Integer httpStatus) {
        attempts.record(new Ledger.DeliveryAttempt(eventId, merchant, orderId, attempt, clock.instant(), outcome, httpStatus));
    }

    /** Where and how this attempt goes; sets {@code deliveryNext=skip} when there is nowhere to send it. */
    public void prepare(Exchange ex) throws Exception {
        String body = ex.getMessage().getBody(String.class);
        Integer attempt = ex.getMessage().getHeader(ATTEMPT, Integer.class);
        JsonNode event = json.readTree(body);
        String eventId = event.path("eventId").asText();
        if (eventId.isEmpty()) {
            // Only the outbox relay writes events; anything else on the queue is not one.
            LOG.warn("a message without eventId on payments.deliveries was dropped");
            ex.getMessage().getHeaders().clear();
            io.paygate.route.RouteProperties.DELIVERY_NEXT.set(ex, "skip");
            return;
        }
        String merchant = event.path("merchant").asText();
        String orderId = event.path("orderId").asText();
        io.paygate.route.LogContext.event(ex, eventId, merchant, orderId,
                event.path("provider").isTextual() ? event.get("provider").asText() : null);
        io.paygate.route.RouteProperties.EVENT_JSON.set(ex, body);
        io.paygate.route.RouteProperties.EVENT_ID.set(ex, eventId);
        io.paygate.route.RouteProperties.EVENT_MERCHANT.set(ex, merchant);
        io.paygate.route.RouteProperties.EVENT_ORDER_ID.set(ex, orderId);
        io.paygate.route.RouteProperties.DELIVERY_ATTEMPT.set(ex, attempt == null ? 1 : attempt);
        ex.getMessage().getHeaders().clear();
        Optional<MerchantProfile> profile = merchants.byId(merchant);
        String url = ledger.find(merchant, orderId).map(OrderRecord::notifyUrl).orElse(null);
        if (url == null && profile.isPresent()) {
            url = profile.get().notifyUrl();
        }
        if (profile.isEmpty() || url == null) {
            io.paygate.route.RouteProperties.DELIVERY_NEXT.set(ex, "skip");
            return;
        }
        String host = URI.create(url).getHost();
        if (host == null || !profile.get().callbackHosts().contains(host.toLowerCase(Locale.ROOT))) {
            // The profile changed since the order was made: never call a host it does not allow.
            LOG.warn("event {} of merchant {} not delivered: host of its notifyUrl is not in callbackHosts", eventId, merchant);
            metrics.callback("REFUSED_HOST", io.paygate.route.RouteProperties.DELIVERY_ATTEMPT.get(ex));
            record(eventId, merchant, orderId, io.paygate.route.RouteProperties.DELIVERY_ATTEMPT.get(ex), "REFUSED_HOST", null);
            io.paygate.route.RouteProperties.DELIVERY_NEXT.set(ex, "skip");
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long t = clock.instant().getEpochSecond();
        ex.getMessage().setHeader("Content-Type", "application/json; charset=UTF-8");
        ex.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        ex.getMessage().setHeader("X-Payment-Event-Id", eventId);
        ex.getMessage().setHeader("X-Payment-Signature",
                CallbackSignature.header(profile.get().callbackSecret(), t, bytes));
        ex.getMessage().setHeader(Exchange.HTTP_URI, url);
        ex.getMessage().setBody(bytes);
        io.paygate.route.RouteProperties.CALLBACK_URL.set(ex, url);
    }

    /** Records the attempt and decides: done, a scheduled retry, or the dead-letter queue. */
    public void outcome(Exchange ex) throws Exception {
        int attempt = io.paygate.route.RouteProperties.DELIVERY_ATTEMPT.get(ex);
        String eventId = io.paygate.route.RouteProperties.EVENT_ID.get(ex);
        String merchant = io.paygate.route.RouteProperties.EVENT_MERCHANT.get(ex);
        String orderId = io.paygate.route.RouteProperties.EVENT_ORDER_ID.get(ex);
        Integer status = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        Throwable failure = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        boolean ok = failure == null && status != null && status >= 200 && status < 300;
        String outcome = ok ? "DELIVERED" : failure != null ? "ERROR " + failure.getClass().getSimpleName() : "HTTP_" + status;
        metrics.callback(ok ? "DELIVERED" : failure != null || status == null ? "ERROR"
                : status >= 400 && status < 600 ? "HTTP_" + status / 100 + "XX" : "HTTP_OTHER", attempt);
        record(eventId, merchant, orderId, attempt, outcome.length() > 32 ? outcome.substring(0, 32) : outcome,
                failure == null ? status : null);
        ex.getMessage().getHeaders().clear();
        ex.getMessage().setBody(io.paygate.route.RouteProperties.EVENT_JSON.get(ex));
        if (ok) {
            io.paygate.route.RouteProperties.DELIVERY_NEXT.set(ex, "done");
            return;
        }
        List<Integer> schedule = merchants.byId(merchant).map(MerchantProfile::retrySchedule)
                .orElse(MerchantProfile.DEFAULT_RETRY_SCHEDULE);
        ex.getMessage().setHeader("eventId", eventId);
        ex.getMessage().setHeader("merchant", merchant);
        ex.getMessage().setHeader("orderId", orderId);
        if (attempt <= schedule.size()) {
            long at = clock.millis() + schedule.get(attempt - 1) * 1000L;
            ex.getMessage().setHeader(ATTEMPT, attempt + 1);
            ex.getMessage().setHeader(SCHEDULED, at);
            io.paygate.route.RouteProperties.DELIVERY_NEXT.set(ex, "retry");
        } else {
            LOG.warn("event {} of merchant {} not delivered after {} attempts: to payments.deliveries.DLQ", eventId, merchant,
                    attempt);
            ex.getMessage().setHeader("attempts", attempt);
            ex.getMessage().setHeader("attemptLog", attemptLog(merchant, orderId, eventId));
            io.paygate.route.RouteProperties.DELIVERY_NEXT.set(ex, "dead");
        }
    }

    private String attemptLog(String merchant, String orderId, String eventId) {
        ArrayNode log = json.createArrayNode();
        for (DeliveryEntry d : ledger.deliveries(merchant, orderId)) {
            if (d.eventId().equals(eventId)) {
                log.add(json.valueToTree(d));
            }
        }
        return log.toString();
    }
}
