package dev.fleethook.kernel;

/** Tells a database outage from a real failure, for every caller that must treat them differently. */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    /**
     * Whether {@code e} (or a cause) is a lost or refused database connection: JDBC connection errors,
     * SQL states 08xxx, 57Pxx and 55000, or an exhausted pool. Requests answer it with 503 and
     * {@code Retry-After}; scheduled tasks skip their turn with one line.
     */
    public static boolean unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.exception.JDBCConnectionException || t instanceof java.net.ConnectException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P")
                            || sql.getSQLState().equals("55000"))) {
                return true;
            }
            if (t.getMessage() != null && t.getMessage().contains("Unable to acquire JDBC Connection")) {
                return true;
            }
        }
        return false;
    }
}
