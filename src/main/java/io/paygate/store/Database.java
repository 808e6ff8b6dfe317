package io.paygate.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The ledger's database: an embedded H2 file under the data dir by default, any JDBC URL by
 * configuration. Migrations run at start (Flyway, versions named by timestamp).
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final boolean postgres;
    /** {@link #kept}: physical connection, then SQL, then its statement. */
    private final Map<Connection, Map<String, PreparedStatement>> kept = new ConcurrentHashMap<>();
    private final AtomicLong keptPrepared = new AtomicLong();
    /** The embedded H2 file's group commit; null for any other store. */
    private final H2GroupWrite groupWrite;

    /** The default wait for a connection (gateway.store.connect-timeout). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public Database(String url, String user, String password, int poolSize) {
        this(url, user, password, poolSize, DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * {@code connectTimeout} bounds how long a request (and the health check) waits for a connection
     * when the database is unreachable or every connection is busy: then a {@link StoreException},
     * which the API answers 503, instead of a request that hangs.
     */
    public Database(String url, String user, String password, int poolSize, Duration connectTimeout) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(poolSize);
        cfg.setPoolName("ledger");
        cfg.setAutoCommit(true);
        cfg.setConnectionTimeout(connectTimeout.toMillis());
        cfg.setValidationTimeout(Math.min(connectTimeout.toMillis(), 5000));
        this.dataSource = new HikariDataSource(cfg);
        this.postgres = url.startsWith("jdbc:postgresql:");
        this.groupWrite = url.startsWith("jdbc:h2:") ? new H2GroupWrite() : null;
        // db/vendor/<database>: tables whose DDL differs by database (Quartz's job store).
        Flyway.configure().dataSource(dataSource)
                .locations("classpath:db/migration", "classpath:db/vendor/" + (postgres ? "postgresql" : "h2"))
                .load().migrate();
        if (groupWrite != null) { // the migrations' commits in the file before anything else runs
            try (Connection c = dataSource.getConnection()) {
                groupWrite.write(c);
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        }
    }

    /**
     * The ledger is on a PostgreSQL server whose autovacuum is off. PostgreSQL keeps the planner's
     * statistics of the ledger's tables up to date through autovacuum (on by default). Without it, a
     * statement prepared while a table was small keeps the plan made then: the order lookups of a
     * fresh database were seen reading a whole merchant's index range instead of the primary key,
     * each slower as orders accumulated (docs/deployment.md). The gateway warns once it is up.
     */
    public boolean autovacuumOff() {
        if (!postgres) {
            return false;
        }
        try (Connection c = dataSource.getConnection();
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT setting FROM pg_settings WHERE name = 'autovacuum'")) {
            return rs.next() && "off".equals(rs.getString(1));
        } catch (SQLException e) {
            return false; // only a warning depends on it
        }
    }

    /** The store is PostgreSQL (else the embedded H2). */
    public boolean isPostgres() {
        return postgres;
    }

    /**
     * The embedded default. Every commit reaches the file before {@link #inTransaction} returns
     * ({@link H2GroupWrite}: one write for the commits waiting together), so an acknowledged request
     * survives kill -9; H2 itself writes in the background only (WRITE_DELAY, milliseconds). H2 does
     * not fsync at commit: an operating-system crash or power loss may lose the last commits
     * (PostgreSQL does not).
     */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("ledger").toAbsolutePath() + ";WRITE_DELAY=1000;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Runs the work in one transaction: committed when it returns, rolled back when it throws. On
     * the embedded H2 file the commit is in the file when this returns ({@link H2GroupWrite}).
     */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                boolean changes = groupWrite != null && groupWrite.changes(c);
                c.commit();
                if (changes) {
                    groupWrite.write(c);
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw StoreRefusedException.refusal(e) ? new StoreRefusedException(e) : new StoreException(e);
        }
    }

    /**
     * The statement for this SQL on the pooled connection under {@code c}, prepared on its first use
     * there and kept with that connection: the caller sets every parameter and closes the result set,
     * never the statement. For a hot statement the database would otherwise parse again on every
     * prepare: H2 keeps no {@code SELECT ... FOR UPDATE} in its per-session query cache, and preparing
     * the order's locked read was about 6 % of the gateway's CPU samples under PAY load (docs/benchmarks.md). The statement is
     * prepared on the physical connection, so the pool does not close it when the connection goes
     * back; a connection the pool has closed drops its statements here when the next one comes.
     */
    PreparedStatement kept(Connection c, String sql) throws SQLException {
        Connection physical = c.unwrap(Connection.class);
        Map<String, PreparedStatement> statements = kept.get(physical);
        if (statements == null) {
            kept.keySet().removeIf(Database::closed);
            statements = new ConcurrentHashMap<>();
            kept.put(physical, statements);
        }
        PreparedStatement ps = statements.get(sql);
        if (ps == null || ps.isClosed()) {
            ps = physical.prepareStatement(sql);
            statements.put(sql, ps);
            keptPrepared.incrementAndGet();
        }
        return ps;
    }

    /**
     * How many times the embedded H2 file's group commit has written (gateway_store_writes_total, the
     * ledger's benchmark io.paygate.tools.LedgerLoad, tests; 0 on any other store).
     */
    public long groupWrites() {
        return groupWrite == null ? 0 : groupWrite.writes();
    }

    /**
     * How many commits have waited for the embedded H2 file's group commit (0 on any other store):
     * against {@link #groupWrites()}, how many commits a write of the file carried.
     */
    public long groupCommits() {
        return groupWrite == null ? 0 : groupWrite.commits();
    }

    /**
     * Whether this store is H2, so that {@link #groupCommits()} and {@link #groupWrites()} mean
     * something (both stay 0 on an in-memory H2 or one whose URL sets WRITE_DELAY=0: nothing waits).
     */
    public boolean groupWriting() {
        return groupWrite != null;
    }

    /** How many pooled connections keep statements here (for tests). */
    int connectionsKeepingStatements() {
        return kept.size();
    }

    /** How many times {@link #kept} has prepared a statement (for tests). */
    long keptStatementsPrepared() {
        return keptPrepared.get();
    }

    private static boolean closed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    public boolean isHealthy() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        kept.clear();
        dataSource.close();
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }
}
