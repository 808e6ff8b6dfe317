package io.paygate.route;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Producer;
import org.apache.camel.component.direct.DirectComponent;
import org.apache.camel.component.direct.DirectConsumer;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.apache.camel.component.direct.DirectEndpoint;
import org.apache.camel.component.direct.DirectProducer;
import org.apache.camel.util.StringHelper;

/**
 * Camel's {@code direct:} component with every call passing a {@link DirectGate}, which the route
 * reloader closes while it replaces the routes behind an endpoint. Bound as {@code direct} in the
 * registry (GatewayBeans), so every route's {@code direct:} endpoints are these. Otherwise exactly
 * Camel's component: same options, same blocking wait for a consumer.
 *
 * <p>Its producers also find their consumer safely under concurrent calls. Camel's
 * {@code DirectProducer} (4.18) remembers the consumer it found with the component's state counter
 * in two fields, the counter written first: a second thread calling between the two writes sees the
 * new counter with the old consumer and runs the exchange on a route already stopped ("SendProcessor
 * has not been started"), after the gate has opened again. Here the consumer and the version it was
 * found at are one value, replaced at once.
 */
public final class GatedDirectComponent extends DirectComponent {
    private final DirectGate gate;
    /** Raised after every consumer added or removed: a producer's consumer found before it is looked up again. */
    private final AtomicLong consumersVersion = new AtomicLong();

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
    public void addConsumer(String key, DirectConsumer consumer) {
        super.addConsumer(key, consumer);
        consumersVersion.incrementAndGet();
    }

    @Override
    public void removeConsumer(String key, DirectConsumer consumer) {
        super.removeConsumer(key, consumer);
        consumersVersion.incrementAndGet();
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
        /** A consumer and the component's {@link #consumersVersion} read before it was looked up. */
        private record Found(long version, DirectConsumer consumer) {
        }

        private final String key;
        private final DirectGate gate;
        private final GatedDirectComponent component;
        private final DirectEndpoint endpoint;
        private volatile Found found;

        GatedProducer(DirectEndpoint endpoint, String key, DirectGate gate) {
            super(endpoint, key);
            this.key = key;
            this.gate = gate;
            this.component = (GatedDirectComponent) endpoint.getComponent();
            this.endpoint = endpoint;
        }

        /**
         * The endpoint's consumer, looked up again whenever a consumer was added or removed since it
         * was found, and while there is none (waiting for one as the endpoint's {@code block} and
         * {@code timeout} say).
         */
        private DirectConsumer consumer(Exchange exchange) throws InterruptedException, DirectConsumerNotAvailableException {
            Found f = found;
            if (f != null && f.consumer != null && f.version == component.consumersVersion.get()) {
                return f.consumer;
            }
            // Read before the lookup: a change after it raises the version, so the next call looks again.
            long version = component.consumersVersion.get();
            DirectConsumer consumer = component.getConsumer(key, endpoint.isBlock(), endpoint.getTimeout());
            found = new Found(version, consumer);
            if (consumer == null && endpoint.isFailIfNoConsumers()) {
                throw new DirectConsumerNotAvailableException("No consumers available on endpoint: " + endpoint, exchange);
            }
            return consumer;
        }

        @Override
        public void process(Exchange exchange) throws Exception {
            gate.enter(key, exchange);
            try {
                DirectConsumer consumer = consumer(exchange);
                if (consumer != null) { // else failIfNoConsumers=false: the message is dropped, as Camel does
                    consumer.getProcessor().process(exchange);
                }
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
            AsyncCallback exit = done -> {
                gate.exit(key, exchange);
                callback.done(done);
            };
            try {
                DirectConsumer consumer = consumer(exchange);
                if (consumer == null) { // failIfNoConsumers=false: the message is dropped, as Camel does
                    exit.done(true);
                    return true;
                }
                if (endpoint.isSynchronous() || consumer.getEndpoint().isSynchronous()) {
                    consumer.getProcessor().process(exchange);
                    exit.done(true);
                    return true;
                }
                // as Camel's producer: the client scope it opened is closed on this thread
                if (exchange.getProperty(ExchangePropertyKey.OTEL_ACTIVE_SPAN) != null) {
                    exchange.setProperty(ExchangePropertyKey.OTEL_CLOSE_CLIENT_SCOPE, Boolean.TRUE);
                }
                return consumer.getAsyncProcessor().process(exchange, exit);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.setException(e);
                exit.done(true);
                return true;
            } catch (Exception e) {
                exchange.setException(e);
                exit.done(true);
                return true;
            }
        }
    }
}
