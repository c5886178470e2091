package dev.fleethook.job.service;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.fleethook.kernel.CurrentTenant;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ScheduledTurns;

/**
 * No job stays {@code running} forever. Every minute, on every replica, a job still running is closed
 * as {@code abandoned} when
 * <ul>
 * <li>its server was revoked or disabled (the agent can no longer report; a deleted server takes its
 * jobs with it),</li>
 * <li>its agent's polls say it runs another job or none, for longer than {@code grace} after the job's
 * last report (the agent crashed and restarted, or dropped the job), or</li>
 * <li>its agent has not polled for {@code silent-after} and the job has had no report for as long.</li>
 * </ul>
 * Steps never reported stay null (N/A); the reason is kept in {@code job.status_reason}. The close is a
 * conditional update of a running job, so it happens once across replicas, and it fires
 * {@link EventIngestion.JobsFinished} in the same transaction (the alert for it). A later report from the
 * agent ({@code job-finished}) still replaces "abandoned".
 */
@ApplicationScoped
public class AbandonedJobDetector {

    private static final Logger LOG = Logger.getLogger(AbandonedJobDetector.class);

    @Inject
    CurrentTenant currentTenant;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Inject
    Event<EventIngestion.JobsFinished> jobsFinished;

    /** How long the agent's polls may disagree with a running job before it is closed (covers events in flight). */
    @ConfigProperty(name = "fleethook.jobs.abandon-grace", defaultValue = "2m")
    Duration grace;

    /** How long an agent may stay silent, with its job unreported, before the job is closed. */
    @ConfigProperty(name = "fleethook.jobs.abandon-silent-after", defaultValue = "60m")
    Duration silentAfter;

    @Scheduled(every = "${fleethook.jobs.abandoned-check:60s}", delayed = "20s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "abandoned-job-detector")
    void run() {
        ScheduledTurns.run(LOG, "Abandoned-job check", () -> {
            int closed = check();
            if (closed > 0) {
                LOG.infof("Closed %d abandoned job(s)", closed);
            }
        });
    }

    private String reason() {
        return REASON.replace("SILENT_MINUTES", String.valueOf(silentAfter.toMinutes()));
    }

    private static final String REASON = """
            CASE WHEN s.status = 'REVOKED' THEN 'The server was revoked while the job ran.'
                 WHEN s.status = 'DISABLED' THEN 'The server was disabled while the job ran.'
                 WHEN s.running_reported_at > j.updated_at + make_interval(secs => :grace)
                      AND s.running_job_id IS DISTINCT FROM j.id
                      THEN 'The agent no longer runs this job and never reported its end (it may have crashed or restarted).'
                 WHEN (s.last_seen_at IS NULL OR s.last_seen_at < now() - make_interval(secs => :silent))
                      AND j.updated_at < now() - make_interval(secs => :silent)
                      THEN 'The agent stopped reporting: not seen for more than SILENT_MINUTES minutes.'
            END""";

    /** One pass over every tenant; returns how many jobs were closed by this replica. */
    public int check() {
        List<?> candidates = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.ABANDONED_DETECTOR, () -> Panache.getEntityManager().createNativeQuery(
                "SELECT j.tenant_id, j.server_id, j.id FROM job j JOIN server s ON s.id = j.server_id"
                        + " WHERE j.status = 'RUNNING' AND (" + reason() + ") IS NOT NULL")
                .setParameter("grace", (double) grace.toSeconds()).setParameter("silent", (double) silentAfter.toSeconds())
                .getResultList());
        int closed = 0;
        for (Object row : candidates) {
            Object[] r = (Object[]) row;
            String tenantId = (String) r[0];
            UUID serverId = (UUID) r[1];
            UUID jobId = (UUID) r[2];
            closed += currentTenant.inTransaction(tenantId, () -> close(tenantId, serverId, jobId));
        }
        return closed;
    }

    /** Closes one job if it is still running and still abandoned (the row lock makes this once across replicas). */
    private int close(String tenantId, UUID serverId, UUID jobId) {
        int updated = Panache.getEntityManager().createNativeQuery(
                "UPDATE job j SET status = 'ABANDONED', status_reason = (" + reason() + "), finished_at = now(), updated_at = now()"
                        + " FROM server s WHERE j.id = :job AND s.id = j.server_id AND j.status = 'RUNNING'"
                        + " AND (" + reason() + ") IS NOT NULL")
                .setParameter("job", jobId).setParameter("grace", (double) grace.toSeconds())
                .setParameter("silent", (double) silentAfter.toSeconds()).executeUpdate();
        if (updated > 0) {
            jobsFinished.fire(new EventIngestion.JobsFinished(tenantId, serverId, List.of(jobId)));
        }
        return updated;
    }
}
