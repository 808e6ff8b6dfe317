package io.paygate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.config.MerchantDirectory;
import io.paygate.route.RouteProperties;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** gateway.metrics.enabled=false: no per-request meter, an empty scrape; the call's start is still kept for its log line. */
class MetricsSwitchTest {
    private final DefaultCamelContext camel = new DefaultCamelContext();

    @Test
    void offRecordsNoRequestAndScrapesNothing() {
        try (Metrics off = new Metrics(new MerchantDirectory(Map.of()), false);
             Metrics on = new Metrics(new MerchantDirectory(Map.of()), true)) {
            for (Metrics m : new Metrics[] {off, on}) {
                Exchange ex = new DefaultExchange(camel);
                m.answered(ex);
                m.callStarted(ex);
                assertThat(RouteProperties.PROVIDER_CALL_STARTED.get(ex)).isNotNull();
                m.callback("DELIVERED", 1);
            }
            assertThat(off.registry().find("gateway.requests").counter()).isNull();
            assertThat(off.registry().find("gateway.callbacks").counter()).isNull();
            assertThat(on.registry().find("gateway.requests").counter().count()).isEqualTo(1.0);
            // The meter of a tag set is made once and then reused: a second answer with the same
            // labels counts on the same series, not on a second one.
            on.answered(new DefaultExchange(camel));
            assertThat(on.registry().find("gateway.requests").counters()).hasSize(1);
            assertThat(on.registry().find("gateway.requests").counter().count()).isEqualTo(2.0);
            Exchange scrape = new DefaultExchange(camel);
            off.report(scrape);
            assertThat(scrape.getMessage().getBody(String.class)).isEqualTo("# metrics are off: gateway.metrics.enabled=false\n");
            on.report(scrape);
            assertThat(scrape.getMessage().getBody(String.class)).contains("gateway_requests_total");
        }
    }
}
