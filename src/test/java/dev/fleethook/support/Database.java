package dev.fleethook.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * Direct access to the test database for what a test arranges or checks behind the portal's back (ageing a
 * row, counting events). The portal's own role ({@code fleethook_app}) sees only the current tenant's rows
 * (row-level security), so these connections use the embedded PostgreSQL's superuser, which owns the
 * tables: the role that migrates in dev and tests.
 */
public final class Database {

    /** The embedded PostgreSQL's superuser (quarkus-embedded-postgresql's defaults). */
    public static final String SUPERUSER = "postgres";

    private Database() {
    }

    /** A new superuser connection to the portal's database; the caller closes it. */
    public static Connection superuser(DataSource portal) throws SQLException {
        String url;
        try (Connection c = portal.getConnection()) {
            url = c.getMetaData().getURL();
        }
        return DriverManager.getConnection(url, SUPERUSER, SUPERUSER);
    }
}
