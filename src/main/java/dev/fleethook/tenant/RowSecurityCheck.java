package dev.fleethook.tenant;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Says at start-up, in one log line, when the portal's database role weakens row-level security: a
 * superuser or {@code BYPASSRLS} role skips the policies altogether, and a role that owns the tables is
 * still held by them ({@code FORCE}) but could turn them off. The portal runs either way (a single-role
 * installation is allowed); README "Security" explains the two roles.
 */
@ApplicationScoped
public class RowSecurityCheck {

    private static final Logger LOG = Logger.getLogger(RowSecurityCheck.class);

    @Inject
    DataSource dataSource;

    void onStart(@Observes StartupEvent event) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("""
                        SELECT current_user, r.rolsuper OR r.rolbypassrls,
                               EXISTS (SELECT 1 FROM pg_class t WHERE t.relowner = r.oid AND t.relname = 'job')
                          FROM pg_roles r WHERE r.rolname = current_user""")) {
            if (!r.next()) {
                return;
            }
            if (r.getBoolean(2)) {
                LOG.warnf("The portal's database role %s is a superuser or has BYPASSRLS: row-level security does not"
                        + " apply to it. Run the portal as a role that owns no table (README, Security).", r.getString(1));
            } else if (r.getBoolean(3)) {
                LOG.warnf("The portal's database role %s owns the tables: row-level security applies (it is forced),"
                        + " but this role could turn it off. Migrate as the owner (QUARKUS_FLYWAY_USERNAME) and run"
                        + " the portal as a role that owns nothing (README, Security).", r.getString(1));
            }
        } catch (SQLException e) {
            LOG.debugf("Row-level security check skipped: %s", e.getMessage());
        }
    }
}
