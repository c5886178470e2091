package dev.fleethook.job.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ScheduledTurns;

/**
 * Deletes job history older than each tenant's retention (default 90 days), in small batches that each
 * commit on their own, so no long lock is ever held and event ingestion never waits for it. Batches are
 * claimed with SKIP LOCKED: several replicas running it at once share the work instead of repeating it.
 * Expired jobs are found per tenant through the {@code (tenant_id, finished_at)} index (V9), so each
 * batch reads what it deletes, not the whole job table. Runs every {@code fleethook.retention.every}
 * (1 h; {@code off} disables it on a replica) after {@code fleethook.retention.delay} (1 min) from start.
 */
@ApplicationScoped
public class RetentionService {

    private static final Logger LOG = Logger.getLogger(RetentionService.class);
    static final int BATCH = 500;

    @Inject
    DataSource dataSource;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Scheduled(every = "${fleethook.retention.every:1h}", delayed = "${fleethook.retention.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "retention")
    void run() {
        ScheduledTurns.run(LOG, "Retention", () -> {
            int deleted = purge();
            if (deleted > 0) {
                LOG.infof("Retention deleted %d jobs past their tenant's retention", deleted);
            }
        });
    }

    /**
     * Deletes expired jobs (with their events, attempts and hook runs) and the expired events that name no job, batch by
     * batch; returns how many jobs.
     */
    public int purge() {
        int total = 0;
        var use = dev.fleethook.kernel.CrossTenant.Use.RETENTION;
        List<Object[]> tenants = crossTenant.run(use, this::tenants);
        for (Object[] t : tenants) {
            String tenantId = (String) t[0];
            int days = (Integer) t[1];
            int deleted;
            do {
                deleted = crossTenant.run(use, () -> deleteBatch(tenantId, days));
                total += deleted;
            } while (deleted == BATCH);
            do {
                deleted = crossTenant.run(use, () -> deleteJoblessEvents(tenantId, days));
            } while (deleted == BATCH);
        }
        crossTenant.run(use, () -> execute("""
                DELETE FROM agent_command WHERE acknowledged_at < now() - interval '30 days'"""));
        return total;
    }

    private List<Object[]> tenants() throws SQLException {
        List<Object[]> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id, job_retention_days FROM tenant");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(new Object[] { r.getString(1), r.getInt(2) });
            }
        }
        return out;
    }

    /** One batch of one tenant: finished jobs past the retention, and jobs never finished that went silent as long. */
    private int deleteBatch(String tenantId, int days) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                WITH doomed AS (
                    SELECT id FROM (
                        (SELECT id FROM job WHERE tenant_id = ? AND finished_at < now() - make_interval(days => ?) LIMIT ?)
                        UNION ALL
                        (SELECT id FROM job WHERE tenant_id = ? AND finished_at IS NULL
                            AND updated_at < now() - make_interval(days => ?) LIMIT ?)) AS expired
                     LIMIT ?),
                locked AS (SELECT j.id FROM job j WHERE j.id IN (SELECT id FROM doomed) FOR UPDATE SKIP LOCKED),
                events AS (DELETE FROM job_event WHERE job_id IN (SELECT id FROM locked))
                DELETE FROM job WHERE id IN (SELECT id FROM locked)""")) {
            s.setString(1, tenantId);
            s.setInt(2, days);
            s.setInt(3, BATCH);
            s.setString(4, tenantId);
            s.setInt(5, days);
            s.setInt(6, BATCH);
            s.setInt(7, BATCH);
            return s.executeUpdate();
        }
    }

    /**
     * One batch of the tenant's ledger rows that name no job (command acknowledgements, policy accepted or refused,
     * test runs finished) received longer ago than the retention; a job's events go with the job. Through the
     * partial index {@code job_event_jobless_idx} (V17).
     */
    private int deleteJoblessEvents(String tenantId, int days) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                DELETE FROM job_event WHERE (server_id, event_id) IN (
                    SELECT server_id, event_id FROM job_event
                     WHERE tenant_id = ? AND job_id IS NULL AND received_at < now() - make_interval(days => ?)
                     LIMIT ?)""")) {
            s.setString(1, tenantId);
            s.setInt(2, days);
            s.setInt(3, BATCH);
            return s.executeUpdate();
        }
    }

    private int execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            return s.executeUpdate();
        }
    }
}
