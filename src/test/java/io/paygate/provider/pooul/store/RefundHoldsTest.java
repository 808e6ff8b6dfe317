package io.paygate.provider.pooul.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.CallRefused;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.pooul.PooulConnector;
import io.paygate.provider.pooul.PooulSettings;
import io.paygate.store.Database;
import io.paygate.store.TestStore;
import io.paygate.store.Leases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Pooul v2 refund hold, as two gateways on one store see it. */
class RefundHoldsTest {
    @TempDir
    Path dir;

    private TestStore store;
    private Database db;
    private RefundHolds gatewayA;
    private RefundHolds gatewayB;
    private final PooulConnector connector = new PooulConnector("https://gw.example/", "127.0.0.1", Clock.systemUTC());

    @BeforeEach
    void open() {
        store = TestStore.fresh(dir);
        db = store.open(4);
        // two gateways: each its own holds bean, one shared store
        gatewayA = new RefundHolds(new Leases(db, Clock.systemUTC()), Clock.systemUTC(), Duration.ofMillis(200));
        gatewayB = new RefundHolds(new Leases(db, Clock.systemUTC()), Clock.systemUTC(), Duration.ofMillis(200));
    }

    @AfterEach
    void close() {
        db.close();
        store.close();
    }

    private ProviderCall refund(String orderId) {
        PooulSettings p = new PooulSettings("http://pooul.example", "m1", "v2", "key", null, null, null, null);
        MerchantProfile profile = new MerchantProfile("acme", "pooul", "token-acme-0123456789", null, null, List.of(),
                MerchantProfile.DEFAULT_RETRY_SCHEDULE, Map.of("pooul", MerchantProfile.Section.of(p)));
        PaymentRequest r = new PaymentRequest("1", "req-1", "acme", "pooul", Operation.REFUND, orderId, 100L, null,
                PayMethod.SCAN, Channel.WECHAT, "Coffee", null, null, null, null, null, null, null, null, null, null, null, null);
        return ProviderCalls.standalone(connector, r, profile, Operation.REFUND, null);
    }

    @Test
    void oneRefundOfAnOrderAcrossGatewaysUntilReleased() {
        ProviderCall first = refund("ORD-1");
        ProviderCall second = refund("ORD-1");
        gatewayA.hold(first);
        assertThatThrownBy(() -> gatewayB.hold(second)).isInstanceOfSatisfying(CallRefused.class, e -> {
            assertThat(e.error().code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
            assertThat(e.error().retryable()).isTrue();
        });
        gatewayB.release(second); // held nothing: releases nothing
        assertThatThrownBy(() -> gatewayB.hold(second)).isInstanceOf(CallRefused.class);
        gatewayB.hold(refund("ORD-2")); // another order is free
        gatewayA.release(first);
        gatewayA.release(first); // once only
        gatewayB.hold(second);
        assertThatThrownBy(() -> gatewayA.hold(refund("ORD-1"))).isInstanceOf(CallRefused.class);
    }

    @Test
    void aWaitingRefundGetsTheHoldWhenTheOtherEndsWithinTheWait() throws Exception {
        RefundHolds patient = new RefundHolds(new Leases(db, Clock.systemUTC()), Clock.systemUTC(), Duration.ofSeconds(10));
        ProviderCall first = refund("ORD-3");
        gatewayA.hold(first);
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            gatewayA.release(first);
        });
        releaser.start();
        ProviderCall second = refund("ORD-3");
        patient.hold(second); // waits, then holds: no exception
        releaser.join();
        assertThatThrownBy(() -> gatewayA.hold(refund("ORD-3"))).isInstanceOf(CallRefused.class);
        patient.release(second);
        gatewayA.hold(refund("ORD-3"));
    }
}
