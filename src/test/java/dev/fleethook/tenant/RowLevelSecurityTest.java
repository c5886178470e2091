package dev.fleethook.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleethook.kernel.CrossTenant;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Database;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import dev.fleethook.support.PolicyFixtures;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Defence in depth (issue 13): PostgreSQL's row-level security keeps tenants apart even for SQL that
 * forgets its tenant condition. Two tenants get rows in every tenant-owned table the way users make them
 * (API, agent events); then plain {@code SELECT * FROM table} without any tenant condition, through the
 * portal's own connection pool, shows tenant A only A's rows, and nothing at all when no tenant is set.
 */
@QuarkusTest
class RowLevelSecurityTest {

    /** Tables that carry a tenant but are credentials looked up by hash (and hold operator rows): no policy. */
    static final List<String> CREDENTIAL_TABLES = List.of("web_session", "api_token");

    static TenantFixture a;
    static TenantFixture b;

    @Inject
    DataSource dataSource;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    CrossTenant crossTenant;

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void twoTenantsWithData() {
        if (a != null) {
            return;
        }
        a = populated("Rls Alpha");
        b = populated("Rls Bravo");
    }

    /** A tenant with a row in every tenant-owned table: users, policy, tokens, servers, jobs, alerts, emails. */
    static TenantFixture populated(String name) {
        TenantFixture t = Fixtures.newTenant(name);
        Fixtures.UserFixture viewer = Fixtures.newUser(t, "VIEWER");
        t.admin().post("/api/v1/users/" + viewer.id() + "/password-reset").then().statusCode(201);
        t.admin().body(Map.of("recipients", List.of(Fixtures.unique("ops") + "@rls.test"))).put("/api/v1/alert-settings")
                .then().statusCode(200);
        t.admin().body(PolicyFixtures.save(PolicyFixtures.spec(name + " nightly"), null)).post("/api/v1/policies")
                .then().statusCode(201);
        Agents.Agent agent = Agents.enrolled(t, Fixtures.unique("rls-fs"));
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, false)).then().statusCode(200);
        t.admin().post("/api/v1/servers/" + agent.serverId() + "/backup-now").then().statusCode(202);
        return t;
    }

    @Test
    void everyTenantOwnedTableIsForcedUnderRowLevelSecurity() throws SQLException {
        List<String> tables = tenantOwnedTables();
        assertTrue(tables.containsAll(List.of("app_user", "policy", "policy_revision", "audit_entry", "server",
                "enrollment_token", "agent_command", "job", "job_attempt", "hook_run", "job_event", "alert_settings",
                "alert", "alert_occurrence", "email_outbox", "password_reset")), "tenant-owned tables found: " + tables);
        List<String> unprotected = new ArrayList<>();
        try (Connection c = Database.superuser(dataSource); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("""
                        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                               EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
                          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = 'public' AND c.relkind = 'r'""")) {
            while (r.next()) {
                if (tables.contains(r.getString(1)) && !(r.getBoolean(2) && r.getBoolean(3) && r.getBoolean(4))) {
                    unprotected.add(r.getString(1));
                }
            }
        }
        assertEquals(List.of(), unprotected, "tables without ENABLE + FORCE ROW LEVEL SECURITY and a policy");
    }

    @Test
    void thePortalConnectsAsARoleThatOwnsNothingAndCannotBypassThePolicies() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("""
                        SELECT current_user, r.rolsuper, r.rolbypassrls,
                               (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relkind = 'r')
                          FROM pg_roles r WHERE r.rolname = current_user""")) {
            assertTrue(r.next());
            assertEquals("fleethook_app", r.getString(1));
            assertFalse(r.getBoolean(2), "not a superuser");
            assertFalse(r.getBoolean(3), "no BYPASSRLS");
            assertEquals(0, r.getInt(4), "owns no table");
        }
        // Not even the policies' own settings are a way out for a role that owns nothing: it cannot drop them.
        SQLException refused = assertThrows(SQLException.class, () -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE job NO FORCE ROW LEVEL SECURITY");
            }
        });
        assertTrue(refused.getMessage().contains("must be owner"), refused.getMessage());
    }

    @Test
    void aQueryThatForgetsItsTenantSeesOnlyTheCurrentTenantsRowsAndWithoutATenantNothing() throws SQLException {
        Map<String, Map<String, Integer>> all = rowsPerTenant(true);
        for (String table : List.of("app_user", "policy", "policy_revision", "audit_entry", "server",
                "enrollment_token", "agent_command", "job", "job_attempt", "job_event", "alert_settings", "alert",
                "alert_occurrence", "email_outbox", "password_reset")) {
            assertTrue(all.get(table).getOrDefault(a.id(), 0) > 0 && all.get(table).getOrDefault(b.id(), 0) > 0,
                    "both tenants have rows in " + table + ": " + all.get(table));
        }
        Map<String, Map<String, Integer>> seenByA = currentTenant.inTransaction(a.id(), () -> rowsPerTenant(false));
        Map<String, Map<String, Integer>> seenByB = currentTenant.inTransaction(b.id(), () -> rowsPerTenant(false));
        Map<String, Map<String, Integer>> seenByNone = currentTenant.withoutTenant(() -> rowsPerTenant(false));
        for (String table : tenantOwnedTables()) {
            Map<String, Integer> expectedA = all.get(table).containsKey(a.id())
                    ? Map.of(a.id(), all.get(table).get(a.id())) : Map.of();
            Map<String, Integer> expectedB = all.get(table).containsKey(b.id())
                    ? Map.of(b.id(), all.get(table).get(b.id())) : Map.of();
            assertEquals(expectedA, seenByA.get(table), "tenant A's view of " + table);
            assertEquals(expectedB, seenByB.get(table), "tenant B's view of " + table);
            assertEquals(Map.of(), seenByNone.get(table), "no tenant: nothing in " + table);
        }
        // Outside any transaction (autocommit, as plain JDBC in a background task would run) it is the same.
        assertEquals(Map.of(), rowsPerTenant(false).get("job"), "no tenant, no transaction: no job");
    }

    @Test
    void writesCannotReachAnotherTenantsRows() {
        int updated = currentTenant.inTransaction(a.id(), () -> update(
                "UPDATE server SET hostname = 'taken-over' WHERE tenant_id = '" + b.id() + "'"));
        assertEquals(0, updated, "B's servers are invisible to A's UPDATE");
        TenantFixture c = Fixtures.newTenant("Rls Charlie");
        Agents.Agent agent = Agents.enrolled(c, Fixtures.unique("rls-fs"));
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, true)).then().statusCode(200);
        int deleted = currentTenant.inTransaction(c.id(), () -> update("DELETE FROM job"));
        assertEquals(1, deleted, "C's own job is deleted");
        Map<String, Integer> jobs = rowsPerTenant(true).get("job");
        assertTrue(jobs.getOrDefault(a.id(), 0) > 0 && jobs.getOrDefault(b.id(), 0) > 0,
                "a DELETE without WHERE under C left A's and B's jobs alone: " + jobs);

        RuntimeException refused = assertThrows(RuntimeException.class, () -> currentTenant.inTransaction(a.id(),
                () -> update("INSERT INTO audit_entry (id, tenant_id, at, actor, action, target_type, summary) VALUES ('"
                        + UUID.randomUUID() + "', '" + b.id() + "', now(), 'intruder', 'x', 'x', 'x')")));
        assertTrue(messages(refused).contains("row-level security"), messages(refused));
    }

    @Test
    void crossTenantWorkSeesEveryTenantAndIsCounted() {
        double before = registry.get("fleethook.cross_tenant").tag("use", "operator").counter().count();
        Map<String, Integer> users = crossTenant.run(CrossTenant.Use.OPERATOR, () -> rowsPerTenant(false).get("app_user"));
        assertTrue(users.containsKey(a.id()) && users.containsKey(b.id()), "both tenants' users: " + users);
        assertEquals(before + 1, registry.get("fleethook.cross_tenant").tag("use", "operator").counter().count());
        // The next transaction on the same pool is back to its own tenant.
        assertEquals(Map.of(), currentTenant.withoutTenant(() -> rowsPerTenant(false)).get("app_user"));
    }

    private static String messages(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t.getMessage()).append(" | ");
        }
        return out.toString();
    }

    private int update(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every table with a NOT NULL tenant_id column, except the credential tables. */
    private List<String> tenantOwnedTables() {
        List<String> tables = new ArrayList<>();
        try (Connection c = Database.superuser(dataSource); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("""
                        SELECT table_name FROM information_schema.columns
                         WHERE table_schema = 'public' AND column_name = 'tenant_id' AND is_nullable = 'NO'
                         ORDER BY table_name""")) {
            while (r.next()) {
                tables.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        tables.removeAll(CREDENTIAL_TABLES);
        return tables;
    }

    /**
     * Rows per tenant in each tenant-owned table, by {@code SELECT tenant_id FROM table} with no tenant
     * condition, through the portal's pool ({@code superuser = false}) or as the superuser.
     */
    private Map<String, Map<String, Integer>> rowsPerTenant(boolean superuser) {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        try (Connection c = superuser ? Database.superuser(dataSource) : dataSource.getConnection()) {
            for (String table : new TreeSet<>(tenantOwnedTables())) {
                Map<String, Integer> counts = new TreeMap<>();
                try (PreparedStatement s = c.prepareStatement("SELECT tenant_id, count(*) FROM " + table
                        + " GROUP BY tenant_id"); ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        if (r.getString(1).equals(a.id()) || r.getString(1).equals(b.id()) || !superuser) {
                            counts.put(r.getString(1), r.getInt(2));
                        }
                    }
                }
                out.put(table, counts);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
