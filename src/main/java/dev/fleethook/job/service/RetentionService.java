package dev.fleethook.job.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ScheduledTurns;

/**
 * Deletes job history older than each tenant's retention (default 90 days), in small batches that each
 * commit on their own, so no long lock is ever held. Batches are claimed with SKIP LOCKED: several
 * replicas running it at once share the work instead of repeating it.
 */
@ApplicationScoped
public class RetentionService {

    private static final Logger LOG = Logger.getLogger(RetentionService.class);
    static final int BATCH = 500;

    @Inject
    DataSource dataSource;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Scheduled(every = "${fleethook.retention.every:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "retention")
    void run() {
        ScheduledTurns.run(LOG, "Retention", () -> {
            int deleted = purge();
            if (deleted > 0) {
                LOG.infof("Retention deleted %d jobs past their tenant's retention", deleted);
            }
        });
    }

    /** Deletes expired jobs batch by batch; returns how many. */
    public int purge() {
        int total = 0;
        int deleted;
        do {
            deleted = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.RETENTION, this::deleteBatch);
            total += deleted;
        } while (deleted == BATCH);
        crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.RETENTION, () -> execute("""
                DELETE FROM agent_command WHERE acknowledged_at < now() - interval '30 days'"""));
        return total;
    }

    private int deleteBatch() throws SQLException {
        return execute("""
                WITH doomed AS (
                    SELECT j.id FROM job j JOIN tenant t ON t.id = j.tenant_id
                     WHERE coalesce(j.finished_at, j.updated_at) < now() - make_interval(days => t.job_retention_days)
                     LIMIT %d FOR UPDATE OF j SKIP LOCKED),
                events AS (DELETE FROM job_event WHERE job_id IN (SELECT id FROM doomed))
                DELETE FROM job WHERE id IN (SELECT id FROM doomed)""".formatted(BATCH));
    }

    private int execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            return s.executeUpdate();
        }
    }
}
