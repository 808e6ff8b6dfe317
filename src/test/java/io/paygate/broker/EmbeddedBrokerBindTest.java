package io.paygate.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artemis logs an acceptor that cannot bind and starts without it; the embedded broker refuses to
 * start instead, so the gateway exits naming the address rather than running with health DOWN.
 */
class EmbeddedBrokerBindTest {
    private static EmbeddedBroker broker(Path dir, int port) throws Exception {
        return new EmbeddedBroker(dir, "tcp://127.0.0.1:" + port + "?protocols=CORE",
                new EmbeddedBroker.Credentials("internal", "internal-password-1"), null, null, List.of(), Map.of(), 1_000_000);
    }

    @Test
    void aTakenPortStopsTheStartNamingTheAddress(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            EmbeddedBroker b = broker(dir, taken.getLocalPort());
            assertThatThrownBy(b::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("gateway.broker.port");
            assertThat(b.isActive()).isFalse();
        }
    }

    @Test
    void aFreePortStartsAndTheSameDataDirStartsAgainOnceTheFailedBrokerIsGone(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = taken.getLocalPort();
            EmbeddedBroker failed = broker(dir, port);
            assertThatThrownBy(failed::start).isInstanceOf(IllegalStateException.class);
        }
        // The failed start let go of the journal's lock, and the port is now free.
        try (EmbeddedBroker b = broker(dir, port)) {
            b.start();
            assertThat(b.isActive()).isTrue();
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                assertThat(s.isConnected()).isTrue();
            }
        }
    }

    @Test
    void theAddressInTheErrorLeavesOutTheUrlsOptions() {
        assertThat(EmbeddedBroker.listenAddress("tcp://0.0.0.0:61617?protocols=CORE;sslEnabled=true;keyStorePassword=s3cret"))
                .isEqualTo("0.0.0.0:61617");
    }
}
