package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker's acceptor with TLS by configuration: TLS clients get in, plain ones do not. */
class BrokerTlsIT {

    @Test
    void theAcceptorSpeaksTlsWhenAKeyStoreIsConfigured(@TempDir Path dir) throws Exception {
        Path keyStore = dir.resolve("broker.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "tls-it-store-pw").inheritIO().start();
        assertThat(keytool.waitFor()).isZero();
        int httpPort = GatewayProcess.freePort();
        int brokerPort = GatewayProcess.freePort();
        try (GatewayProcess simulator = JmsIT.startSimulator(dir, 0);
             GatewayProcess gateway = GatewayProcess.gateway(dir, gatewayEnv(dir, simulator, httpPort, brokerPort, keyStore))) {
            gateway.awaitHealthy("http://127.0.0.1:" + httpPort + "/observe/health", Duration.ofSeconds(60));
            assertThat(gateway.output()).doesNotContain("tls-it-store-pw");

            String tls = "tcp://127.0.0.1:" + brokerPort + "?sslEnabled=true&trustStorePath=" + keyStore
                    + "&trustStorePassword=tls-it-store-pw&trustStoreType=PKCS12&reconnectAttempts=0";
            try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(tls);
                 Connection c = cf.createConnection("merchant-systems", JmsIT.CLIENT_PASSWORD)) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                TemporaryQueue replies = s.createTemporaryQueue();
                TextMessage m = s.createTextMessage(JmsIT.pay("tls-1", "TLS-0001"));
                m.setStringProperty("Authorization", "Bearer " + JmsIT.TOKEN);
                m.setJMSReplyTo(replies);
                s.createProducer(s.createQueue("payments.requests")).send(m);
                Message reply = s.createConsumer(replies).receive(30_000);
                assertThat(reply).isNotNull();
                assertThat(((TextMessage) reply).getText()).contains("\"NOTPAY\"");
            }
            String plain = "tcp://127.0.0.1:" + brokerPort + "?reconnectAttempts=0&callTimeout=3000&connectionTTL=3000";
            assertThatThrownBy(() -> {
                try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(plain);
                     Connection c = cf.createConnection("merchant-systems", JmsIT.CLIENT_PASSWORD)) {
                    c.start();
                }
            }).isInstanceOf(jakarta.jms.JMSException.class);
        }
    }

    /** The gateway's configuration: the simulator's port, the broker's TLS key store. */
    private static Map<String, String> gatewayEnv(Path dir, GatewayProcess simulator, int httpPort, int brokerPort,
                                                  Path keyStore) throws Exception {
        Map<String, String> env = new HashMap<>(JmsIT.setUp(dir, simulator.listeningPort("wechat"), httpPort, brokerPort,
                Map.of()));
        env.put("GATEWAY_BROKER_TLS_KEYSTORE_PATH", keyStore.toString());
        env.put("GATEWAY_BROKER_TLS_KEYSTORE_PASSWORD", "tls-it-store-pw");
        return env;
    }
}
