package io.paygate.route;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.Exchange;
import org.slf4j.MDC;

/**
 * Who and what an exchange is about, for its log lines: the MDC keys {@code merchant},
 * {@code orderId}, {@code requestId}, {@code provider} and {@code eventId} (docs/operations.md,
 * "Logs"). The value travels with the exchange as the property {@code logContext}, never in a
 * thread: {@link LoggedUnitOfWork} copies it into the MDC of whichever thread runs each step of
 * the exchange, and clears it after, so no line of another exchange carries it.
 *
 * <p>Values are set only from what the gateway has identified (an authenticated merchant, a
 * validated request, a verified notice, its own events); control characters are replaced and each
 * value is cut to 64 characters, so a value can never forge a log line.
 */
public record LogContext(String merchant, String orderId, String requestId, String provider, String eventId) {
    /** The MDC keys, in the order of the fields. */
    public static final List<String> KEYS = List.of("merchant", "orderId", "requestId", "provider", "eventId");
    /** The HTTP header a caller may send its request id in, and the answer echoes. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    static final LogContext NONE = new LogContext(null, null, null, null, null);
    private static final int MAX = 64;

    public LogContext {
        merchant = clean(merchant);
        orderId = clean(orderId);
        requestId = clean(requestId);
        provider = clean(provider);
        eventId = clean(eventId);
    }

    /** The exchange's context, empty when nothing is known yet. */
    public static LogContext of(Exchange ex) {
        LogContext c = RouteProperties.LOG_CONTEXT.get(ex);
        return c == null ? NONE : c;
    }

    /** Sets the exchange's context and the current thread's MDC, so the step's own next lines carry it. */
    public static void set(Exchange ex, LogContext context) {
        LogContext before = RouteProperties.LOG_CONTEXT.get(ex);
        RouteProperties.LOG_CONTEXT.set(ex, context);
        context.toMdc();
        if (context.requestId != null && (before == null || !context.requestId.equals(before.requestId))) {
            // An HTTP answer names the id its lines carry; written before the answer is sent.
            LoggedUnitOfWork.HttpRequest http = RouteProperties.HTTP_REQUEST.get(ex);
            if (http != null && !http.response().headWritten()) {
                http.response().putHeader(REQUEST_ID_HEADER, context.requestId);
            }
        }
    }

    /**
     * The order a step works on: merchant, order and provider (a null leaves the known value); the
     * request id stays the one the exchange has (an HTTP request's, a sweep's), else becomes
     * {@code requestId}.
     */
    public static void order(Exchange ex, String merchant, String orderId, String provider, String requestId) {
        LogContext c = of(ex);
        set(ex, new LogContext(merchant != null ? merchant : c.merchant, orderId != null ? orderId : c.orderId,
                c.requestId != null ? c.requestId : requestId, provider != null ? provider : c.provider, c.eventId));
    }

    /** The canonical request's id: from here on the exchange's lines carry it (a merchant searches by it). */
    public static void request(Exchange ex, String merchant, String orderId, String requestId, String provider) {
        LogContext c = of(ex);
        set(ex, new LogContext(merchant, orderId, requestId != null ? requestId : c.requestId, provider, c.eventId));
    }

    /** The event a step delivers or publishes, with its merchant, order and provider. */
    public static void event(Exchange ex, String eventId, String merchant, String orderId, String provider) {
        LogContext c = of(ex);
        set(ex, new LogContext(merchant, orderId, c.requestId, provider, eventId));
    }

    /** Puts the known keys into the current thread's MDC and removes the others. */
    public void toMdc() {
        put("merchant", merchant);
        put("orderId", orderId);
        put("requestId", requestId);
        put("provider", provider);
        put("eventId", eventId);
    }

    /** Removes the keys from the current thread's MDC. */
    public static void clearMdc() {
        for (String k : KEYS) {
            MDC.remove(k);
        }
    }

    /**
     * An HTTP request's id: the caller's {@code X-Request-Id} when it is 1-64 characters of
     * {@code [A-Za-z0-9._:-]}, else a new random one (32 hex digits).
     */
    public static String httpRequestId(String header) {
        if (header != null && !header.isEmpty() && header.length() <= MAX && header.chars().allMatch(LogContext::idChar)) {
            return header;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return hex(r.nextLong()) + hex(r.nextLong());
    }

    private static boolean idChar(int ch) {
        return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_'
                || ch == ':' || ch == '-';
    }

    private static String hex(long v) {
        String s = Long.toHexString(v);
        return "0".repeat(16 - s.length()) + s;
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    static String clean(String v) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        String s = v.length() > MAX ? v.substring(0, MAX) : v;
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                StringBuilder b = new StringBuilder(s.length());
                s.chars().forEach(ch -> b.append(Character.isISOControl(ch) ? '_' : (char) ch));
                return b.toString();
            }
        }
        return s;
    }
}
