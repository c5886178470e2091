package dev.fleethook;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point of the portal. In production the datasource must come from the environment; without it
 * the portal stops at once with one line that names what is missing, instead of a stack trace.
 */
@QuarkusMain
public class FleethookMain {

    static final String[] DATASOURCE_VARIABLES = {
        "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD" };

    public static void main(String... args) {
        if (LaunchMode.current() == LaunchMode.NORMAL && !embeddedDatabaseAvailable()) {
            String missing = missingDatasourceVariables();
            if (!missing.isEmpty()) {
                System.err.println("Fleethook cannot start: set " + missing
                        + " to the PostgreSQL database (e.g. QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://db:5432/fleethook).");
                System.exit(2);
            }
        }
        Quarkus.run(args);
    }

    /** The embedded PostgreSQL is a dev/test-only dependency: present means dev mode or tests. */
    static boolean embeddedDatabaseAvailable() {
        try {
            Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", false,
                    FleethookMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static String missingDatasourceVariables() {
        StringBuilder missing = new StringBuilder();
        for (String variable : DATASOURCE_VARIABLES) {
            String property = variable.toLowerCase().replace('_', '.');
            String value = System.getenv(variable);
            if (value == null || value.isBlank()) {
                value = System.getProperty(property);
            }
            if (value == null || value.isBlank()) {
                missing.append(missing.isEmpty() ? "" : ", ").append(variable);
            }
        }
        return missing.toString();
    }
}
