package dev.fleethook.job.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.fleethook.fleet.Server;
import dev.fleethook.fleet.service.FleetConfig;
import dev.fleethook.job.Job;
import dev.fleethook.protocol.JobStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The numbers of the tenant dashboard, each from one aggregate query. */
@ApplicationScoped
public class DashboardService {

    public record FailingServer(UUID id, String hostname, long failed) {
    }

    public record Dashboard(long online, long offline, long neverSeen, long disabled, Map<String, Long> jobs24h,
            long jobsTotal24h, List<FailingServer> failing, long openAlerts, Instant at) {
    }

    @Inject
    dev.fleethook.tenant.CurrentTenant currentTenant;

    @Inject
    FleetConfig config;

    public Dashboard dashboard() {
        Instant now = Instant.now();
        Instant onlineSince = now.minusSeconds((long) config.pollIntervalSeconds() * Server.ONLINE_INTERVALS);
        long online = Server.count("status = ?1 and lastSeenAt > ?2", Server.Status.ENABLED, onlineSince);
        long offline = Server.count("status = ?1 and lastSeenAt <= ?2", Server.Status.ENABLED, onlineSince);
        long never = Server.count("status = ?1 and lastSeenAt is null", Server.Status.ENABLED);
        long disabled = Server.count("status <> ?1", Server.Status.ENABLED);

        Map<String, Long> jobs = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            jobs.put(s.wire(), 0L);
        }
        long total = 0;
        List<Object[]> rows = Job.getEntityManager().createQuery(
                "select j.status, count(j) from Job j where j.startedAt >= :since group by j.status", Object[].class)
                .setParameter("since", now.minus(Duration.ofHours(24))).getResultList();
        for (Object[] r : rows) {
            long n = ((Number) r[1]).longValue();
            jobs.put(JobStatus.valueOf((String) r[0]).wire(), n);
            total += n;
        }

        // Read through job_status_list_idx (V170): only the tenant's failed jobs of the week, never all jobs.
        List<FailingServer> failing = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Object[]> worst = Job.getEntityManager().createNativeQuery("""
                SELECT j.server_id, s.hostname, j.failed FROM (
                    SELECT server_id, count(*) AS failed FROM job
                     WHERE tenant_id = ?1 AND status = 'FAILED'
                       AND coalesce(started_at, '-infinity'::timestamptz) >= ?2
                     GROUP BY server_id ORDER BY count(*) DESC, server_id LIMIT 5) j
                  LEFT JOIN server s ON s.id = j.server_id
                 ORDER BY j.failed DESC, j.server_id""")
                .setParameter(1, currentTenant.require()).setParameter(2, now.minus(Duration.ofDays(7))).getResultList();
        for (Object[] r : worst) {
            failing.add(new FailingServer((UUID) r[0], r[1] == null ? "?" : (String) r[1], ((Number) r[2]).longValue()));
        }
        long openAlerts = ((Number) Job.getEntityManager()
                .createNativeQuery("SELECT count(*) FROM alert WHERE tenant_id = ?1 AND state = 'OPEN'")
                .setParameter(1, currentTenant.require()).getSingleResult()).longValue();
        return new Dashboard(online, offline, never, disabled, jobs, total, failing, openAlerts, now);
    }
}
