package io.paygate.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.UnitOfWorkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The exchange's context in the MDC of every step, also after an asynchronous delay moved the
 * exchange to another thread, and in no thread once the exchange is done.
 */
class LoggedUnitOfWorkTest {
    private CamelContext camel;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.getCamelContextExtension().addContextPlugin(UnitOfWorkFactory.class, new LoggedUnitOfWork.Factory());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:order").routeId("order")
                        .process(ex -> LogContext.set(ex, new LogContext(ex.getMessage().getBody(String.class), "o-"
                                + ex.getMessage().getBody(String.class), "r-" + ex.getMessage().getBody(String.class), "wechat", null)))
                        .process(this::record)
                        .delay(20).asyncDelayed()
                        .process(this::record)
                        .to("direct:sub");
                from("direct:sub").routeId("sub").process(this::record);
                from("direct:plain").routeId("plain").process(this::record);
            }

            private void record(Exchange ex) {
                seen.add(MDC.get("merchant") + "|" + MDC.get("orderId") + "|" + MDC.get("requestId") + "|" + MDC.get("camel.routeId"));
                threads.add(Thread.currentThread().getName());
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        MDC.clear();
    }

    @Test
    void everyStepOnEveryThreadCarriesTheExchangesContext() {
        ProducerTemplate p = camel.createProducerTemplate();
        p.sendBody("direct:order", "m1");
        assertThat(seen).containsExactly("m1|o-m1|r-m1|order", "m1|o-m1|r-m1|order", "m1|o-m1|r-m1|sub");
        assertThat(threads.get(1)).as("the delay continued on another thread").isNotEqualTo(threads.get(0));
        // Done: the caller's thread holds nothing of it.
        assertThat(MDC.get("merchant")).isNull();
        assertThat(MDC.get("requestId")).isNull();
    }

    @Test
    void theNextExchangeOnAThreadStartsWithoutTheLastOnesContext() {
        ProducerTemplate p = camel.createProducerTemplate();
        p.sendBody("direct:order", "m1");
        seen.clear();
        p.sendBody("direct:plain", "x");
        assertThat(seen).containsExactly("null|null|null|plain");
        Map<String, String> left = MDC.getCopyOfContextMap();
        assertThat(left == null ? Map.of() : left).doesNotContainKeys("merchant", "orderId", "requestId", "provider", "eventId");
    }
}
