package dev.fleethook.kernel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import io.agroal.api.AgroalPoolInterceptor;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Hands the current tenant to PostgreSQL's row-level security. Every time the pool lends a connection (once
 * per transaction: later statements of the same transaction reuse the enlisted connection; once per use for
 * work outside a transaction), it sets the session's {@code fleethook.tenant} to {@link CurrentTenant#id()}
 * (empty for no tenant, which matches no row) and {@code fleethook.cross_tenant} to {@code on} only inside
 * {@link CrossTenant}. Both are always written, so nothing a previous borrower set survives. The policies
 * that read them are in {@code V8__row_level_security.sql}.
 */
@ApplicationScoped
@Unremovable
public class TenantConnectionInterceptor implements AgroalPoolInterceptor {

    /** The PostgreSQL settings the row-level security policies read. */
    public static final String TENANT_SETTING = "fleethook.tenant";
    public static final String CROSS_TENANT_SETTING = "fleethook.cross_tenant";

    private static final String SET = "SELECT set_config('" + TENANT_SETTING + "', ?, false), set_config('"
            + CROSS_TENANT_SETTING + "', ?, false)";

    @Inject
    CurrentTenant currentTenant;

    @Override
    public void onConnectionAcquire(Connection connection) {
        String tenant = currentTenant.id();
        boolean cross = currentTenant.crossTenantUse().isPresent();
        try (PreparedStatement s = connection.prepareStatement(SET)) {
            s.setString(1, CurrentTenant.NONE.equals(tenant) ? "" : tenant);
            s.setString(2, cross ? "on" : "off");
            s.execute();
        } catch (SQLException e) {
            // A connection whose tenant cannot be set must not be used: the caller sees the failure.
            throw new IllegalStateException("Cannot bind the connection to the current tenant: " + e.getMessage(), e);
        }
    }
}
