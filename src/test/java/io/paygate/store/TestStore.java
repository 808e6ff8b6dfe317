package io.paygate.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store the tests run on. By default the embedded H2 file under the test's folder, as the
 * gateway runs by default. With {@code -Dpaygate.test.store.url=jdbc:postgresql://host:port/db} (or
 * the environment variable {@code PAYGATE_TEST_STORE_URL}; the Maven profile {@code postgres} sets
 * the property) every store is a fresh PostgreSQL schema of that database instead, created here,
 * named on the URL ({@code currentSchema=}) and dropped when the store is closed, so test classes
 * never see each other's rows. The user is {@code paygate.test.store.user} /
 * {@code PAYGATE_TEST_STORE_USER} (default {@code postgres}), the password
 * {@code paygate.test.store.password} / {@code PAYGATE_TEST_STORE_PASSWORD} (default empty).
 */
public final class TestStore implements AutoCloseable {
    private static final String BASE = setting("paygate.test.store.url", "PAYGATE_TEST_STORE_URL", "");
    private static final String USER = setting("paygate.test.store.user", "PAYGATE_TEST_STORE_USER", "postgres");
    private static final String PASSWORD = setting("paygate.test.store.password", "PAYGATE_TEST_STORE_PASSWORD", "");
    /** Stores made for a data folder (the integration tests' gateways), kept for the JVM's life. */
    private static final Map<Path, TestStore> BY_DATA_DIR = new ConcurrentHashMap<>();
    private static final Set<TestStore> UNCLOSED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> UNCLOSED.forEach(TestStore::close), "test-store-cleanup"));
    }

    private final String url;
    private final String user;
    private final String password;
    /** The PostgreSQL schema, null on H2 and for a database of its own. */
    private final String schema;
    /** The PostgreSQL database made for this store alone ({@link #freshDatabase()}), else null. */
    private final String database;

    private TestStore(String url, String user, String password, String schema, String database) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.schema = schema;
        this.database = database;
    }

    private static String newName() {
        return "paygate_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    }

    private static String setting(String property, String env, String dflt) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    /** True when the tests run on an outside database (PostgreSQL) rather than the embedded H2 file. */
    public static boolean external() {
        return !BASE.isEmpty();
    }

    /** The outside database's URL as given (no schema), or "" on H2. */
    public static String baseUrl() {
        return BASE;
    }

    public static String baseUser() {
        return USER;
    }

    public static String basePassword() {
        return PASSWORD;
    }

    /** A fresh, empty store: the H2 file {@code <dir>/ledger}, or a new PostgreSQL schema. Close it after the database. */
    public static TestStore fresh(Path dir) {
        if (!external()) {
            return new TestStore(Database.embeddedUrl(dir), "sa", "", null, null);
        }
        String schema = newName();
        execute("CREATE SCHEMA " + schema);
        String url = BASE + (BASE.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        TestStore store = new TestStore(url, USER, PASSWORD, schema, null);
        UNCLOSED.add(store);
        return store;
    }

    /**
     * A PostgreSQL database of its own (from template0), for a test that cuts its connections
     * ({@code ALTER DATABASE … ALLOW_CONNECTIONS false}) without touching anyone else's; dropped on close.
     */
    public static TestStore freshDatabase() {
        if (!external()) {
            throw new IllegalStateException("no outside database: set paygate.test.store.url");
        }
        String name = newName();
        execute("CREATE DATABASE " + name + " TEMPLATE template0");
        String url = BASE.replaceFirst("^(jdbc:postgresql://[^/?]*/)[^?]*", "$1" + name);
        TestStore store = new TestStore(url, USER, PASSWORD, null, name);
        UNCLOSED.add(store);
        return store;
    }

    /**
     * The store of one gateway data folder: the same one each time the folder is named (a restarted
     * gateway finds its ledger), dropped when the test JVM ends. On H2 the gateway's own default.
     */
    public static TestStore forDataDir(Path dataDir) {
        return BY_DATA_DIR.computeIfAbsent(dataDir.toAbsolutePath().normalize(), TestStore::fresh);
    }

    /** The gateway's {@code GATEWAY_STORE_*} environment for this store (empty on H2: the gateway's default file). */
    public Map<String, String> gatewayEnv() {
        return schema == null && database == null ? Map.of() : Map.of("GATEWAY_STORE_URL", url, "GATEWAY_STORE_USER", user,
                "GATEWAY_STORE_PASSWORD", password);
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** The PostgreSQL schema of this store, or null on H2. */
    public String schema() {
        return schema;
    }

    /** The PostgreSQL database made for this store alone, or null. */
    public String database() {
        return database;
    }

    /** Opens the gateway's Database on this store (migrations run). */
    public Database open(int poolSize) {
        return new Database(url, user, password, poolSize);
    }

    /** Drops the PostgreSQL schema or database (nothing on H2: the file goes with the test's folder). */
    @Override
    public void close() {
        if (schema != null && UNCLOSED.remove(this)) {
            execute("SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        if (database != null && UNCLOSED.remove(this)) {
            execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** One statement on the outside database, as its configured user. */
    public static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(BASE, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test store " + BASE + ": " + sql + ": " + e.getMessage(), e);
        }
    }
}
