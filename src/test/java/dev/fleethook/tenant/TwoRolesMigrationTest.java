package dev.fleethook.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The production set-up of README "Security" on a fresh PostgreSQL, without Quarkus: an owner role that is
 * not a superuser (CloudNativePG's {@code app}) runs every migration as Flyway does at start-up (the same
 * placeholder and init SQL as application.properties), and the runtime role {@code fleethook_app} then
 * gets exactly the rights the portal needs: its own tenant's rows, nothing without a tenant, no write into
 * another tenant, no Flyway history, no way to turn the policies off. The owner is held by the policies too.
 */
class TwoRolesMigrationTest {

    static final String A = "11111111-1111-1111-1111-111111111111";
    static final String B = "22222222-2222-2222-2222-222222222222";

    @Test
    void aNonSuperuserOwnerMigratesAndTheRuntimeRoleSeesOnlyItsTenant() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE app LOGIN PASSWORD 'owner-pw'");
                s.execute("CREATE ROLE fleethook_app LOGIN PASSWORD 'app-pw'");
                s.execute("CREATE DATABASE fleethook OWNER app");
            }
            String url = pg.getJdbcUrl("postgres", "fleethook").replaceAll("\\?.*", "");
            Flyway.configure().dataSource(url, "app", "owner-pw").locations("classpath:db/migration")
                    .placeholders(Map.of("app_role", "fleethook_app"))
                    .initSql("SELECT set_config('fleethook.cross_tenant', 'on', false)").load().migrate();
            try (Connection owner = DriverManager.getConnection(url, "app", "owner-pw"); Statement s = owner.createStatement()) {
                s.execute("INSERT INTO tenant (id, name, slug) VALUES ('" + A + "', 'A', 'a'), ('" + B + "', 'B', 'b')");
                assertEquals(0, count(s, "alert_settings"), "the owner without a tenant sees nothing either (FORCE)");
                s.execute("SELECT set_config('fleethook.cross_tenant', 'on', false)");
                s.execute("INSERT INTO alert_settings (tenant_id) VALUES ('" + A + "'), ('" + B + "')");
            }
            try (Connection app = DriverManager.getConnection(url, "fleethook_app", "app-pw"); Statement s = app.createStatement()) {
                assertEquals(0, count(s, "alert_settings"), "no tenant set: no rows");
                s.execute("SELECT set_config('fleethook.tenant', '" + A + "', false)");
                assertEquals(1, count(s, "alert_settings"), "tenant A: its row only");
                assertEquals(1, s.executeUpdate("UPDATE alert_settings SET offline_threshold_minutes = 30"));
                SQLException crossWrite = assertThrows(SQLException.class,
                        () -> s.execute("INSERT INTO audit_entry (id, tenant_id, at, actor, action, target_type, summary)"
                                + " VALUES (gen_random_uuid(), '" + B + "', now(), 'x', 'x', 'x', 'x')"));
                assertTrue(crossWrite.getMessage().contains("row-level security"), crossWrite.getMessage());
                SQLException history = assertThrows(SQLException.class, () -> count(s, "flyway_schema_history"));
                assertTrue(history.getMessage().contains("permission denied"), history.getMessage());
                SQLException disable = assertThrows(SQLException.class,
                        () -> s.execute("ALTER TABLE job DISABLE ROW LEVEL SECURITY"));
                assertTrue(disable.getMessage().contains("must be owner"), disable.getMessage());
            }
        }
    }

    private static int count(Statement s, String table) throws SQLException {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
            r.next();
            return r.getInt(1);
        }
    }
}
