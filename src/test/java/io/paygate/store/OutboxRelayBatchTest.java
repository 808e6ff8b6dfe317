package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.broker.Destinations;
import io.paygate.broker.Messaging;
import io.paygate.canonical.Json;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantsFile;
import io.paygate.events.OutboxRelay;
import io.paygate.events.RelayProbe;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox relay's batches on the real embedded broker: a backlog goes out in batches, each
 * event once with its eventId as Artemis's duplicate id; a crash after a batch is sent and before
 * it is marked sends it again, and the broker drops the copies; a crash before the JMS commit sends
 * nothing of the batch.
 */
class OutboxRelayBatchTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final int EVENTS = 250;

    @TempDir
    Path dir;

    private TestStore store;
    private Database db;
    private Ledger ledger;
    private Messaging messaging;
    private Connection connection;
    private MessageConsumer topic;
    private final LedgerTest.MutableClock clock = new LedgerTest.MutableClock(Instant.parse("2026-12-06T01:00:00Z"));

    @BeforeEach
    void open() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "gateway.public-base-url=https://gw.example.com", "gateway.broker.port=0",
                "gateway.broker.user=relay-client", "gateway.broker.password=relay-broker-pass-5521", ""));
        Files.writeString(dir.resolve("merchants.yaml"), String.join("\n", "merchants:", "  acme:", "    provider: testpay",
                "    apiToken: relay-token-0000000001", "    testpay: {baseUrl: 'http://127.0.0.1:9', key: k}", ""));
        Map<String, String> env = Map.of("GATEWAY_CONFIG_DIR", dir.toString(), "GATEWAY_DATA_DIR",
                dir.resolve("data").toString(), "GATEWAY_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        GatewaySettings settings = GatewaySettings.load(env, new Properties());
        MerchantDirectory merchants = MerchantsFile.load(settings.configDir(), settings.dataDir(), env);
        store = TestStore.fresh(dir.resolve("store"));
        db = store.open(4);
        ledger = new Ledger(db, JSON, clock);
        for (int i = 0; i < EVENTS; i++) {
            ledger.create(LedgerTest.pay("ORD-" + i, 100));
            ledger.apply(new Transition("acme", "ORD-" + i, PaymentStatus.SUCCESS, Source.NOTIFY, "wx-" + i, null, 100L,
                    null, clock.instant(), null));
        }
        messaging = Messaging.start(settings, merchants);
        connection = messaging.connectionFactory().createConnection();
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        topic = session.createConsumer(session.createTopic(Destinations.EVENTS));
        connection.start();
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
        messaging.close();
        db.close();
        store.close();
    }

    private OutboxRelay relay(RelayProbe probe) {
        return new OutboxRelay(ledger, JSON, 100, probe, null, clock, messaging.connectionFactory());
    }

    private List<TextMessage> received() throws Exception {
        List<TextMessage> out = new ArrayList<>();
        for (Message m = topic.receive(2000); m != null; m = topic.receive(500)) {
            out.add((TextMessage) m);
        }
        return out;
    }

    @Test
    void aBacklogGoesOutInBatchesEachEventOnceWithItsIdAndProperties() throws Exception {
        Set<String> outbox = new HashSet<>();
        ledger.pendingEvents(1000).forEach(e -> outbox.add(e.eventId()));
        assertThat(outbox).hasSize(EVENTS);
        AtomicInteger sends = new AtomicInteger();
        assertThat(relay(new RelayProbe() {
            @Override
            public void beforeSend(String eventId) {
                sends.incrementAndGet();
            }
        }).relay()).as("one pass drains the backlog: 100 + 100 + 50").isEqualTo(EVENTS);
        assertThat(sends).hasValue(EVENTS);
        assertThat(ledger.pendingEvents(1000)).isEmpty();
        List<TextMessage> messages = received();
        Set<String> ids = new HashSet<>();
        for (TextMessage m : messages) {
            String eventId = JSON.readTree(m.getText()).path("eventId").asText();
            assertThat(m.getStringProperty("eventId")).isEqualTo(eventId);
            assertThat(m.getStringProperty(OutboxRelay.DUPLICATE_ID)).isEqualTo(eventId);
            assertThat(m.getStringProperty("merchant")).isEqualTo("acme");
            assertThat(m.getStringProperty("orderId")).startsWith("ORD-");
            assertThat(m.getJMSDeliveryMode()).isEqualTo(jakarta.jms.DeliveryMode.PERSISTENT);
            ids.add(eventId);
        }
        assertThat(messages).hasSize(EVENTS);
        assertThat(ids).isEqualTo(outbox);
        assertThat(relay(RelayProbe.NONE).relay()).as("nothing left").isZero();
    }

    @Test
    void aBatchSentButNotMarkedIsSentAgainAndTheBrokerDropsTheCopies() throws Exception {
        RelayProbe crashAfterSend = new RelayProbe() {
            @Override
            public void afterSend(String eventId) {
                throw new IllegalStateException("crash between the send and the mark");
            }
        };
        assertThatThrownBy(() -> relay(crashAfterSend).relay()).hasMessageContaining("crash");
        assertThat(ledger.pendingEvents(1000)).as("the first batch is not marked").hasSize(EVENTS);
        assertThat(received()).as("the first batch was sent").hasSize(100);
        assertThat(relay(RelayProbe.NONE).relay()).isEqualTo(EVENTS);
        assertThat(ledger.pendingEvents(1000)).isEmpty();
        List<TextMessage> again = received();
        assertThat(again).as("the resent first batch is dropped as duplicates; the rest arrives once").hasSize(EVENTS - 100);
    }

    @Test
    void aCrashBeforeTheCommitSendsNothingOfTheBatch() throws Exception {
        AtomicInteger n = new AtomicInteger();
        RelayProbe crashMidBatch = new RelayProbe() {
            @Override
            public void beforeSend(String eventId) {
                if (n.incrementAndGet() == 150) {
                    throw new IllegalStateException("crash in the middle of the second batch");
                }
            }
        };
        assertThatThrownBy(() -> relay(crashMidBatch).relay()).hasMessageContaining("crash");
        assertThat(ledger.pendingEvents(1000)).as("only the first batch is marked").hasSize(EVENTS - 100);
        assertThat(received()).as("the first batch only; the second was rolled back").hasSize(100);
        assertThat(relay(RelayProbe.NONE).relay()).isEqualTo(EVENTS - 100);
        assertThat(received()).hasSize(EVENTS - 100);
    }
}
