package io.paygate.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The gateway's settings: built-in defaults, then {@code config/application.properties}, then the
 * environment ({@code gateway.http.port} ← {@code GATEWAY_HTTP_PORT}), then JVM system properties.
 * Typed getters fail with the file and key when a value is malformed. A key of the file that the
 * gateway does not read ({@link #knownKeys()}) is an error naming the nearest known key: a typo never
 * passes silently.
 */
public final class GatewaySettings {
    public static final String FILE = "application.properties";

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();
    static {
        DEFAULTS.put("gateway.http.host", "0.0.0.0");
        DEFAULTS.put("gateway.http.port", "8080");
        DEFAULTS.put("gateway.http.max-body-bytes", "65536");
        DEFAULTS.put("gateway.public-base-url", "http://127.0.0.1:8080");
        // Empty = no management port: /observe and /admin on gateway.http.port with the rest.
        DEFAULTS.put("gateway.management.port", "");
        DEFAULTS.put("gateway.management.host", "");
        DEFAULTS.put("gateway.broker.url", "");
        DEFAULTS.put("gateway.broker.host", "127.0.0.1");
        DEFAULTS.put("gateway.broker.port", "61616");
        DEFAULTS.put("gateway.broker.protocols", "CORE,AMQP,STOMP");
        // The embedded broker's journal: how long a durable write waits for others to share its fsync (ns).
        DEFAULTS.put("gateway.broker.journal-buffer-timeout", "100000");
        DEFAULTS.put("gateway.broker.user", "");
        DEFAULTS.put("gateway.broker.password", "");
        DEFAULTS.put("gateway.broker.ops-user", "");
        DEFAULTS.put("gateway.broker.ops-password", "");
        DEFAULTS.put("gateway.broker.tls.keystore-path", "");
        DEFAULTS.put("gateway.broker.tls.keystore-password", "");
        DEFAULTS.put("gateway.jms.consumers", "4");
        DEFAULTS.put("gateway.events.poll-ms", "200");
        DEFAULTS.put("gateway.faults.halt-in-relay", "none");
        DEFAULTS.put("gateway.store.url", "");
        DEFAULTS.put("gateway.store.user", "gateway");
        DEFAULTS.put("gateway.store.password", "");
        DEFAULTS.put("gateway.store.pool-size", "8");
        DEFAULTS.put("gateway.store.connect-timeout", "5");
        DEFAULTS.put("gateway.sandbox.enabled", "false");
        DEFAULTS.put("gateway.provider.connect-timeout", "5");
        DEFAULTS.put("gateway.provider.read-timeout", "20");
        DEFAULTS.put("gateway.idempotency.wait", "60");
        DEFAULTS.put("gateway.notify.max-body-bytes", "16384");
        DEFAULTS.put("gateway.admin.tokens", "");
        DEFAULTS.put("gateway.delivery.consumers", "8");
        DEFAULTS.put("gateway.idempotency.lease", "15");
        DEFAULTS.put("gateway.reconcile.cron", "0 * * * * ?");
        DEFAULTS.put("gateway.reconcile.min-age", "60");
        DEFAULTS.put("gateway.reconcile.backoff", "60,120,300,600,1800");
        DEFAULTS.put("gateway.reconcile.max-age", "86400");
        DEFAULTS.put("gateway.order.default-lifetime", "7200");
        DEFAULTS.put("gateway.order.min-close-age", "300");
        DEFAULTS.put("gateway.micro.poll-delay", "5");
        DEFAULTS.put("gateway.micro.poll-interval", "10");
        DEFAULTS.put("gateway.micro.poll-limit", "45");
        DEFAULTS.put("gateway.micro.reverse-after", "15");
        DEFAULTS.put("gateway.micro.wait", "30");
        DEFAULTS.put("gateway.micro.sweep-ms", "1000");
        DEFAULTS.put("gateway.reconcile.batch", "500");
        DEFAULTS.put("gateway.reconcile.per-merchant", "50");
        // How many orders of one sweep are worked on at once (provider calls in flight per sweep).
        DEFAULTS.put("gateway.reconcile.concurrency", "4");
        DEFAULTS.put("gateway.routes.reload", "true");
        DEFAULTS.put("gateway.routes.reload-debounce-ms", "500");
        DEFAULTS.put("gateway.reconcile.claim-lease", "120");
        DEFAULTS.put("gateway.reconcile.enabled", "true");
        DEFAULTS.put("gateway.reconcile.quartz-properties", "");
        DEFAULTS.put("gateway.reconcile.cluster", "false");
        DEFAULTS.put("gateway.reconcile.cluster-checkin-ms", "7500");
        DEFAULTS.put("gateway.shutdown.delay-seconds", "0");
        DEFAULTS.put("gateway.shutdown.drain-seconds", "30");
        DEFAULTS.put("gateway.log.format", "plain");
        DEFAULTS.put("gateway.metrics.enabled", "true");
        // The live reload of merchants.yaml: how often its files are looked at (0: only on
        // POST /admin/config/reload), and how long a change must stay the same before it is read.
        DEFAULTS.put("gateway.config.watch-ms", "1000");
        DEFAULTS.put("gateway.config.settle-ms", "400");
    }

    private final Map<String, String> values;
    /** Keys set by the operator (application.properties, environment, system properties), not by a default. */
    private final java.util.Set<String> explicit;
    private final Path configDir;
    private final Path routesDir;
    private final Path dataDir;

    private GatewaySettings(Map<String, String> values, Path configDir, Path routesDir, Path dataDir,
                            java.util.Set<String> explicit) {
        this.values = values;
        this.explicit = explicit;
        this.configDir = configDir;
        this.routesDir = routesDir;
        this.dataDir = dataDir;
    }

    /** Loads the settings the way the running gateway does: the first unknown key in the file stops it. */
    public static GatewaySettings load(Map<String, String> env, Properties system) {
        return load(env, system, null);
    }

    /**
     * Loads the settings; every unknown key of the file is added to {@code unknownKeys} (sorted by
     * key) and left out instead of stopping the load, for {@code --check-config}, which reports them all.
     */
    public static GatewaySettings load(Map<String, String> env, Properties system, List<ConfigException> unknownKeys) {
        Path configDir = configDir(env, system);
        Path routesDir = routesDir(env, system);
        Path dataDir = dataDir(env, system);
        Path file = configDir.resolve(FILE);
        String shown = file.toString();
        Properties fromFile = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                fromFile.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(shown + ": cannot be read: " + e.getMessage());
            }
        } else {
            throw new ConfigException(shown + ": not found (set GATEWAY_CONFIG_DIR to the folder holding "
                    + FILE + " and merchants.yaml)");
        }
        Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
        // Each provider module brings its own gateway.<provider>.* defaults.
        for (io.paygate.provider.ProviderModule module : io.paygate.provider.ProviderModules.installed().values()) {
            merged.putAll(module.defaults());
        }
        java.util.Set<String> known = knownKeys();
        List<ConfigException> unknown = unknownKeys(shown, fromFile.stringPropertyNames());
        if (!unknown.isEmpty()) {
            if (unknownKeys == null) {
                throw unknown.get(0);
            }
            unknownKeys.addAll(unknown);
        }
        EnvReferences refs = new EnvReferences(env);
        java.util.Set<String> explicit = new java.util.HashSet<>();
        for (String key : fromFile.stringPropertyNames()) {
            if (!known.contains(key)) {
                continue;
            }
            merged.put(key, refs.resolve(shown, key, fromFile.getProperty(key).trim()));
            explicit.add(key);
        }
        // Every key the gateway knows may come from the environment or a system property, also a
        // per-provider form no file or default holds (GATEWAY_YSTPAY_READ_TIMEOUT).
        java.util.Set<String> settable = new java.util.TreeSet<>(merged.keySet());
        settable.addAll(knownKeys());
        for (String key : settable) {
            String envValue = env.get(envName(key));
            if (envValue != null) {
                merged.put(key, envValue);
                explicit.add(key);
            }
            String sysValue = system.getProperty(key);
            if (sysValue != null) {
                merged.put(key, sysValue);
                explicit.add(key);
            }
        }
        GatewaySettings settings = new GatewaySettings(Collections.unmodifiableMap(merged), configDir, routesDir, dataDir,
                java.util.Set.copyOf(explicit));
        settings.validate();
        return settings;
    }

    /**
     * Every key application.properties may hold: the gateway's defaults, each installed provider
     * module's defaults, and for each installed provider the per-provider forms the gateway reads
     * ({@code gateway.<provider>.read-timeout}, {@code gateway.<provider>.micro.wait}, ...).
     */
    public static java.util.SortedSet<String> knownKeys() {
        java.util.SortedSet<String> keys = new java.util.TreeSet<>(DEFAULTS.keySet());
        for (io.paygate.provider.ProviderModule module : io.paygate.provider.ProviderModules.installed().values()) {
            keys.addAll(module.defaults().keySet());
            for (String rest : PER_PROVIDER) {
                keys.add("gateway." + module.name() + "." + rest);
            }
            // A simulator's port; other sandbox keys (WeChat's tls-port) come with the module's defaults.
            keys.add("gateway.sandbox." + module.name() + ".port");
        }
        return java.util.Collections.unmodifiableSortedSet(keys);
    }

    /** The settings a provider may have its own value of: gateway.&lt;provider&gt;.&lt;one of these&gt;. */
    private static final List<String> PER_PROVIDER = List.of("connect-timeout", "read-timeout", "order.min-close-age",
            "micro.poll-delay", "micro.poll-interval", "micro.poll-limit", "micro.reverse-after", "micro.wait");

    /** Read from the environment or system properties only, never from the file. */
    private static final Map<String, String> FOLDER_KEYS = Map.of("gateway.config-dir", "GATEWAY_CONFIG_DIR",
            "gateway.routes-dir", "GATEWAY_ROUTES_DIR", "gateway.data-dir", "GATEWAY_DATA_DIR");

    /** One error per key of the file that the gateway does not read, sorted by key, each with the nearest known key. */
    static List<ConfigException> unknownKeys(String file, java.util.Set<String> keys) {
        java.util.SortedSet<String> known = knownKeys();
        List<ConfigException> errors = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(keys)) {
            if (known.contains(key)) {
                continue;
            }
            String reason;
            if (FOLDER_KEYS.containsKey(key)) {
                reason = "unknown key (the folder is set with the environment variable " + FOLDER_KEYS.get(key)
                        + " or -D" + key + ", not in this file)";
            } else {
                String nearest = nearest(key, known);
                reason = nearest == null ? "unknown key" : "unknown key (did you mean " + nearest + "?)";
            }
            errors.add(new ConfigException(file, key, reason));
        }
        return errors;
    }

    /** The known key closest to {@code key} (Levenshtein distance 3 or less; the first in order on a tie), or null. */
    static String nearest(String key, java.util.SortedSet<String> known) {
        String best = null;
        int bestDistance = 4;
        for (String k : known) {
            int d = levenshtein(key, k, bestDistance);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Edit distance, or {@code limit} or more when it is at least {@code limit}. */
    private static int levenshtein(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) >= limit) {
            return limit;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin >= limit) {
                return limit;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** {@code gateway.http.port} → {@code GATEWAY_HTTP_PORT}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The config folder the gateway reads: GATEWAY_CONFIG_DIR or -Dgateway.config-dir, else ./config. */
    public static Path configDir(Map<String, String> env, Properties system) {
        return dir(env, system, "GATEWAY_CONFIG_DIR", "gateway.config-dir", "config");
    }

    /** The routes folder: GATEWAY_ROUTES_DIR or -Dgateway.routes-dir, else ./routes. */
    public static Path routesDir(Map<String, String> env, Properties system) {
        return dir(env, system, "GATEWAY_ROUTES_DIR", "gateway.routes-dir", "routes");
    }

    /** The data folder: GATEWAY_DATA_DIR or -Dgateway.data-dir, else ./data. */
    public static Path dataDir(Map<String, String> env, Properties system) {
        return dir(env, system, "GATEWAY_DATA_DIR", "gateway.data-dir", "data");
    }

    /** The values {@code gateway.broker.protocols} may name (docs/asyncapi.yaml has a server for each). */
    public static final java.util.List<String> BROKER_PROTOCOLS = java.util.List.of("CORE", "AMQP", "STOMP");

    /** The protocols of the embedded broker's acceptor ({@code gateway.broker.protocols}), in order, without repeats. */
    public java.util.List<String> brokerProtocols() {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (String p : get("gateway.broker.protocols").split(",")) {
            String name = p.trim().toUpperCase(java.util.Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!BROKER_PROTOCOLS.contains(name)) {
                throw new ConfigException(configFile(), "gateway.broker.protocols",
                        "unknown protocol '" + p.trim() + "': CORE, AMQP and STOMP are served");
            }
            out.add(name);
        }
        if (out.isEmpty()) {
            throw new ConfigException(configFile(), "gateway.broker.protocols", "empty: name at least one of CORE, AMQP, STOMP");
        }
        return java.util.List.copyOf(out);
    }

    private static Path dir(Map<String, String> env, Properties system, String envName, String sysName, String dflt) {
        String v = system.getProperty(sysName, env.getOrDefault(envName, dflt));
        return Path.of(v).toAbsolutePath().normalize();
    }

    private void validate() {
        intValue("gateway.http.port", 0, 65535);
        intValue("gateway.http.max-body-bytes", 1024, 16 * 1024 * 1024);
        managementPort();
        intValue("gateway.notify.max-body-bytes", 1024, 1024 * 1024);
        intValue("gateway.broker.port", 0, 65535);
        brokerProtocols();
        intValue("gateway.config.watch-ms", 0, 3_600_000);
        intValue("gateway.reconcile.concurrency", 1, 64);
        intValue("gateway.config.settle-ms", 0, 60_000);
        // Per-provider timeouts and timings, whole seconds, wherever they are set: a bad value stops
        // start-up (and --check-config) instead of failing every call of that provider later.
        for (io.paygate.provider.ProviderModule module : io.paygate.provider.ProviderModules.installed().values()) {
            for (String rest : PER_PROVIDER) {
                String key = "gateway." + module.name() + "." + rest;
                if (values.containsKey(key)) {
                    intValue(key, rest.endsWith("timeout") ? 1 : 0, rest.endsWith("timeout") ? 600 : Integer.MAX_VALUE);
                }
            }
        }
        // Each provider's simulator ports (its module's defaults): gateway.sandbox.<provider>.port, .tls-port.
        for (String key : values.keySet()) {
            if (key.matches("gateway\\.sandbox\\.[a-z0-9-]+\\.(port|tls-port)")) {
                intValue(key, 0, 65535);
            }
        }
        intValue("gateway.store.pool-size", 1, 200);
        intValue("gateway.store.connect-timeout", 1, 600);
        seconds("gateway.provider.connect-timeout");
        seconds("gateway.provider.read-timeout");
        seconds("gateway.idempotency.wait");
        intValue("gateway.idempotency.lease", 3, 3600);
        bool("gateway.routes.reload");
        intValue("gateway.routes.reload-debounce-ms", 50, 60_000);
        for (String k : List.of("gateway.reconcile.min-age", "gateway.reconcile.max-age", "gateway.order.default-lifetime",
                "gateway.order.min-close-age", "gateway.micro.poll-delay", "gateway.micro.poll-interval",
                "gateway.micro.poll-limit", "gateway.micro.reverse-after", "gateway.micro.wait")) {
            seconds(k);
        }
        for (String part : get("gateway.reconcile.backoff").split(",")) {
            try {
                if (Long.parseLong(part.trim()) < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new ConfigException(configFile(), "gateway.reconcile.backoff",
                        "expected a comma-separated list of seconds, got '" + get("gateway.reconcile.backoff") + "'");
            }
        }
        String base = get("gateway.public-base-url");
        if (!base.startsWith("http://") && !base.startsWith("https://")) {
            throw new ConfigException(configFile(), "gateway.public-base-url", "must be an http(s) URL");
        }
        bool("gateway.sandbox.enabled");
        bool("gateway.metrics.enabled");
        if (!java.util.Set.of("plain", "json").contains(get("gateway.log.format"))) {
            throw new ConfigException(configFile(), "gateway.log.format", "expected plain or json, got '" + get("gateway.log.format") + "'");
        }
        if (!java.util.Set.of("none", "before-send", "after-send").contains(get("gateway.faults.halt-in-relay"))) {
            throw new ConfigException(configFile(), "gateway.faults.halt-in-relay", "expected none, before-send or after-send");
        }
        if (!"none".equals(get("gateway.faults.halt-in-relay")) && !bool("gateway.sandbox.enabled")) {
            throw new ConfigException(configFile(), "gateway.faults.halt-in-relay",
                    "crash injection is a sandbox feature: needs gateway.sandbox.enabled=true (or set it to none)");
        }
        intValue("gateway.jms.consumers", 1, 200);
        intValue("gateway.broker.journal-buffer-timeout", 1_000, 100_000_000);
        intValue("gateway.delivery.consumers", 1, 200);
        for (String t : get("gateway.admin.tokens").split(",")) {
            if (!t.isBlank() && t.trim().length() < 16) {
                throw new ConfigException(configFile(), "gateway.admin.tokens", "each token must be at least 16 characters");
            }
        }
        intValue("gateway.events.poll-ms", 10, 60_000);
        intValue("gateway.shutdown.delay-seconds", 0, 300);
        intValue("gateway.shutdown.drain-seconds", 1, 3600);
        boolean external = !get("gateway.broker.url").isBlank();
        boolean user = !get("gateway.broker.user").isBlank();
        if (external && !user) {
            throw new ConfigException(configFile(), "gateway.broker.user", "missing: the gateway logs in to gateway.broker.url with it");
        }
        if (user && get("gateway.broker.password").isBlank()) {
            throw new ConfigException(configFile(), "gateway.broker.password", "missing: gateway.broker.user is set");
        }
    }

    /**
     * The management port, where /observe/* and /admin/* are served instead of on gateway.http.port;
     * empty when gateway.management.port is not set (0 = any free port, named in the log).
     */
    public java.util.OptionalInt managementPort() {
        if (get("gateway.management.port").isBlank()) {
            return java.util.OptionalInt.empty();
        }
        int port = intValue("gateway.management.port", 0, 65535);
        int http = intValue("gateway.http.port", 0, 65535);
        if (port != 0 && port == http) {
            throw new ConfigException(configFile(), "gateway.management.port", "is gateway.http.port (" + http
                    + "): give the management port a port of its own, or leave it empty to serve /observe and /admin"
                    + " on gateway.http.port");
        }
        return java.util.OptionalInt.of(port);
    }

    /** The management port's interface: gateway.management.host, else gateway.http.host. */
    public String managementHost() {
        String host = get("gateway.management.host").trim();
        return host.isEmpty() ? get("gateway.http.host") : host;
    }

    public String configFile() {
        return configDir.resolve(FILE).toString();
    }

    /** Was the key set by the operator (application.properties, environment, system property)? */
    public boolean explicit(String key) {
        return explicit.contains(key);
    }

    /**
     * A setting a provider may have its own value of: {@code gateway.<provider>.<rest>} set by the
     * operator, else {@code gateway.<rest>} set by the operator, else the provider module's default
     * (its documented limits), else the gateway's default.
     */
    public String forProvider(String provider, String rest) {
        return eitherOf("gateway." + provider + "." + rest, "gateway." + rest);
    }

    /**
     * A provider's own key or the shared one it stands in for: {@code own} set by the operator, else
     * {@code shared} set by the operator, else {@code own}'s default (a provider module's), else
     * {@code shared}'s.
     */
    public String eitherOf(String own, String shared) {
        return get(whichOf(own, shared));
    }

    /** Which of the two keys {@link #eitherOf} reads. */
    public String whichOf(String own, String shared) {
        return explicit(own) || (!explicit(shared) && has(own)) ? own : shared;
    }

    /** Is the key set (by default, a provider module's default, the file or the environment)? */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new ConfigException(configFile(), key, "missing");
        }
        return v;
    }

    public int intValue(String key, int min, int max) {
        String v = get(key);
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new ConfigException(configFile(), key, "expected a whole number from " + min + " to " + max + ", got '" + v + "'");
        }
    }

    public Duration seconds(String key) {
        return Duration.ofSeconds(intValue(key, 0, Integer.MAX_VALUE));
    }

    public boolean bool(String key) {
        String v = get(key).trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ConfigException(configFile(), key, "expected true or false, got '" + v + "'");
    }

    /** Every gateway.* value, for Camel's property placeholders ({{gateway.http.port}}). */
    public Properties asProperties() {
        Properties p = new Properties();
        values.forEach(p::setProperty);
        return p;
    }

    public Path configDir() {
        return configDir;
    }

    public Path routesDir() {
        return routesDir;
    }

    public Path dataDir() {
        return dataDir;
    }
}
