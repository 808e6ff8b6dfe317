package io.paygate.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.CoreAddressConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process Artemis broker: persistent journal under the data dir, one TCP acceptor (CORE,
 * AMQP 1.0 and STOMP by gateway.broker.protocols; TLS by configuration) and the in-VM acceptor the
 * gateway itself uses, JAAS security,
 * the payments destinations pre-created with dead-letter and expiry addresses. The same settings
 * are written as docs/broker.xml for an external broker.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    public static final String IN_VM_URL = "vm://0";
    public static final String GATEWAY_ROLE = "gateway";
    public static final String CLIENT_ROLE = "client";
    public static final String OPS_ROLE = "ops";
    /** Every merchant's own login has this role (send requests, temporary reply queues) and {@code merchant.<id>}. */
    public static final String MERCHANT_ROLE = "merchant";

    /** Role(name, send, consume, createDurableQueue, deleteDurableQueue, createNonDurableQueue,
     *       deleteNonDurableQueue, manage, browse, createAddress, deleteAddress) */
    private static final Role GATEWAY = new Role(GATEWAY_ROLE, true, true, true, true, true, true, true, true, true, true);
    private static final Role CLIENT_ON_EVENTS = new Role(CLIENT_ROLE, false, true, true, true, true, true, false, true, false, false);

    private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
    /** host:port of the TCP acceptor, for the error when it cannot listen (the URL may hold a key store password). */
    private final String listenAddress;
    private final LiveUsers users;
    /** The merchants' logins in force, by merchant id. */
    private final Map<String, Credentials> merchantLogins;

    /**
     * @param acceptorUrl e.g. {@code tcp://127.0.0.1:61616?protocols=CORE,AMQP,STOMP}
     * @param gatewayUser the gateway's own login (in-VM), with every right on the payments destinations
     * @param clientUser  the login of merchant systems, kept to the destinations they need (null: none)
     * @param opsUser     optional login of operators: the invalid, dead-letter and expiry queues
     * @param journalBufferTimeoutNanos how long a durable write waits for others to share its fsync
     *                    ({@code gateway.broker.journal-buffer-timeout}; Artemis's own default, 3.3 ms
     *                    for NIO, made a one-client request-reply wait for it twice)
     */
    public EmbeddedBroker(Path dataDir, String acceptorUrl, Credentials gatewayUser, Credentials clientUser,
                          Credentials opsUser, List<String> merchantEventQueues,
                          Map<String, Credentials> merchantLogins, int journalBufferTimeoutNanos) throws Exception {
        Path dir = dataDir.resolve("broker");
        this.listenAddress = listenAddress(acceptorUrl);
        Configuration cfg = new ConfigurationImpl()
                .setName("payment-gateway")
                .setPersistenceEnabled(true)
                .setSecurityEnabled(true)
                .setJMXManagementEnabled(false)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large-messages").toString())
                .setJournalSyncTransactional(true)
                .setJournalSyncNonTransactional(true)
                .setJournalBufferTimeout_NIO(journalBufferTimeoutNanos)
                .setJournalBufferTimeout_AIO(journalBufferTimeoutNanos)
                .setPersistIDCache(true)
                .setIDCacheSize(100_000)
                .setMessageExpiryScanPeriod(1000)
                .setGracefulShutdownEnabled(true)
                .setGracefulShutdownTimeout(10_000)
                .setMaxDiskUsage(95);
        cfg.addAcceptorConfiguration("invm", IN_VM_URL);
        cfg.addAcceptorConfiguration("netty", acceptorUrl);

        AddressSettings payments = new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(Destinations.DLQ))
                .setExpiryAddress(SimpleString.of(Destinations.EXPIRED))
                .setMaxDeliveryAttempts(10)
                .setRedeliveryDelay(1000)
                .setRedeliveryMultiplier(2.0)
                .setMaxRedeliveryDelay(60_000)
                .setAutoCreateQueues(false)
                .setAutoCreateAddresses(false);
        // Everything else (temporary reply queues): the broker's usual dead-letter and expiry queues.
        cfg.addAddressSetting("#", new AddressSettings().setDeadLetterAddress(SimpleString.of("DLQ"))
                .setExpiryAddress(SimpleString.of("ExpiryQueue")));
        cfg.addAddressSetting("payments.#", payments);
        cfg.addAddressSetting(Destinations.REQUESTS, new AddressSettings()
                .setExpiryAddress(SimpleString.of(Destinations.REQUESTS_EXPIRED)));

        for (String q : List.of(Destinations.REQUESTS, Destinations.RESULTS, Destinations.INVALID,
                Destinations.REQUESTS_EXPIRED, Destinations.DELIVERIES, Destinations.DELIVERIES_DLQ, Destinations.DLQ,
                Destinations.EXPIRED,
                "DLQ", "ExpiryQueue")) {
            cfg.addAddressConfiguration(new CoreAddressConfiguration().setName(q).addRoutingType(RoutingType.ANYCAST)
                    .addQueueConfig(QueueConfiguration.of(q).setAddress(q).setRoutingType(RoutingType.ANYCAST).setDurable(true)));
        }
        CoreAddressConfiguration events = new CoreAddressConfiguration().setName(Destinations.EVENTS)
                .addRoutingType(RoutingType.MULTICAST);
        // Every event is also diverted, as a copy, to the anycast queue payments.deliveries, where
        // it waits for its merchant callback; retries are sent to the same queue (routes/deliveries.yaml).
        cfg.addDivertConfiguration(new org.apache.activemq.artemis.core.config.DivertConfiguration()
                .setName("events-to-deliveries").setAddress(Destinations.EVENTS)
                .setForwardingAddress(Destinations.DELIVERIES).setExclusive(false)
                .setRoutingType(org.apache.activemq.artemis.core.server.ComponentConfigurationRoutingType.ANYCAST));
        for (String merchant : merchantEventQueues) {
            events.addQueueConfig(merchantEventQueue(merchant));
        }
        cfg.addAddressConfiguration(events);
        for (String merchant : merchantLogins.keySet()) {
            String results = Destinations.merchantResults(merchant);
            cfg.addAddressConfiguration(new CoreAddressConfiguration().setName(results).addRoutingType(RoutingType.ANYCAST)
                    .addQueueConfig(merchantResultsQueue(merchant)));
        }

        Role gateway = GATEWAY;
        cfg.putSecurityRoles("payments.#", Set.of(gateway));
        cfg.putSecurityRoles(Destinations.REQUESTS,
                Set.of(gateway, new Role(CLIENT_ROLE, true, false, false, false, false, false, false, false, false, false),
                        new Role(MERCHANT_ROLE, true, false, false, false, false, false, false, false, false, false)));
        cfg.putSecurityRoles(Destinations.RESULTS,
                Set.of(gateway, new Role(CLIENT_ROLE, false, true, false, false, false, false, false, true, false, false)));
        cfg.putSecurityRoles(Destinations.EVENTS, Set.of(gateway, CLIENT_ON_EVENTS));
        // Temporary reply queues have random names: clients may create and use non-durable queues
        // outside payments.*, where nothing else lives. The broker does not tie a temporary queue to
        // its creator; its name is random and known only to its creator and the gateway, which
        // answers a merchant login only on temporary queues that login created (JmsEntry).
        cfg.putSecurityRoles("#", Set.of(gateway, new Role(CLIENT_ROLE, true, true, false, false, true, true, false, false, true, true),
                new Role(MERCHANT_ROLE, true, true, false, false, true, true, false, false, true, true)));
        merchantLogins.keySet().forEach(m -> merchantRights(m).forEach(cfg::putSecurityRoles));
        Role ops = new Role(OPS_ROLE, true, true, false, false, false, false, false, true, false, false);
        for (String q : List.of(Destinations.INVALID, Destinations.DLQ, Destinations.EXPIRED, Destinations.DELIVERIES_DLQ,
                "DLQ", "ExpiryQueue")) {
            cfg.putSecurityRoles(q, Set.of(gateway, ops));
        }

        users = new LiveUsers();
        users.addUser(gatewayUser.user(), gatewayUser.password());
        users.addRole(gatewayUser.user(), GATEWAY_ROLE);
        if (clientUser != null) {
            users.addUser(clientUser.user(), clientUser.password());
            users.addRole(clientUser.user(), CLIENT_ROLE);
        }
        if (opsUser != null) {
            users.addUser(opsUser.user(), opsUser.password());
            users.addRole(opsUser.user(), OPS_ROLE);
        }
        merchantLogins.forEach(this::addMerchantUser);
        this.merchantLogins = new HashMap<>(merchantLogins);
        cfg.registerBrokerPlugin(new SenderLogin());
        server.setConfiguration(cfg);
        server.setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
    }

    /**
     * What a merchant's own login may do beyond sending requests: read its replies queue and its
     * events queue (named fully qualified, so the rule holds for that queue alone). The ESB login
     * keeps its rights on the events queues.
     */
    private static Map<String, Set<Role>> merchantRights(String merchant) {
        Role own = new Role(merchantRole(merchant), false, true, false, false, false, false, false, true, false, false);
        return Map.of(
                Destinations.merchantResults(merchant), Set.of(GATEWAY, own),
                Destinations.EVENTS + "::" + Destinations.merchantEvents(merchant), Set.of(GATEWAY, CLIENT_ON_EVENTS, own));
    }

    public static String merchantRole(String merchant) {
        return MERCHANT_ROLE + "." + merchant;
    }

    private void addMerchantUser(String merchant, Credentials login) {
        users.addUser(login.user(), login.password());
        users.addRole(login.user(), MERCHANT_ROLE);
        users.addRole(login.user(), merchantRole(merchant));
    }

    private static QueueConfiguration merchantResultsQueue(String merchant) {
        String results = Destinations.merchantResults(merchant);
        return QueueConfiguration.of(results).setAddress(results).setRoutingType(RoutingType.ANYCAST).setDurable(true)
                .setAutoCreateAddress(true);
    }

    /**
     * Puts the merchants' logins of a reload in force on the running broker: new logins can log in
     * at once (their replies and events queues are made), a removed or changed login's connections
     * are closed and it can no longer log in. Queues of a removed login stay (they may hold replies)
     * and only the gateway may read them.
     */
    public synchronized void applyMerchantLogins(Map<String, Credentials> next) {
        org.apache.activemq.artemis.core.server.ActiveMQServer s = server.getActiveMQServer();
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, Credentials> e : merchantLogins.entrySet()) {
            if (!e.getValue().equals(next.get(e.getKey()))) {
                dropped.add(e.getValue().user());
                users.removeUser(e.getValue().user());
                if (!next.containsKey(e.getKey())) {
                    merchantRights(e.getKey()).keySet().forEach(m -> s.getSecurityRepository().removeMatch(m));
                }
                LOG.info("broker login of merchant {} withdrawn", e.getKey());
            }
        }
        for (Map.Entry<String, Credentials> e : next.entrySet()) {
            if (!e.getValue().equals(merchantLogins.get(e.getKey()))) {
                try {
                    s.createQueue(merchantResultsQueue(e.getKey()), true);
                    s.createQueue(merchantEventQueue(e.getKey()), true);
                } catch (Exception ex) {
                    throw new IllegalStateException("queues of merchant " + e.getKey() + " not created", ex);
                }
                merchantRights(e.getKey()).forEach((m, roles) -> s.getSecurityRepository().addMatch(m, roles));
                addMerchantUser(e.getKey(), e.getValue());
                LOG.info("broker login of merchant {} in force", e.getKey());
            }
        }
        merchantLogins.clear();
        merchantLogins.putAll(next);
        if (s.getSecurityStore() instanceof org.apache.activemq.artemis.core.security.impl.SecurityStoreImpl store) {
            store.invalidateAuthenticationCache();
            store.invalidateAuthorizationCache();
        }
        // Whoever is still connected with a withdrawn login is cut off.
        for (org.apache.activemq.artemis.core.server.ServerSession session : s.getSessions()) {
            if (dropped.contains(session.getUsername())) {
                session.getRemotingConnection().fail(new org.apache.activemq.artemis.api.core.ActiveMQSecurityException(
                        "the broker login was withdrawn by a configuration reload"));
            }
        }
    }

    /**
     * The in-VM login module's users, changed while the broker runs (a reload of the merchants'
     * logins): every read and change under one lock, a role list handed out as a copy.
     */
    private static final class LiveUsers extends SecurityConfiguration {
        @Override
        public synchronized void addUser(String user, String password) {
            super.addUser(user, password);
        }

        @Override
        public synchronized void removeUser(String user) {
            super.removeUser(user);
        }

        @Override
        public synchronized void addRole(String user, String role) {
            super.addRole(user, role);
        }

        @Override
        public synchronized void removeRole(String user, String role) {
            super.removeRole(user, role);
        }

        @Override
        public synchronized org.apache.activemq.artemis.core.security.User getUser(String username) {
            return super.getUser(username);
        }

        @Override
        public synchronized List<String> getRole(String username) {
            List<String> roles = super.getRole(username);
            return roles == null ? null : List.copyOf(roles);
        }
    }

    /** A merchant's durable copy of its events: a filtered queue on the events topic. */
    private static QueueConfiguration merchantEventQueue(String merchant) {
        return QueueConfiguration.of(Destinations.merchantEvents(merchant)).setAddress(Destinations.EVENTS)
                .setRoutingType(RoutingType.MULTICAST).setDurable(true)
                .setFilterString("merchant = '" + merchant.replace("'", "''") + "'");
    }

    /** Makes a merchant's events queue on the running broker (a merchant added by a reload); kept if it exists. */
    public void addMerchantEventQueue(String merchant) {
        try {
            server.getActiveMQServer().createQueue(merchantEventQueue(merchant), true);
            LOG.info("events queue {} ready", Destinations.merchantEvents(merchant));
        } catch (Exception e) {
            throw new IllegalStateException("events queue of merchant " + merchant + " not created", e);
        }
    }

    /**
     * Starts the broker, or fails: Artemis itself logs a TCP acceptor that cannot bind (a port
     * already taken) and carries on without it, so a gateway would run with no broker port and
     * its health DOWN for good. Here that stops the start instead, naming the address.
     */
    public void start() throws Exception {
        server.start();
        org.apache.activemq.artemis.core.server.ActiveMQServer s = server.getActiveMQServer();
        List<String> notListening = s.getRemotingService() == null ? List.of("netty")
                : s.getRemotingService().getAcceptors().entrySet().stream()
                        .filter(a -> !a.getValue().isStarted()).map(Map.Entry::getKey).toList();
        if (!s.isActive() || !notListening.isEmpty()) {
            close();
            throw new IllegalStateException("the embedded broker cannot listen on " + listenAddress
                    + " (gateway.broker.host, gateway.broker.port): the port is taken by another process,"
                    + " or the host is not an address of this machine");
        }
        LOG.info("embedded broker started (journal under its data dir)");
    }

    /** {@code tcp://host:port?…} → {@code host:port}. */
    static String listenAddress(String acceptorUrl) {
        String a = acceptorUrl.startsWith("tcp://") ? acceptorUrl.substring("tcp://".length()) : acceptorUrl;
        int q = a.indexOf('?');
        return q < 0 ? a : a.substring(0, q);
    }

    public boolean isActive() {
        return server.getActiveMQServer() != null && server.getActiveMQServer().isActive();
    }

    /** The login that created a temporary queue; empty when the queue is not a temporary one (or is gone). */
    public java.util.Optional<String> temporaryQueueOwner(String queue) {
        org.apache.activemq.artemis.core.server.ActiveMQServer s = server.getActiveMQServer();
        org.apache.activemq.artemis.core.server.Queue q = s == null ? null : s.locateQueue(queue);
        if (q == null || !q.isTemporary() || q.getUser() == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(q.getUser().toString());
    }

    /**
     * An anycast queue of this name exists now on the address of the same name: what Artemis's
     * client asks the broker (an address query and a queue query) before its first send to a queue,
     * known here without asking.
     */
    public boolean hasQueue(String name) {
        org.apache.activemq.artemis.core.server.ActiveMQServer s = server.getActiveMQServer();
        org.apache.activemq.artemis.core.server.Queue q = s == null ? null : s.locateQueue(name);
        return q != null && q.getRoutingType() == RoutingType.ANYCAST && q.getAddress().toString().equals(name);
    }

    /** Messages on one queue (0 when it does not exist yet), from the server's own count. */
    public long queueDepth(String queue) {
        org.apache.activemq.artemis.core.server.ActiveMQServer s = server.getActiveMQServer();
        org.apache.activemq.artemis.core.server.Queue q = s == null ? null : s.locateQueue(queue);
        return q == null ? 0 : q.getMessageCount();
    }

    @Override
    public void close() {
        try {
            if (server.getActiveMQServer() != null && server.getActiveMQServer().isStarted()) {
                server.stop();
            }
        } catch (Exception e) {
            LOG.warn("embedded broker did not stop cleanly: {}", e.toString());
        }
    }

    /** A broker login. {@link #toString()} hides the password. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[" + user + "]";
        }
    }

}
