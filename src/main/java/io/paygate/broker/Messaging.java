package io.paygate.broker;

import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import jakarta.jms.Connection;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.component.jms.JmsComponent;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.JmsTransactionManager;

/**
 * The gateway's side of the message bus: the embedded broker (unless {@code gateway.broker.url}
 * names an external one), one pooled connection factory, and the {@code jms} component whose
 * transaction manager the transacted routes share, so a reply is sent in the transaction that
 * acknowledges its request.
 */
public final class Messaging implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Messaging.class);

    private final EmbeddedBroker broker;
    private final JmsPoolConnectionFactory pool;
    private final JmsComponent component;

    private Messaging(EmbeddedBroker broker, ActiveMQConnectionFactory factory) {
        this.broker = broker;
        this.pool = new JmsPoolConnectionFactory();
        pool.setConnectionFactory(factory);
        pool.setMaxConnections(4);
        pool.setMaxSessionsPerConnection(500);
        pool.setConnectionIdleTimeout(0);
        this.component = JmsComponent.jmsComponent(pool);
        component.setTransactionManager(new JmsTransactionManager(pool));
    }

    public static Messaging start(GatewaySettings settings, MerchantDirectory merchants) throws Exception {
        String external = settings.get("gateway.broker.url").trim();
        String user = settings.get("gateway.broker.user");
        String password = settings.get("gateway.broker.password");
        if (!external.isEmpty()) {
            LOG.info("using the external broker of gateway.broker.url");
            return new Messaging(null, new ActiveMQConnectionFactory(external, user, password));
        }
        EmbeddedBroker.Credentials internal = new EmbeddedBroker.Credentials("gateway-internal", randomPassword());
        EmbeddedBroker.Credentials clients = null;
        if (user.isBlank()) {
            LOG.warn("gateway.broker.user is not set: JMS clients cannot log in to the embedded broker");
        } else {
            clients = new EmbeddedBroker.Credentials(user, password);
        }
        EmbeddedBroker broker = new EmbeddedBroker(settings.dataDir(), acceptorUrl(settings), internal,
                clients, opsUser(settings), merchants.eventQueueMerchants());
        broker.start();
        return new Messaging(broker, new ActiveMQConnectionFactory(EmbeddedBroker.IN_VM_URL, internal.user(), internal.password()));
    }

    /**
     * One TCP acceptor for every protocol of {@code gateway.broker.protocols} (Artemis tells them
     * apart by the first bytes of a connection); TLS when a key store is configured. STOMP clients
     * may write destinations bare ({@code payments.requests}) or with the usual {@code /queue/} and
     * {@code /topic/} prefixes.
     */
    static String acceptorUrl(GatewaySettings settings) throws Exception {
        String host = settings.get("gateway.broker.host");
        int port = settings.intValue("gateway.broker.port", 0, 65535);
        StringBuilder url = new StringBuilder("tcp://").append(host).append(':').append(port).append("?protocols=")
                .append(String.join(",", settings.brokerProtocols()));
        if (settings.brokerProtocols().contains("STOMP")) {
            url.append(";anycastPrefix=/queue/;multicastPrefix=/topic/");
        }
        String keyStore = settings.get("gateway.broker.tls.keystore-path");
        if (!keyStore.isBlank()) {
            if (!java.nio.file.Files.isReadable(Path.of(keyStore))) {
                throw new io.paygate.config.ConfigException(settings.configFile(), "gateway.broker.tls.keystore-path",
                        "cannot read " + keyStore);
            }
            url.append(";sslEnabled=true;keyStorePath=").append(keyStore)
                    .append(";keyStorePassword=").append(settings.get("gateway.broker.tls.keystore-password"));
        } else if (!InetAddress.getByName(host).isLoopbackAddress()) {
            LOG.warn("the broker listens on {} without TLS: set gateway.broker.tls.keystore-path", host);
        }
        return url.toString();
    }

    private static EmbeddedBroker.Credentials opsUser(GatewaySettings settings) {
        String user = settings.get("gateway.broker.ops-user");
        if (user.isBlank()) {
            return null;
        }
        String password = settings.get("gateway.broker.ops-password");
        if (password.isBlank()) {
            throw new io.paygate.config.ConfigException(settings.configFile(), "gateway.broker.ops-password",
                    "missing: gateway.broker.ops-user is set");
        }
        return new EmbeddedBroker.Credentials(user, password);
    }

    private static String randomPassword() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public JmsComponent component() {
        return component;
    }

    public jakarta.jms.ConnectionFactory connectionFactory() {
        return pool;
    }

    /**
     * The durable events queue of a merchant added by a reload with {@code eventsQueue: true}: made
     * on the embedded broker now (kept if it exists). An external broker's queues are its operators'
     * (docs/operations.md): only logged.
     */
    public void addMerchantEventQueue(String merchant) {
        if (broker == null) {
            LOG.info("merchant {} has eventsQueue: true: create the queue {} on the external broker", merchant,
                    Destinations.merchantEvents(merchant));
            return;
        }
        broker.addMerchantEventQueue(merchant);
    }

    /** The broker is the gateway's own (no gateway.broker.url). */
    public boolean embedded() {
        return broker != null;
    }

    /** Messages on a queue of the embedded broker (0 when the queue does not exist yet). */
    public long queueDepth(String queue) {
        if (broker == null) {
            throw new IllegalStateException("the queues of an external broker are not visible here");
        }
        return broker.queueDepth(queue);
    }

    /** The broker is up: the embedded one is active, or a connection to the external one opens. */
    public boolean isHealthy() {
        if (broker != null) {
            return broker.isActive();
        }
        try (Connection c = pool.createConnection()) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            pool.stop();
        } catch (Exception e) {
            LOG.warn("JMS pool did not stop cleanly: {}", e.toString());
        }
        if (broker != null) {
            broker.close();
        }
    }
}
