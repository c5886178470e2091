package dev.fleethook.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.junit.jupiter.api.Assertions;

/**
 * The generic plan PostgreSQL makes for one of the portal's JDBC statements as ingestion runs them
 * ({@code plan_cache_mode = force_generic_plan}: a plan made once per pooled connection, without the parameters'
 * values), on the tables of a young portal: copies of the real ones (columns, keys, indexes) in a schema of their own
 * that holds {@code jobs} finished jobs and has been analysed. Such a plan must still find rows by key; a scan of every
 * job that looks cheap there runs on every batch as the table grows. The copies are dropped afterwards.
 */
public final class Plans {

    /** A sequential scan of the job table itself (not of {@code job_attempt}), anywhere in a plan. */
    private static final Pattern JOB_SCAN = Pattern.compile("Seq Scan on job(\\s|$)", Pattern.MULTILINE);

    private static final String[] TABLES = { "server", "job", "job_attempt", "hook_run", "alert", "job_event" };

    private Plans() {
    }

    /**
     * Whether {@code plan} (EXPLAIN's text) reads {@code index}, as an index scan ({@code Index Scan using job_pkey on
     * job}), an index-only scan, or a bitmap scan ({@code Bitmap Index Scan on job_pkey}): which of them PostgreSQL
     * picks depends on the table's statistics.
     */
    public static boolean scansIndex(String plan, String index) {
        return Pattern.compile("(Index (Only )?Scan using|Bitmap Index Scan on) " + Pattern.quote(index) + "(\\s|$)",
                Pattern.MULTILINE).matcher(plan).find();
    }

    /** The plan of {@code sql} (its {@code ?}s become {@code $1..$n}; none may sit in a string literal), one line per node. */
    public static String onYoungTables(DataSource portal, int jobs, String sql) throws SQLException {
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            if (ch == '?') {
                numbered.append('$').append(++n);
            } else {
                numbered.append(ch);
            }
        }
        StringBuilder plan = new StringBuilder();
        try (Connection c = Database.superuser(portal); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS young_portal CASCADE");
            s.execute("CREATE SCHEMA young_portal");
            try {
                for (String table : TABLES) {
                    s.execute("CREATE TABLE young_portal.%1$s (LIKE public.%1$s INCLUDING ALL)".formatted(table));
                }
                s.execute("""
                        INSERT INTO young_portal.server (id, tenant_id, hostname, os, secret_hash, enrolled_at)
                        VALUES (gen_random_uuid(), 'young', 'young', 'linux', 'x', now())""");
                s.execute("""
                        INSERT INTO young_portal.job (id, tenant_id, server_id, status, started_at, finished_at, attempts,
                                                      updated_at)
                        SELECT gen_random_uuid(), 'young', (SELECT id FROM young_portal.server), 'FAILED',
                               now() - g * interval '1 minute', now() - g * interval '1 minute', 1, now()
                          FROM generate_series(1, %d) AS g""".formatted(jobs));
                s.execute("ANALYZE young_portal.server, young_portal.job");
                s.execute("SET search_path = young_portal, public");
                s.execute("SET plan_cache_mode = force_generic_plan");
                s.execute("PREPARE checked AS " + numbered);
                try (ResultSet r = s.executeQuery("EXPLAIN EXECUTE checked(" + String.join(", ", Collections.nCopies(n, "NULL"))
                        + ")")) {
                    while (r.next()) {
                        plan.append(r.getString(1)).append('\n');
                    }
                }
            } finally {
                s.execute("RESET search_path");
                s.execute("DROP SCHEMA young_portal CASCADE");
            }
        }
        return plan.toString();
    }

    /**
     * Asserts that {@code sql}'s generic plan on young tables (1,500 jobs: the size at which FleetBenchmark's
     * statements scanned every job) reads the job table through its key, never by a scan.
     */
    public static void assertFindsJobsByKey(DataSource portal, String sql) throws SQLException {
        String plan = onYoungTables(portal, 1500, sql);
        Assertions.assertFalse(JOB_SCAN.matcher(plan).find(), plan);
        Assertions.assertTrue(scansIndex(plan, "job_pkey"), plan);
    }
}
