package io.paygate.sandbox.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The store's state file: constant cost per change, replay at start, compaction, older files. */
class SimOrderStoreTest {

    private static final String MCH = "1900000109";

    private final ObjectMapper json = new ObjectMapper()
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @TempDir
    Path temp;

    private static SimOrder order(String outTradeNo) {
        return new SimOrder(MCH, "wx2421b1c4370ec43b", outTradeNo, "body", 101, "CNY", "NATIVE", "p1", null, null,
                "http://127.0.0.1:18999/notify", "127.0.0.1", "wx_prepay_" + outTradeNo, "weixin://wxpay/" + outTradeNo,
                "20261206010203", SimOrder.TradeState.NOTPAY, null, null, null);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aChangeWritesOneLineAfter100kOrdersAndAllSurviveARestart() throws Exception {
        Path file = temp.resolve("wechat-orders.json");
        try (SimOrderStore store = SimOrderStore.open(file, json)) {
            for (int i = 0; i < 100_000; i++) {
                store.placeIfAbsent(order("BULK-" + i));
            }
            // What a change costs does not grow with the orders held: each writes one line (the
            // old store rewrote all 100k orders here, ~1 s). Bytes, not time: a timed test flakes.
            for (int i = 0; i < 21; i++) {
                long before = Files.size(file);
                SimOrder placed = order("LATE-" + i);
                store.placeIfAbsent(placed);
                String transactionId = "4200" + i;
                store.update(placed, o -> o.paid(transactionId, "20261206010204"));
                assertThat(store.findByTransactionId(MCH, transactionId)).isPresent();
                assertThat(Files.size(file) - before).as("bytes written by a new order and its payment")
                        .isPositive().isLessThan(2 * 1024);
            }
        }
        try (SimOrderStore restarted = SimOrderStore.open(file, json)) {
            assertThat(restarted.find(MCH, "BULK-0")).isPresent();
            assertThat(restarted.find(MCH, "BULK-99999")).isPresent();
            assertThat(restarted.find(MCH, "LATE-20").orElseThrow().tradeState()).isEqualTo(SimOrder.TradeState.SUCCESS);
            assertThat(restarted.find(MCH, "LATE-20").orElseThrow().transactionId()).isEqualTo("420020");
            assertThat(restarted.findByTransactionId(MCH, "420020").orElseThrow().outTradeNo()).isEqualTo("LATE-20");
            assertThat(restarted.findByTransactionId(MCH, "no-such-id")).isEmpty();
            assertThat(restarted.findByTransactionId("other-mch", "420020")).isEmpty();
        }
        // One line per change, nothing beside the file.
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void repeatedChangesToOneOrderAreCompactedAway() throws Exception {
        Path file = temp.resolve("wechat-orders.json");
        try (SimOrderStore store = SimOrderStore.open(file, json)) {
            SimOrder placed = order("MANY");
            store.placeIfAbsent(placed);
            for (int i = 0; i < 5_000; i++) {
                int n = i;
                store.update(placed, o -> new SimOrder(o.mchId(), o.appId(), o.outTradeNo(), o.body(), o.totalFee(),
                        o.feeType(), o.tradeType(), o.productId(), "attach-" + n, o.deviceInfo(), o.notifyUrl(),
                        o.spbillCreateIp(), o.prepayId(), o.codeUrl(), o.timeStart(), o.tradeState(), null, null, null));
            }
        }
        assertThat(Files.readAllLines(file).size()).isLessThanOrEqualTo(1_001);
        try (SimOrderStore restarted = SimOrderStore.open(file, json)) {
            assertThat(restarted.find(MCH, "MANY").orElseThrow().attach()).isEqualTo("attach-4999");
        }
    }

    @Test
    void aLastLineCutShortByACrashIsDroppedAndTheFileRepaired() throws Exception {
        Path file = temp.resolve("wechat-orders.json");
        try (SimOrderStore store = SimOrderStore.open(file, json)) {
            store.placeIfAbsent(order("KEPT"));
        }
        Files.writeString(file, Files.readString(file) + "{\"order\":{\"mch_id\":\"" + MCH + "\",\"out_tr",
                StandardCharsets.UTF_8);
        try (SimOrderStore restarted = SimOrderStore.open(file, json)) {
            assertThat(restarted.find(MCH, "KEPT")).isPresent();
            restarted.placeIfAbsent(order("AFTER"));
        }
        try (SimOrderStore again = SimOrderStore.open(file, json)) {
            assertThat(again.find(MCH, "KEPT")).isPresent();
            assertThat(again.find(MCH, "AFTER")).isPresent();
        }
    }

    @Test
    void aCorruptLineInTheMiddleFailsTheStart() throws Exception {
        Path file = temp.resolve("wechat-orders.json");
        try (SimOrderStore store = SimOrderStore.open(file, json)) {
            store.placeIfAbsent(order("ONE"));
            store.placeIfAbsent(order("TWO"));
        }
        List<String> lines = Files.readAllLines(file);
        lines.set(1, "{\"order\":{broken");
        Files.write(file, lines);
        assertThatThrownBy(() -> SimOrderStore.open(file, json)).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aVersion2FileIsReadAndRewrittenAsLines() throws Exception {
        Path file = temp.resolve("wechat-orders.json");
        String old = json.writerWithDefaultPrettyPrinter().writeValueAsString(java.util.Map.of(
                "version", 2, "orders", List.of(order("OLD-1")), "refunds", List.of()));
        Files.writeString(file, old);
        try (SimOrderStore store = SimOrderStore.open(file, json)) {
            assertThat(store.find(MCH, "OLD-1")).isPresent();
            store.placeIfAbsent(order("NEW-1"));
        }
        assertThat(Files.readAllLines(file).get(0)).isEqualTo("{\"version\":3}");
        try (SimOrderStore restarted = SimOrderStore.open(file, json)) {
            assertThat(restarted.find(MCH, "OLD-1")).isPresent();
            assertThat(restarted.find(MCH, "NEW-1")).isPresent();
        }
    }
}
