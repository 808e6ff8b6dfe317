package io.paygate.route;

import java.util.Map;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.component.direct.DirectComponent;
import org.apache.camel.component.direct.DirectEndpoint;
import org.apache.camel.component.direct.DirectProducer;
import org.apache.camel.util.StringHelper;

/**
 * Camel's {@code direct:} component with every call passing a {@link DirectGate}, which the route
 * reloader closes while it replaces the routes behind an endpoint. Bound as {@code direct} in the
 * registry (GatewayBeans), so every route's {@code direct:} endpoints are these. Otherwise exactly
 * Camel's component: same options, same blocking wait for a consumer.
 */
public final class GatedDirectComponent extends DirectComponent {
    private final DirectGate gate;

    public GatedDirectComponent(DirectGate gate) {
        this.gate = gate;
    }

    public DirectGate gate() {
        return gate;
    }

    /** The key of a direct endpoint, as Camel's DirectEndpoint computes it: its URI without options. */
    public static String key(Endpoint endpoint) {
        String uri = endpoint.getEndpointUri();
        return StringHelper.before(uri, "?", uri);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        DirectEndpoint endpoint = new GatedEndpoint(uri, this);
        endpoint.setBlock(isBlock());
        endpoint.setTimeout(getTimeout());
        setProperties(endpoint, parameters);
        return endpoint;
    }

    private static final class GatedEndpoint extends DirectEndpoint {
        GatedEndpoint(String uri, GatedDirectComponent component) {
            super(uri, component);
        }

        @Override
        public Producer createProducer() {
            return new GatedProducer(this, key(this), ((GatedDirectComponent) getComponent()).gate);
        }
    }

    private static final class GatedProducer extends DirectProducer {
        private final String key;
        private final DirectGate gate;

        GatedProducer(DirectEndpoint endpoint, String key, DirectGate gate) {
            super(endpoint, key);
            this.key = key;
            this.gate = gate;
        }

        @Override
        public void process(Exchange exchange) throws Exception {
            gate.enter(key, exchange);
            try {
                super.process(exchange);
            } finally {
                gate.exit(key, exchange);
            }
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            try {
                gate.enter(key, exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.setException(e);
                callback.done(true);
                return true;
            }
            return super.process(exchange, done -> {
                gate.exit(key, exchange);
                callback.done(done);
            });
        }
    }
}
