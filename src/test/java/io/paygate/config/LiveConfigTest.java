package io.paygate.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.store.ConfigHistory;
import io.paygate.store.Database;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveConfigTest {
    /** Fake credentials, only for these tests: none may appear in a status, a history entry or an error. */
    private static final String KEY_A = "wechat-key-a-000000000000000000a";
    private static final String KEY_A2 = "wechat-key-a-rotated-00000000002";
    private static final String SECRET_ENV = "env-secret-callback-000042";
    private static final Map<String, String> ENV = Map.of("CB_SECRET", SECRET_ENV);

    @TempDir
    Path dir;
    private Database db;
    private final List<String> outcomes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void store() {
        db = new Database("jdbc:h2:mem:live-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static String merchant(String id, String apiKey) {
        return """
                  %s:
                    provider: wechat
                    apiToken: token-%s-0123456789
                    callbackSecret: ${env:CB_SECRET}
                    notifyUrl: http://erp.example/events
                    callbackHosts: [erp.example]
                    wechat: { baseUrl: "http://127.0.0.1:1", appId: wx%s, mchId: "1%s", apiKey: %s }
                """.formatted(id, id, id.length(), id.length(), apiKey);
    }

    private static String file(String... merchants) {
        return "merchants:\n" + String.join("", merchants);
    }

    private void write(String yaml) throws Exception {
        Files.writeString(dir.resolve(MerchantsFile.FILE), yaml, StandardCharsets.UTF_8);
    }

    private LiveConfig live() {
        MerchantDirectory d = MerchantsFile.load(dir, ENV);
        return new LiveConfig(dir, null, ENV, d, new ConfigHistory(db), Clock.systemUTC(), outcomes::add);
    }

    private static Set<String> ids(MerchantDirectory d) {
        return d.all().stream().map(MerchantProfile::id).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void aReloadSwapsMerchantsAndRetiresTheRemovedOnes() throws Exception {
        write(file(merchant("alpha", KEY_A), merchant("beta", "beta-key-0000000000000000000000b")));
        LiveConfig live = live();
        MerchantDirectory merchants = live.merchants();
        MerchantProfile betaBefore = merchants.byId("beta").orElseThrow();

        write(file(merchant("alpha", KEY_A2), merchant("gamma", "gamma-key-000000000000000000000g")));
        LiveConfig.Result r = live.reload("admin");

        assertThat(r.outcome()).isEqualTo("applied");
        assertThat(r.status().version()).isEqualTo(2);
        assertThat(r.changes().added()).containsExactly("gamma");
        assertThat(r.changes().removed()).containsExactly("beta");
        assertThat(r.changes().changed()).containsOnly(Map.entry("alpha", List.of("wechat.apiKey")));
        // The new merchant's token works at once; the removed one's is refused, but its orders still find its profile.
        assertThat(merchants.byToken("token-gamma-0123456789")).isPresent();
        assertThat(merchants.byToken("token-beta-0123456789")).isEmpty();
        assertThat(merchants.byId("beta")).containsSame(betaBefore);
        assertThat(merchants.retiredIds()).containsExactly("beta");
        assertThat(ids(merchants)).containsExactly("alpha", "gamma");
        assertThat(merchants.byId("alpha").orElseThrow().settings(io.paygate.provider.wechat.WechatSettings.class).apiKey())
                .isEqualTo(KEY_A2);
        assertThat(outcomes).containsExactly("applied");

        // Configured again: active again, no longer retired (gamma, removed now, is).
        write(file(merchant("alpha", KEY_A2), merchant("beta", "beta-key-0000000000000000000000b")));
        assertThat(live.reload("watch").changes().added()).containsExactly("beta");
        assertThat(merchants.byToken("token-beta-0123456789")).isPresent();
        assertThat(merchants.retiredIds()).containsExactly("gamma");

        List<ConfigHistory.Entry> h = new ConfigHistory(db).newest(10);
        assertThat(h).extracting(ConfigHistory.Entry::trigger).containsExactly("watch", "admin");
        assertThat(h.get(1).changes()).contains("\"wechat.apiKey\"", "\"gamma\"", "\"beta\"");
        for (ConfigHistory.Entry e : h) {
            assertThat(e.toString()).doesNotContain(KEY_A, KEY_A2, SECRET_ENV, "token-");
        }
    }

    @Test
    void anInvalidFileIsRefusedAndTheRunningMerchantsStay() throws Exception {
        write(file(merchant("alpha", KEY_A)));
        LiveConfig live = live();
        String hash = live.status().contentHash();

        write(file(merchant("alpha", KEY_A)).replace("provider: wechat", "provider: wechat\n    colour: blue"));
        LiveConfig.Result r = live.reload("admin");

        assertThat(r.outcome()).isEqualTo("refused");
        assertThat(r.error()).contains(MerchantsFile.FILE + ": merchants.alpha.colour: unknown key").doesNotContain("\n");
        assertThat(live.status().lastError()).isEqualTo(r.error());
        assertThat(live.status().version()).isEqualTo(1);
        assertThat(live.status().contentHash()).isEqualTo(hash);
        assertThat(live.merchants().byToken("token-alpha-0123456789")).isPresent();
        ConfigHistory.Entry refused = new ConfigHistory(db).newest(1).get(0);
        assertThat(refused.outcome()).isEqualTo("refused");
        assertThat(refused.error()).isEqualTo(r.error());
        assertThat(refused.contentHash()).isNotEqualTo(hash);
        assertThat(outcomes).containsExactly("refused");

        // A YAML error quotes no line of the file (it may hold a key).
        write("merchants:\n  alpha:\n    apiToken: \"" + KEY_A + "\n    provider: [wechat\n");
        LiveConfig.Result yamlError = live.reload("admin");
        assertThat(yamlError.error()).contains("malformed YAML").doesNotContain(KEY_A);

        // Back to the running file: unchanged, and the last error is cleared.
        write(file(merchant("alpha", KEY_A)));
        assertThat(live.reload("admin").outcome()).isEqualTo("unchanged");
        assertThat(live.status().lastError()).isNull();
    }

    @Test
    void aNamedFilesContentIsPartOfTheHashAndTheDiff() throws Exception {
        Path pem = dir.resolve("cert.pem");
        Files.writeString(pem, "one");
        // ${data}-free relative path: read from the config folder. The section names it as a file.
        String yaml = file(merchant("alpha", KEY_A)).replace("apiKey: " + KEY_A + " }",
                "apiKey: " + KEY_A + ", certificate: { path: cert.pem } }");
        write(yaml);
        MerchantDirectory d = MerchantsFile.load(dir, ENV);
        assertThat(d.namedFiles()).containsEntry(pem.toAbsolutePath().normalize(), "merchants.alpha.wechat.certificate");
        ConfigChanges.View before = ConfigChanges.view(Map.of("merchants", Map.of("alpha", Map.of("provider", "wechat"))),
                d.namedFiles(), Map.of(pem.toAbsolutePath().normalize(), "h1"));
        ConfigChanges.View after = ConfigChanges.view(Map.of("merchants", Map.of("alpha", Map.of("provider", "wechat"))),
                d.namedFiles(), Map.of(pem.toAbsolutePath().normalize(), "h2"));
        assertThat(ConfigChanges.between(before, after).changed())
                .containsOnly(Map.entry("alpha", List.of("wechat.certificate (file)")));
        String h1 = LiveConfig.hash(Files.readAllBytes(dir.resolve(MerchantsFile.FILE)), d.namedFiles());
        Files.writeString(pem, "two");
        assertThat(LiveConfig.hash(Files.readAllBytes(dir.resolve(MerchantsFile.FILE)), d.namedFiles())).isNotEqualTo(h1);
    }

    @Test
    void theDiffNamesKeyPathsAndNeverValues() {
        Map<String, Object> a = Map.of("merchants", Map.of(
                "m1", Map.of("apiToken", "secret-token-1", "wechat", Map.of("apiKey", "secret-key-1", "mchId", "1")),
                "m2", Map.of("callbackHosts", List.of("a.example"))));
        Map<String, Object> b = Map.of("merchants", Map.of(
                "m1", Map.of("apiToken", "secret-token-2", "wechat", Map.of("apiKey", "secret-key-1", "mchId", "1",
                        "previousApiKey", "secret-key-0")),
                "m2", Map.of("callbackHosts", List.of("a.example", "b.example")),
                "m3", Map.of("apiToken", "secret-token-3")));
        ConfigChanges c = ConfigChanges.between(ConfigChanges.view(a, Map.of(), Map.of()), ConfigChanges.view(b, Map.of(), Map.of()));
        assertThat(c.added()).containsExactly("m3");
        assertThat(c.removed()).isEmpty();
        assertThat(c.changed()).containsOnly(Map.entry("m1", List.of("apiToken", "wechat.previousApiKey")),
                Map.entry("m2", List.of("callbackHosts")));
        assertThat(LiveConfig.json(c)).doesNotContain("secret-", "a.example");
        assertThat(ConfigChanges.between(ConfigChanges.view(b, Map.of(), Map.of()), ConfigChanges.view(b, Map.of(), Map.of()))
                .isEmpty()).isTrue();
    }

    /**
     * The watch never applies a file written in two parts: the first part alone is a valid file
     * (one merchant fewer), and the pause between the parts is shorter than the settle time. Every
     * merchant set a reader ever sees is the old one or the complete new one.
     */
    @Test
    void aFileWrittenInTwoPartsIsNeverAppliedHalf() throws Exception {
        String old = file(merchant("alpha", KEY_A), merchant("beta", "beta-key-0000000000000000000000b"));
        write(old);
        LiveConfig live = live();
        MerchantDirectory merchants = live.merchants();
        Set<Set<String>> seen = ConcurrentHashMap.newKeySet();
        Thread reader = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                seen.add(ids(merchants));
            }
        });
        reader.setDaemon(true);
        reader.start();
        live.start(Duration.ofMillis(50), Duration.ofMillis(400));
        List<Set<String>> expected = new ArrayList<>();
        expected.add(Set.of("alpha", "beta"));
        try {
            for (int round = 0; round < 4; round++) {
                String extra = "c" + round;
                String firstPart = file(merchant("alpha", KEY_A), merchant("beta", "beta-key-0000000000000000000000b"),
                        merchant(extra, "key-" + extra + "-0000000000000000000000"));
                String full = firstPart + merchant("d" + round, "key-d" + round + "-0000000000000000000000");
                MerchantsFile.load(writeTo(dir.resolve("check"), firstPart), ENV); // the first part alone is valid
                try (OutputStream out = Files.newOutputStream(dir.resolve(MerchantsFile.FILE))) {
                    out.write(firstPart.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(150);
                    out.write(full.substring(firstPart.length()).getBytes(StandardCharsets.UTF_8));
                }
                Set<String> want = Set.of("alpha", "beta", extra, "d" + round);
                expected.add(want);
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!ids(merchants).equals(want) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(ids(merchants)).isEqualTo(want);
                // Back to the old file for the next round (written at once).
                write(old);
                while (!ids(merchants).equals(Set.of("alpha", "beta")) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(ids(merchants)).containsExactly("alpha", "beta");
            }
        } finally {
            live.close();
            reader.interrupt();
        }
        assertThat(seen).allMatch(expected::contains);
        assertThat(outcomes).doesNotContain("refused");
    }

    private static Path writeTo(Path folder, String yaml) throws Exception {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(MerchantsFile.FILE), yaml);
        return folder;
    }
}
