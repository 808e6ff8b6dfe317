package io.paygate.reconcile;

import io.paygate.config.ConfigException;
import io.paygate.config.GatewaySettings;
import io.paygate.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * The Quartz scheduler of the reconciliation sweeps (routes/reconcile.yaml), bound as Camel's
 * {@code quartz} component. Three ways, one chosen by configuration:
 * <ul>
 *   <li>in memory (the default): each gateway fires every sweep itself;</li>
 *   <li>{@code gateway.reconcile.cluster=true}: Quartz's JDBC job store, clustered, on the gateway's
 *   own store (its tables come with the store's migrations): each sweep fires once across every
 *   gateway on that database, and a gateway that dies hands its schedule to the others;</li>
 *   <li>{@code gateway.reconcile.quartz-properties}: Quartz's own configuration file, as written.</li>
 * </ul>
 * The sweeps are safe without the cluster (orders and refunds are claimed in the ledger); the
 * cluster only saves each gateway from sweeping every period.
 */
public final class SweepScheduler {
    /** The scheduler's name in Quartz's tables, the same on every gateway of a cluster. */
    public static final String SCHEDULER_NAME = "payment-gateway";

    private SweepScheduler() {
    }

    public static QuartzComponent component(GatewaySettings settings, Database db) {
        QuartzComponent quartz = new QuartzComponent();
        String file = settings.get("gateway.reconcile.quartz-properties");
        boolean cluster = settings.bool("gateway.reconcile.cluster");
        if (cluster && !file.isBlank()) {
            throw new ConfigException(settings.configFile(), "gateway.reconcile.cluster",
                    "set either gateway.reconcile.cluster or gateway.reconcile.quartz-properties, not both");
        }
        if (!file.isBlank()) {
            Path p = settings.configDir().resolve(file);
            if (!Files.isReadable(p)) {
                throw new ConfigException(settings.configFile(), "gateway.reconcile.quartz-properties", "cannot read " + p);
            }
            quartz.setPropertiesFile("file:" + p.toAbsolutePath());
        } else if (cluster) {
            quartz.setProperties(clustered(db, settings.intValue("gateway.reconcile.cluster-checkin-ms", 1000, 600_000)));
            // Every gateway of the cluster must use the same scheduler name, whatever its Camel context is called.
            quartz.setPrefixInstanceName(false);
        }
        return quartz;
    }

    /** Quartz's settings for the clustered JDBC job store on the gateway's own connection pool. */
    static Map<String, Object> clustered(Database db, int checkinMillis) {
        // Quartz looks its data sources up by name in one JVM-wide table: one name per store.
        String dataSource = "paygate-" + Integer.toHexString(System.identityHashCode(db));
        DBConnectionManager.getInstance().addConnectionProvider(dataSource, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return db.dataSource().getConnection();
            }

            @Override
            public void shutdown() {
                // the pool is the gateway's: it closes it
            }

            @Override
            public void initialize() {
            }
        });
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
        p.put("org.quartz.scheduler.instanceId", "AUTO");
        p.put("org.quartz.scheduler.skipUpdateCheck", "true");
        p.put("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.put("org.quartz.threadPool.threadCount", "2");
        p.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.put("org.quartz.jobStore.driverDelegateClass", db.isPostgres()
                ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate" : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
        p.put("org.quartz.jobStore.dataSource", dataSource);
        p.put("org.quartz.jobStore.isClustered", "true");
        p.put("org.quartz.jobStore.clusterCheckinInterval", Integer.toString(checkinMillis));
        p.put("org.quartz.jobStore.misfireThreshold", "60000");
        // Without the lock, a gateway reads a due trigger, another acquires and fires it and puts it
        // back to WAITING, and the first one's WAITING -> ACQUIRED update then succeeds on its stale
        // copy: the same firing runs twice. Seen at start, when new cron triggers are already due on
        // both gateways: SweepSchedulerTest.clusteredEachFiringRunsOnOneGatewayOnly (eight sweeps)
        // failed in 10 of 15 starts without this setting, in none of 25 with it.
        p.put("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        return p;
    }
}
