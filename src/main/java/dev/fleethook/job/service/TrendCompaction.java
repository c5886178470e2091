package dev.fleethook.job.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import dev.fleethook.kernel.CrossTenant;
import dev.fleethook.kernel.ScheduledTurns;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Keeps {@code job_trend_bucket} (V131) small: the triggers on {@code job} append one delta row per changed
 * (tenant, 15-minute bucket, status, duration class) and statement; this merges the rows of each such key
 * into one ({@code merged = true}) and drops keys whose jobs sum to zero (a job that moved on, a deleted
 * one). Every tenant at once ({@link CrossTenant.Use#TREND_COMPACTION}), at most {@value #KEYS} keys per
 * transaction, every {@code fleethook.trend.compaction-every} (30 s; {@code off} disables it on a replica).
 *
 * <p>Sums never change: each delta row is deleted and added into its key's merged row in the same
 * transaction, rows appended meanwhile wait for the next turn, and rows another replica is merging are
 * skipped ({@code SKIP LOCKED}). So the trend is exact before, during and after a compaction; compaction
 * only bounds how many rows the dashboard sums (in the worst case one per job of the 30 days, typically a
 * few per bucket).
 */
@ApplicationScoped
public class TrendCompaction {

    private static final Logger LOG = Logger.getLogger(TrendCompaction.class);
    static final int KEYS = 20_000;

    @Inject
    DataSource dataSource;

    @Inject
    CrossTenant crossTenant;

    @Scheduled(every = "${fleethook.trend.compaction-every:30s}", delayed = "${fleethook.trend.compaction-delay:15s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "trend-compaction")
    void run() {
        ScheduledTurns.run(LOG, "Trend compaction", () -> {
            int merged = compact();
            LOG.debugf("Trend compaction merged %d delta rows", merged);
        });
    }

    /** Merges every delta row written so far (batch by batch); returns how many rows were merged away. */
    public int compact() {
        int total = 0;
        int[] turn;
        do {
            turn = crossTenant.run(CrossTenant.Use.TREND_COMPACTION, this::compactBatch);
            total += turn[1];
        } while (turn[0] == KEYS);
        return total;
    }

    /** One transaction: up to {@link #KEYS} keys with unmerged rows; returns {keys seen, rows deleted}. */
    private int[] compactBatch() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                WITH fresh AS (
                    SELECT DISTINCT tenant_id, bucket, status, duration_s FROM job_trend_bucket WHERE NOT merged LIMIT ?),
                locked AS (
                    SELECT b.ctid AS row FROM job_trend_bucket b JOIN fresh f USING (tenant_id, bucket, status, duration_s)
                       FOR UPDATE OF b SKIP LOCKED),
                moved AS (
                    DELETE FROM job_trend_bucket WHERE ctid = ANY (ARRAY(SELECT row FROM locked))
                    RETURNING tenant_id, bucket, status, duration_s, jobs),
                kept AS (
                    INSERT INTO job_trend_bucket (tenant_id, bucket, status, duration_s, jobs, merged)
                    SELECT tenant_id, bucket, status, duration_s, sum(jobs), true FROM moved
                     GROUP BY 1, 2, 3, 4 HAVING sum(jobs) <> 0)
                SELECT (SELECT count(*) FROM fresh), (SELECT count(*) FROM moved)""")) {
            s.setInt(1, KEYS);
            try (var r = s.executeQuery()) {
                r.next();
                return new int[] { r.getInt(1), r.getInt(2) };
            }
        }
    }
}
