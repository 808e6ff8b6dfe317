package io.paygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tests' store is the one asked for: H2 by default, a fresh PostgreSQL schema with -Ppostgres, gone afterwards. */
class TestStoreTest {
    @TempDir
    Path dir;

    @Test
    void theStoreIsTheEngineAskedForAndIsolated() throws Exception {
        TestStore store = TestStore.fresh(dir);
        try (Database db = store.open(2); Connection c = db.dataSource().getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            if (!TestStore.external()) {
                assertThat(product).isEqualTo("H2");
                assertThat(store.schema()).isNull();
                return;
            }
            assertThat(product).isEqualTo("PostgreSQL");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_schema()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(store.schema());
            }
            // the migrations made the ledger's tables in that schema
            assertThat(count("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + store.schema()
                    + "' AND table_name IN ('payment_order', 'idempotency_record', 'flyway_schema_history')")).isEqualTo(3);
        } finally {
            store.close();
        }
        if (TestStore.external()) {
            assertThat(schemas(store.schema())).isZero();
        }
    }

    private static long schemas(String schema) throws Exception {
        return count("SELECT count(*) FROM information_schema.schemata WHERE schema_name = '" + schema + "'");
    }

    private static long count(String sql) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(TestStore.baseUrl(), TestStore.baseUser(),
                TestStore.basePassword()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
