package io.paygate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.paygate.provider.ProviderModules;
import io.paygate.store.ConfigHistory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads {@code merchants.yaml} and the files it names while the gateway runs (docs/operations.md,
 * "Reloading the configuration"). A change is read only once its content has stayed the same for
 * the settle time (a file being written is not read half-way), is loaded and checked exactly as at
 * start-up, and is then swapped into the one {@link MerchantDirectory} at once; a change that does
 * not load leaves the running merchants alone and becomes the last error. Every applied or refused
 * reload is logged and kept in the store ({@link ConfigHistory}), with merchant ids and key paths,
 * never a value.
 */
public final class LiveConfig implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);

    /** What GET /admin/config shows. {@code lastError} is one line naming file and key, never a value. */
    public record Status(int version, String contentHash, Instant loadedAt, String lastError, Instant lastErrorAt) {
    }

    /**
     * A reload's outcome: {@code applied}, {@code refused}, {@code unchanged} (the files hold the
     * running configuration) or {@code unsettled} (a file changed while it was read; nothing done).
     */
    public record Result(String outcome, Status status, ConfigChanges changes, String error) {
    }

    private final Path configDir;
    private final Path dataDir;
    private final Map<String, String> env;
    private final MerchantDirectory merchants;
    private final ConfigHistory history;
    private final Clock clock;
    private final Consumer<String> outcomes;
    private volatile Consumer<String> eventQueues = id -> { };
    private volatile Consumer<Map<String, BrokerLogin>> brokerLogins = logins -> { };
    private volatile Status status;
    private ConfigChanges.View view;
    /** The content hash the watch last acted on (applied, refused or unchanged). */
    private volatile String lastSeen;
    private ScheduledExecutorService watch;

    /**
     * @param merchants the running merchants, as loaded and checked at start-up
     * @param outcomes told {@code applied} or {@code refused} after each reload (the metric)
     */
    public LiveConfig(Path configDir, Path dataDir, Map<String, String> env, MerchantDirectory merchants,
                      ConfigHistory history, Clock clock, Consumer<String> outcomes) {
        this.configDir = configDir;
        this.dataDir = dataDir;
        this.env = Map.copyOf(env);
        this.merchants = merchants;
        this.history = history;
        this.clock = clock;
        this.outcomes = outcomes;
        Snapshot now = read();
        this.view = now.view();
        this.lastSeen = now.hash();
        this.status = new Status(1, now.hash(), clock.instant(), null, null);
    }

    /** Creates the durable events queue of a merchant added with {@code eventsQueue: true} (the broker). */
    public void eventQueues(Consumer<String> creator) {
        this.eventQueues = creator;
    }

    /**
     * Puts the merchants' broker logins of a reload in force (the broker); a
     * {@link ConfigException} refuses the reload.
     */
    public void brokerLogins(Consumer<Map<String, BrokerLogin>> applier) {
        this.brokerLogins = applier;
    }

    public Status status() {
        return status;
    }

    public MerchantDirectory merchants() {
        return merchants;
    }

    /**
     * Records the configuration of start-up in the history and, with {@code interval} above zero,
     * looks for changes that often; a change is read once it has not changed for {@code settle}.
     */
    public synchronized void start(java.time.Duration interval, java.time.Duration settle) {
        Status s = status;
        record(new ConfigHistory.Entry(s.loadedAt(), "applied", "start", s.contentHash(), s.version(),
                json(new ConfigChanges(List.copyOf(view.merchants().keySet()), List.of(), Map.of())), null));
        if (interval.isZero() || watch != null) {
            return;
        }
        watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "config-watch");
            t.setDaemon(true);
            return t;
        });
        watch.scheduleWithFixedDelay(() -> {
            try {
                tick(settle);
            } catch (RuntimeException e) {
                LOG.warn("configuration watch: {}", e.getClass().getSimpleName());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One look of the watch: a changed content is reloaded once it stayed the same for {@code settle}. */
    void tick(java.time.Duration settle) {
        String h = watchedHash();
        if (h.equals(lastSeen)) {
            return;
        }
        try {
            Thread.sleep(settle.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (h.equals(watchedHash())) {
            reload("watch", h);
        }
    }

    /** {@code POST /admin/config/reload}: reads the files now. */
    public Result reload(String trigger) {
        return reload(trigger, null);
    }

    private synchronized Result reload(String trigger, String expected) {
        Path file = configDir.resolve(MerchantsFile.FILE);
        Status s = status;
        byte[] yaml = bytes(file);
        String watched = hash(yaml, merchants.namedFiles());
        if (expected != null && !expected.equals(watched)) {
            return new Result("unsettled", s, ConfigChanges.NONE, null);
        }
        MerchantDirectory next;
        try {
            if (yaml == null) {
                throw new ConfigException(file + ": not found");
            }
            next = MerchantsFile.load(configDir, dataDir, env);
            checkProviders(configDir, next);
        } catch (ConfigException e) {
            return refused(trigger, watched, e.getMessage());
        } catch (RuntimeException e) {
            // Never a message of unknown origin: it might quote a value.
            return refused(trigger, watched, file + ": could not be loaded (" + e.getClass().getSimpleName() + ")");
        }
        if (!Arrays.equals(yaml, bytes(file))) {
            return new Result("unsettled", s, ConfigChanges.NONE, null);
        }
        Snapshot read = snapshot(yaml, next.namedFiles());
        if (read.hash().equals(s.contentHash())) {
            lastSeen = read.hash();
            if (s.lastError() != null) {
                LOG.info("merchants.yaml holds the running configuration again (version {}): last error cleared", s.version());
                status = new Status(s.version(), s.contentHash(), s.loadedAt(), null, null);
            }
            return new Result("unchanged", status, ConfigChanges.NONE, null);
        }
        ConfigChanges changes = ConfigChanges.between(view, read.view());
        try {
            for (String id : next.eventQueueMerchants()) {
                if (!merchants.eventQueueMerchants().contains(id)) {
                    eventQueues.accept(id);
                }
            }
        } catch (RuntimeException e) {
            return refused(trigger, watched, file + ": merchants: the events queue of a merchant could not be created ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!next.brokerLogins().equals(merchants.brokerLogins())) {
            try {
                brokerLogins.accept(next.brokerLogins());
            } catch (ConfigException e) {
                return refused(trigger, watched, e.getMessage());
            } catch (RuntimeException e) {
                return refused(trigger, watched, file + ": merchants: the broker logins could not be put in force ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        merchants.replace(next);
        view = read.view();
        lastSeen = read.hash();
        Status applied = new Status(s.version() + 1, read.hash(), clock.instant(), null, null);
        status = applied;
        LOG.info("configuration reloaded ({}): version {}, hash {}, added {}, removed {}, changed {}", trigger,
                applied.version(), shortHash(read.hash()), changes.added(), changes.removed(), changes.changed());
        record(new ConfigHistory.Entry(applied.loadedAt(), "applied", trigger, read.hash(), applied.version(), json(changes),
                null));
        outcomes.accept("applied");
        return new Result("applied", applied, changes, null);
    }

    private Result refused(String trigger, String hash, String error) {
        Status s = status;
        Instant now = clock.instant();
        Status kept = new Status(s.version(), s.contentHash(), s.loadedAt(), error, now);
        status = kept;
        lastSeen = hash;
        LOG.warn("configuration reload refused ({}), version {} stays in force: {}", trigger, s.version(), error);
        record(new ConfigHistory.Entry(now, "refused", trigger, hash, s.version(), null, error));
        outcomes.accept("refused");
        return new Result("refused", kept, ConfigChanges.NONE, error);
    }

    /**
     * Each provider module's own check of its merchants' settings (a client certificate that must
     * open), as at start-up; throws the first problem naming its key.
     */
    public static void checkProviders(Path configDir, MerchantDirectory merchants) {
        String file = configDir.resolve(MerchantsFile.FILE).toString();
        for (MerchantProfile p : merchants.all()) {
            p.providers().forEach((name, section) -> ProviderModules.byName(name).ifPresent(m ->
                    m.check(p, section.settings(), (key, reason) -> new ConfigException(file,
                            "merchants." + p.id() + "." + name + "." + key, reason))));
        }
    }

    private void record(ConfigHistory.Entry e) {
        try {
            history.add(e);
        } catch (RuntimeException ex) {
            LOG.warn("configuration history not written ({}): {} {} at {}", ex.getClass().getSimpleName(), e.outcome(),
                    shortHash(e.contentHash()), e.at());
        }
    }

    static String json(ConfigChanges c) {
        try {
            return io.paygate.canonical.Json.mapper().writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shortHash(String h) {
        return h.length() > 12 ? h.substring(0, 12) : h;
    }

    /** The content hash of the files as they are now: merchants.yaml and the files the running merchants name. */
    String watchedHash() {
        return hash(bytes(configDir.resolve(MerchantsFile.FILE)), merchants.namedFiles());
    }

    private record Snapshot(String hash, ConfigChanges.View view) {
    }

    /** The running configuration as read from the files now (start-up: what was just loaded). */
    private Snapshot read() {
        return snapshot(bytes(configDir.resolve(MerchantsFile.FILE)), merchants.namedFiles());
    }

    private static Snapshot snapshot(byte[] yaml, Map<Path, String> namedFiles) {
        Map<Path, String> digests = new LinkedHashMap<>();
        for (Path p : namedFiles.keySet()) {
            byte[] b = bytes(p);
            digests.put(p, b == null ? "missing" : sha256(b));
        }
        Object root = null;
        if (yaml != null) {
            try {
                root = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder()
                        .setAllowDuplicateKeys(false).setMaxAliasesForCollections(10).build())
                        .loadFromString(new String(yaml, StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                root = null;
            }
        }
        return new Snapshot(hash(yaml, namedFiles), ConfigChanges.view(root, namedFiles, digests));
    }

    /**
     * SHA-256 over merchants.yaml and each named file (sorted by path, each preceded by its path):
     * the hash GET /admin/config and the history show.
     */
    static String hash(byte[] yaml, Map<Path, String> namedFiles) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(yaml == null ? "(missing)".getBytes(StandardCharsets.UTF_8) : yaml);
            for (Path p : new TreeMap<>(namedFiles).keySet()) {
                md.update((byte) 0);
                md.update(p.toString().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                byte[] b = bytes(p);
                md.update(b == null ? "(missing)".getBytes(StandardCharsets.UTF_8) : b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (watch != null) {
            watch.shutdownNow();
            watch = null;
        }
    }
}
