package io.paygate.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gated direct component under a route replaced again and again while callers keep calling it,
 * as the route reloader replaces a provider route: no call fails, and after each switch the calls
 * reach the new route.
 */
class GatedDirectComponentTest {
    private final DirectGate gate = new DirectGate();
    private CamelContext camel;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("direct", new GatedDirectComponent(gate));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the caller's route, entered from the test, calling the replaced one as the API's routes do
                from("direct:caller").routeId("caller").to("direct:provider");
            }
        });
        camel.addRoutes(version(0));
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private static RouteBuilder version(int v) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:provider").routeId("provider").setBody(constant("v" + v)).setBody(simple("${body}"));
            }
        };
    }

    @Test
    void callsDuringReplacementsNeverMeetAStoppedRoute() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong answered = new AtomicLong();
        ExecutorService callers = Executors.newFixedThreadPool(6);
        ProducerTemplate template = camel.createProducerTemplate();
        List<Future<?>> load = new java.util.ArrayList<>();
        for (int t = 0; t < 6; t++) {
            load.add(callers.submit(() -> {
                while (running.get()) {
                    try {
                        assertThat(template.requestBody("direct:caller", "x", String.class)).startsWith("v");
                        answered.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }));
        }
        String key = "direct://provider";
        for (int v = 1; v <= 200; v++) {
            // what RouteReloader.replace does: close the gate, let the calls under way drain, swap, open
            assertThat(gate.close(Set.of(key), Duration.ofSeconds(5))).isTrue();
            try {
                camel.getRouteController().stopRoute("provider");
                camel.removeRoute("provider");
                camel.addRoutes(version(v));
            } finally {
                gate.open(Set.of(key));
            }
            String expected = "v" + v;
            assertThat(template.requestBody("direct:caller", "x", String.class)).isEqualTo(expected);
        }
        running.set(false);
        for (Future<?> f : load) {
            f.get(30, TimeUnit.SECONDS);
        }
        callers.shutdown();
        assertThat(failures).as("calls that failed during the replacements").isEmpty();
        assertThat(answered.get()).isGreaterThan(200);
    }

    @Test
    void anEndpointWithoutConsumerFailsAsCamelsDoes() {
        camel.getComponent("direct", GatedDirectComponent.class).setBlock(false);
        ProducerTemplate template = camel.createProducerTemplate();
        CamelExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(CamelExecutionException.class,
                () -> template.requestBody("direct:nobody", "x"));
        assertThat(e.getCause()).isInstanceOf(DirectConsumerNotAvailableException.class);
        assertThat(gate.underWay("direct://nobody")).isZero();
    }
}
