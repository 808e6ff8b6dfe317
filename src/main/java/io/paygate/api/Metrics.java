package io.paygate.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.apache.camel.Exchange;

/** {@code GET /observe/metrics}: the gateway's counters (e.g. gateway.notifications by outcome) as JSON. */
public final class Metrics {
    private final MeterRegistry registry;
    private final ObjectMapper json;

    public Metrics(MeterRegistry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
    }

    public void report(Exchange ex) {
        ArrayNode counters = json.createArrayNode();
        for (Meter m : registry.getMeters()) {
            if (m instanceof Counter c && m.getId().getName().startsWith("gateway.")) {
                ObjectNode n = counters.addObject();
                n.put("name", m.getId().getName());
                ObjectNode tags = n.putObject("tags");
                for (Tag t : m.getId().getTags()) {
                    tags.put(t.getKey(), t.getValue());
                }
                n.put("count", c.count());
            }
        }
        ObjectNode out = json.createObjectNode();
        out.set("counters", counters);
        ApiAnswer.finish(ex, 200, out.toString());
    }
}
