package io.paygate.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogContextTest {
    private final DefaultCamelContext camel = new DefaultCamelContext();

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void aCallersRequestIdIsTakenOnlyWhenItCannotForgeALine() {
        assertThat(LogContext.httpRequestId("abc-123_X.y:z")).isEqualTo("abc-123_X.y:z");
        assertThat(LogContext.httpRequestId("a b")).matches("[0-9a-f]{32}");
        assertThat(LogContext.httpRequestId("a\nb")).matches("[0-9a-f]{32}");
        assertThat(LogContext.httpRequestId("x".repeat(65))).matches("[0-9a-f]{32}");
        assertThat(LogContext.httpRequestId("")).matches("[0-9a-f]{32}");
        assertThat(LogContext.httpRequestId(null)).isNotEqualTo(LogContext.httpRequestId(null));
    }

    @Test
    void valuesAreCleanedAndCut() {
        LogContext c = new LogContext("m\r\nINFO forged", "o", "", "x".repeat(100), null);
        assertThat(c.merchant()).isEqualTo("m__INFO forged");
        assertThat(c.requestId()).isNull();
        assertThat(c.provider()).hasSize(64);
    }

    @Test
    void settingPutsTheKeysIntoTheMdcAndLeavesNoStaleOne() {
        Exchange ex = new DefaultExchange(camel);
        MDC.put("eventId", "stale");
        LogContext.set(ex, new LogContext("m1", "o1", "r1", "wechat", null));
        assertThat(MDC.get("merchant")).isEqualTo("m1");
        assertThat(MDC.get("requestId")).isEqualTo("r1");
        assertThat(MDC.get("eventId")).isNull();
        LogContext.clearMdc();
        assertThat(MDC.getCopyOfContextMap()).doesNotContainKeys("merchant", "orderId", "requestId", "provider", "eventId");
    }

    @Test
    void aStepKeepsTheRequestIdTheExchangeHas() {
        Exchange ex = new DefaultExchange(camel);
        LogContext.order(ex, "m1", null, null, null);
        assertThat(LogContext.of(ex)).isEqualTo(new LogContext("m1", null, null, null, null));
        // The validated request: its own id replaces the HTTP one.
        LogContext.set(ex, new LogContext("m1", null, "http-1", null, null));
        LogContext.request(ex, "m1", "o1", "req-1", "wechat");
        assertThat(LogContext.of(ex)).isEqualTo(new LogContext("m1", "o1", "req-1", "wechat", null));
        // A provider call made for it (its own "notify-..." request id) does not replace it.
        LogContext.order(ex, "m1", "o1", "wechat", "notify-xyz");
        assertThat(LogContext.of(ex).requestId()).isEqualTo("req-1");
        // An exchange without one (a sweep) takes the call's.
        Exchange sweep = new DefaultExchange(camel);
        LogContext.order(sweep, "m2", "o2", "pooul", "reconcile-1");
        assertThat(LogContext.of(sweep)).isEqualTo(new LogContext("m2", "o2", "reconcile-1", "pooul", null));
        LogContext.event(sweep, "e1", "m2", "o2", "pooul");
        assertThat(LogContext.of(sweep)).isEqualTo(new LogContext("m2", "o2", "reconcile-1", "pooul", "e1"));
    }
}
