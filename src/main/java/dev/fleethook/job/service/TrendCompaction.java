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
 * Moves the dashboard trend's delta rows ({@code job_trend_delta}, appended by the triggers on {@code job},
 * V14) into {@code job_trend_bucket}, one row per (tenant, 15-minute bucket, status, duration class), and
 * drops keys whose jobs sum to zero (every job moved on or was deleted). Every tenant at once
 * ({@link CrossTenant.Use#TREND_COMPACTION}), at most {@value #ROWS} delta rows per transaction, every
 * {@code fleethook.trend.compaction-every} (30 s; {@code off} disables it on a replica).
 *
 * <p>Sums never change: each delta row is deleted and added to its key in the same transaction; rows
 * appended meanwhile wait for the next turn, and rows another replica is moving are skipped
 * ({@code SKIP LOCKED}). So the trend, which sums both tables, is exact before, during and after a compaction;
 * compaction only bounds how many rows the dashboard reads (the deltas of the last 30 s, and a few rows per
 * bucket in practice; at worst one per job, when every job of a bucket has its own duration).
 */
@ApplicationScoped
public class TrendCompaction {

    private static final Logger LOG = Logger.getLogger(TrendCompaction.class);
    static final int ROWS = 50_000;

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

    /** Moves every delta row written so far (batch by batch); returns how many delta rows were moved. */
    public int compact() {
        int total = 0;
        int moved;
        do {
            moved = crossTenant.run(CrossTenant.Use.TREND_COMPACTION, this::compactBatch);
            total += moved;
        } while (moved == ROWS);
        return total;
    }

    /** One transaction: up to {@link #ROWS} delta rows into their keys; returns how many were moved. */
    private int compactBatch() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            int moved;
            try (PreparedStatement s = c.prepareStatement("""
                    WITH moved AS (
                        DELETE FROM job_trend_delta
                         WHERE ctid = ANY (ARRAY(SELECT ctid FROM job_trend_delta LIMIT ? FOR UPDATE SKIP LOCKED))
                        RETURNING tenant_id, bucket, status, duration_s, jobs),
                    added AS (
                        INSERT INTO job_trend_bucket AS b (tenant_id, bucket, status, duration_s, jobs)
                        SELECT tenant_id, bucket, status, duration_s, sum(jobs) FROM moved
                         GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
                        ON CONFLICT (tenant_id, bucket, status, duration_s) DO UPDATE SET jobs = b.jobs + EXCLUDED.jobs)
                    SELECT count(*) FROM moved""")) {
                s.setInt(1, ROWS);
                try (var r = s.executeQuery()) {
                    r.next();
                    moved = r.getInt(1);
                }
            }
            if (moved > 0) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM job_trend_bucket WHERE jobs = 0")) {
                    s.executeUpdate();
                }
            }
            return moved;
        }
    }
}
