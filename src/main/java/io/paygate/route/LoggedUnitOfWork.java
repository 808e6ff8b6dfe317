package io.paygate.route;

import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.impl.engine.MDCUnitOfWork;
import org.apache.camel.spi.InflightRepository;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.spi.UnitOfWorkFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Camel's MDC unit of work (the keys {@code camel.exchangeId}, {@code camel.routeId}, ...) plus the
 * gateway's {@link LogContext}: before every step of an exchange, on whichever thread runs it (a
 * Vert.x worker, a JMS consumer, a Quartz thread, a delay's scheduler), the exchange's context is
 * put into the MDC; after the step and when the exchange is done, it is removed. Values live on the
 * exchange, so they never outlive it in a thread.
 *
 * <p>An HTTP exchange also gets its request id here (the caller's {@code X-Request-Id}, else a new
 * one; a payment request's own {@code requestId} replaces it once validated), echoed in the
 * answer's {@code X-Request-Id} header, and one access-log line when its answer has been written
 * (logger {@code io.paygate.access}): method, path (never the query), status, duration, merchant and
 * request id. Never a header, a token or a body.
 */
public final class LoggedUnitOfWork extends MDCUnitOfWork {
    /** The access log's logger, for ops to route to its own file. */
    public static final String ACCESS_LOGGER = "io.paygate.access";
    private static final Logger ACCESS = LoggerFactory.getLogger(ACCESS_LOGGER);
    private static final int MAX_PATH = 256;

    /** An HTTP request as the access log reports it; its answer, to stamp the request id on. */
    public record HttpRequest(String method, String path, HttpServerResponse response) {
    }

    private final InflightRepository inflight;
    private final boolean allowOriginal;
    private final boolean breadcrumb;

    LoggedUnitOfWork(Exchange exchange, InflightRepository inflight, boolean allowUseOriginalMessage, boolean useBreadcrumb) {
        super(exchange, inflight, null, allowUseOriginalMessage, useBreadcrumb);
        this.inflight = inflight;
        this.allowOriginal = allowUseOriginalMessage;
        this.breadcrumb = useBreadcrumb;
    }

    @Override
    protected void prepareMDC(Exchange exchange) {
        super.prepareMDC(exchange);
        LogContext context = RouteProperties.LOG_CONTEXT.get(exchange);
        if (context == null && exchange.getIn() instanceof HttpMessage http && RouteProperties.HTTP_REQUEST.get(exchange) == null) {
            // First step of an HTTP request (Camel made this unit of work after reading the request).
            RouteProperties.HTTP_REQUEST.set(exchange, new HttpRequest(http.getRequest().method().name(),
                    LogContext.clean(cut(http.getRequest().path())), http.getResponse()));
            context = new LogContext(null, null, LogContext.httpRequestId(http.getRequest().getHeader(LogContext.REQUEST_ID_HEADER)),
                    null, null);
            LogContext.set(exchange, context);
            return;
        }
        (context == null ? LogContext.NONE : context).toMdc();
    }

    @Override
    public void clear() {
        super.clear();
        LogContext.clearMdc();
    }

    @Override
    public UnitOfWork newInstance(Exchange exchange) {
        return new LoggedUnitOfWork(exchange, inflight, allowOriginal, breadcrumb);
    }

    @Override
    public void done(Exchange exchange) {
        HttpRequest http = RouteProperties.HTTP_REQUEST.get(exchange);
        if (http != null && ACCESS.isInfoEnabled()) {
            accessLine(exchange, http);
        }
        super.done(exchange);
    }

    /** One line per HTTP request, its fields also in the MDC (for JSON logs): after the answer was written. */
    private static void accessLine(Exchange exchange, HttpRequest http) {
        int status = exchange.isFailed() ? 500 : http.response().getStatusCode();
        long millis = exchange.getClock().elapsed();
        LogContext.of(exchange).toMdc();
        MDC.put("http.method", http.method());
        MDC.put("http.path", http.path());
        MDC.put("http.status", Integer.toString(status));
        MDC.put("durationMs", Long.toString(millis));
        try {
            ACCESS.info("{} {} {} {} ms", http.method(), http.path(), status, millis);
        } finally {
            MDC.remove("http.method");
            MDC.remove("http.path");
            MDC.remove("http.status");
            MDC.remove("durationMs");
            LogContext.clearMdc();
        }
    }

    private static String cut(String path) {
        return path == null ? "" : path.length() > MAX_PATH ? path.substring(0, MAX_PATH) : path;
    }

    /** Makes every exchange's unit of work a {@link LoggedUnitOfWork}; bound in the registry (GatewayBeans). */
    public static final class Factory implements UnitOfWorkFactory {
        private InflightRepository inflight;
        private boolean allowUseOriginalMessage;
        private boolean useBreadcrumb;

        @Override
        public UnitOfWork createUnitOfWork(Exchange exchange) {
            return new LoggedUnitOfWork(exchange, inflight, allowUseOriginalMessage, useBreadcrumb);
        }

        @Override
        public void afterPropertiesConfigured(CamelContext context) {
            inflight = context.getInflightRepository();
            allowUseOriginalMessage = Boolean.TRUE.equals(context.isAllowUseOriginalMessage());
            useBreadcrumb = Boolean.TRUE.equals(context.isUseBreadcrumb());
        }
    }
}
