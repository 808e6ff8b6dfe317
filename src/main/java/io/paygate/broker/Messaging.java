package io.paygate.broker;

import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import jakarta.jms.Connection;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import io.paygate.config.BrokerLogin;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.component.jms.JmsComponent;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of the message bus: the embedded broker (unless {@code gateway.broker.url}
 * names an external one), one pooled connection factory, and the {@code jms} component. A
 * transacted consumer works in a local transaction of its own JMS session, and every message a route
 * sends while it handles a message goes out on that same session: the request's acknowledgement and
 * its reply (or a callback's retry copy) are one commit, never two.
 */
public final class Messaging implements AutoCloseable, ReplyDestinations {
    private static final Logger LOG = LoggerFactory.getLogger(Messaging.class);

    private static final String INTERNAL_USER = "gateway-internal";

    private final EmbeddedBroker broker;
    /** Logins no merchant may take: the gateway's own, the ESB's and the operators'. */
    private final java.util.Set<String> reservedUsers;
    private final JmsPoolConnectionFactory pool;
    private final JmsComponent component;

    private Messaging(EmbeddedBroker broker, ActiveMQConnectionFactory factory, java.util.Set<String> reservedUsers) {
        this.broker = broker;
        this.reservedUsers = reservedUsers;
        this.pool = new JmsPoolConnectionFactory();
        pool.setConnectionFactory(factory);
        pool.setMaxConnections(4);
        pool.setMaxSessionsPerConnection(500);
        pool.setConnectionIdleTimeout(0);
        // A connection that reconnects for ever (a primary/backup pair's failover URL with
        // reconnectAttempts=-1) rides out a failover: the pool keeps it and its sessions rather than
        // closing it on the FAILOVER notice; only the transactions open at that moment roll back.
        pool.setFaultTolerantConnections(factory.getReconnectAttempts() == -1);
        this.component = JmsComponent.jmsComponent(pool);
        // No transaction manager: with one (Camel creates a JmsTransactionManager by default), a
        // consumer that caches its session (CACHE_CONSUMER) receives and acknowledges on that session
        // while a producer sends on the manager's session, and the two commit one after the other, so
        // a failover between them could lose a reply or deliver a request again after its reply.
        // Without one, the listener container exposes its session to the thread and a producer with
        // transacted=true sends on it: the container's single commit takes the message and sends the
        // reply together.
        component.getConfiguration().setLazyCreateTransactionManager(false);
        // A consumer's recovery (after a failover rolled its commit back) keeps the other consumers'
        // sessions open instead of closing the shared connection under them (SessionKeepingListenerContainer).
        component.getConfiguration().setConsumerType(org.apache.camel.component.jms.ConsumerType.Custom);
        component.getConfiguration().setMessageListenerContainerFactory(SessionKeepingListenerContainer::new);
        if (broker != null) {
            component.getConfiguration().setDestinationResolver(this::resolve);
        }
    }

    /**
     * A destination the routes name (payments.results, a merchant's replies queue, the invalid
     * queue, the deliveries queue). Artemis's client makes a new object for a name on every send and
     * asks the broker about each new object before sending to it: a queue query to make it, then an
     * address query and a queue query, three round trips to the broker for each reply, in the same
     * JVM too. A queue the embedded broker has now is sent to as one it need not ask about; anything
     * else is made and checked by the client, as before.
     */
    private jakarta.jms.Destination resolve(jakarta.jms.Session session, String name, boolean pubSub)
            throws jakarta.jms.JMSException {
        if (!pubSub) {
            org.apache.activemq.artemis.jms.client.ActiveMQDestination queue =
                    org.apache.activemq.artemis.jms.client.ActiveMQDestination.createQueue(name);
            if (checkedHere(queue)) {
                return queue;
            }
        }
        return pubSub ? session.createTopic(name) : session.createQueue(name);
    }

    /**
     * Marks a queue the embedded broker has now as one Artemis's client need not ask the broker
     * about; false (and unmarked) for anything else. Never a queue the broker lacks: sent to as
     * checked, it would fail the whole JMS transaction at its commit (TransactedSessionTest).
     */
    private boolean checkedHere(org.apache.activemq.artemis.jms.client.ActiveMQDestination queue) {
        if (!broker.hasQueue(queue.getAddress())) {
            return false;
        }
        queue.setCreated(true);
        return true;
    }

    /**
     * On the embedded broker, a queue that exists now is sent to without Artemis's client asking
     * the broker about it first (two round trips per reply), and a temporary queue that is gone
     * gets no reply: the client would make it again, as a temporary queue of the gateway's own
     * connection holding the reply for as long as that connection lives, which is the gateway's.
     * Should the queue go between this look and the send, the broker makes it on the send (its
     * address settings allow that outside payments.*) and the reply waits there. On an external
     * broker the destination is sent to as it is, and Artemis's client asks about it.
     */
    @Override
    public java.util.Optional<jakarta.jms.Destination> replyDestination(jakarta.jms.Destination replyTo) {
        if (broker == null || !(replyTo instanceof org.apache.activemq.artemis.jms.client.ActiveMQDestination d) || !d.isQueue()) {
            return java.util.Optional.of(replyTo);
        }
        if (checkedHere(d)) {
            return java.util.Optional.of(d);
        }
        return d.isTemporary() ? java.util.Optional.empty() : java.util.Optional.of(replyTo);
    }

    public static Messaging start(GatewaySettings settings, MerchantDirectory merchants) throws Exception {
        String external = settings.get("gateway.broker.url").trim();
        String user = settings.get("gateway.broker.user");
        String password = settings.get("gateway.broker.password");
        java.util.Set<String> reserved = reservedUsers(settings);
        checkMerchantLogins(merchants.brokerLogins(), reserved);
        if (!external.isEmpty()) {
            LOG.info("using the external broker of gateway.broker.url");
            if (!merchants.brokerLogins().isEmpty()) {
                LOG.info("merchants with a broker login: {}; their users, rights and the {} plugin are configured on the "
                        + "external broker (docs/messaging.md)", merchants.brokerLogins().keySet(), SenderLogin.class.getName());
            }
            return new Messaging(null, new ActiveMQConnectionFactory(external, user, password), Set.copyOf(reserved));
        }
        EmbeddedBroker.Credentials internal = new EmbeddedBroker.Credentials(INTERNAL_USER, randomPassword());
        EmbeddedBroker.Credentials clients = null;
        if (user.isBlank()) {
            LOG.warn("gateway.broker.user is not set: JMS clients cannot log in to the embedded broker");
        } else {
            clients = new EmbeddedBroker.Credentials(user, password);
        }
        EmbeddedBroker broker = new EmbeddedBroker(settings.dataDir(), acceptorUrl(settings), internal,
                clients, opsUser(settings), merchants.eventQueueMerchants(), credentials(merchants.brokerLogins()),
                settings.intValue("gateway.broker.journal-buffer-timeout", 1_000, 100_000_000));
        broker.start();
        return new Messaging(broker, new ActiveMQConnectionFactory(EmbeddedBroker.IN_VM_URL, internal.user(), internal.password()),
                Set.copyOf(reserved));
    }

    /** The logins no merchant may take: the gateway's own, gateway.broker.user and gateway.broker.ops-user. */
    private static java.util.Set<String> reservedUsers(GatewaySettings settings) {
        java.util.Set<String> reserved = new java.util.HashSet<>(java.util.List.of(INTERNAL_USER));
        for (String key : java.util.List.of("gateway.broker.user", "gateway.broker.ops-user")) {
            if (!settings.get(key).isBlank()) {
                reserved.add(settings.get(key));
            }
        }
        return reserved;
    }

    /** The start-up check of the merchants' broker logins against the settings, for --check-config. */
    public static void checkMerchantLogins(GatewaySettings settings, MerchantDirectory merchants) {
        checkMerchantLogins(merchants.brokerLogins(), reservedUsers(settings));
    }

    /** A merchant's broker login must not be the gateway's, the ESB's or the operators' login. */
    private static void checkMerchantLogins(Map<String, BrokerLogin> logins, java.util.Set<String> reserved) {
        logins.forEach((merchant, login) -> {
            if (reserved.contains(login.user())) {
                throw new io.paygate.config.ConfigException(io.paygate.config.MerchantsFile.FILE,
                        "merchants." + merchant + ".broker.user", "is a login of the gateway, of gateway.broker.user or of "
                                + "gateway.broker.ops-user: a merchant needs a login of its own");
            }
        });
    }

    private static Map<String, EmbeddedBroker.Credentials> credentials(Map<String, BrokerLogin> logins) {
        Map<String, EmbeddedBroker.Credentials> out = new java.util.LinkedHashMap<>();
        logins.forEach((merchant, login) -> out.put(merchant, new EmbeddedBroker.Credentials(login.user(), login.password())));
        return out;
    }

    /**
     * The merchants' broker logins of a reload: checked (a {@link io.paygate.config.ConfigException}
     * refuses the reload), then put in force on the embedded broker. An external broker's users are
     * its operators' (docs/messaging.md): only logged.
     */
    public void applyMerchantLogins(Map<String, BrokerLogin> logins) {
        checkMerchantLogins(logins, reservedUsers);
        if (broker == null) {
            LOG.info("merchants with a broker login after the reload: {}; configure their users on the external broker",
                    logins.keySet());
            return;
        }
        broker.applyMerchantLogins(credentials(logins));
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

    @Override
    public java.util.Optional<String> temporaryQueueOwner(String queue) {
        return broker == null ? java.util.Optional.of(UNKNOWN_OWNER) : broker.temporaryQueueOwner(queue);
    }

    /** {@link #temporaryQueueOwner} of a queue on an external broker. */
    public static final String UNKNOWN_OWNER = "?";

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

    /**
     * The broker is up: the embedded one is active, or the gateway's connection to the external one
     * opens and is connected now (not between a primary and its backup in a failover).
     */
    public boolean isHealthy() {
        if (broker != null) {
            return broker.isActive();
        }
        try (Connection c = pool.createConnection()) {
            Connection provider = c instanceof org.messaginghub.pooled.jms.JmsPoolConnection pooled ? pooled.getConnection() : c;
            if (provider instanceof org.apache.activemq.artemis.jms.client.ActiveMQConnection artemis) {
                org.apache.activemq.artemis.api.core.client.ClientSessionFactory sessions = artemis.getSessionFactory();
                return sessions != null && !sessions.isClosed() && sessions.getConnection() != null
                        && !sessions.getConnection().isDestroyed();
            }
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
