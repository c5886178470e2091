package dev.fleethook.job.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.fleet.AgentCommandEntity;
import dev.fleethook.fleet.Server;
import dev.fleethook.kernel.Page;
import dev.fleethook.fleet.service.ServerJobHistory;
import dev.fleethook.fleet.service.ServerService;
import dev.fleethook.audit.AuditService;
import dev.fleethook.kernel.ConflictException;
import dev.fleethook.protocol.AgentCommand;
import jakarta.transaction.Transactional;
import dev.fleethook.job.HookRun;
import dev.fleethook.job.Job;
import dev.fleethook.job.JobAttempt;
import dev.fleethook.job.rest.JobRecords.AttemptView;
import dev.fleethook.job.rest.JobRecords.HookView;
import dev.fleethook.job.rest.JobRecords.JobDetail;
import dev.fleethook.job.rest.JobRecords.JobSummary;
import dev.fleethook.job.rest.JobRecords.StepView;
import dev.fleethook.policy.Policy;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.kernel.BadInputException;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ObjectNotFoundException;

/** Reading jobs of the current tenant: lists with filters, the attempt timeline, and Cancel. */
@ApplicationScoped
public class JobService implements ServerJobHistory {

    public record Filter(UUID serverId, UUID policyId, String status, Instant from, Instant to, int page, int size) {
    }

    @Inject
    ObjectMapper json;

    @Inject
    ServerService servers;

    @Inject
    AuditService audit;

    public Page<JobSummary> list(Filter f) {
        Page.checkRequest(f.page(), f.size());
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters p = new Parameters();
        if (f.serverId() != null) {
            where.append(" and serverId = :server");
            p.and("server", f.serverId());
        }
        if (f.policyId() != null) {
            where.append(" and policyId = :policy");
            p.and("policy", f.policyId());
        }
        if (f.status() != null && !f.status().isBlank()) {
            JobStatus status;
            try {
                status = JobStatus.fromWire(f.status());
            } catch (IllegalArgumentException e) {
                throw new BadInputException("status", e.getMessage());
            }
            where.append(" and status = :status");
            p.and("status", status);
        }
        if (f.from() != null) {
            where.append(" and startedAt >= :from");
            p.and("from", f.from());
        }
        if (f.to() != null) {
            where.append(" and startedAt < :to");
            p.and("to", f.to());
        }
        var query = Job.<Job> find(where.toString(), Sort.by("startedAt", Sort.Direction.Descending, Sort.NullPrecedence.NULLS_LAST)
                .and("updatedAt", Sort.Direction.Descending), p);
        long total = query.count();
        List<Job> jobs = query.page(io.quarkus.panache.common.Page.of(f.page(), f.size())).list();
        return new Page<>(summaries(jobs), total, f.page(), f.size());
    }

    public JobDetail detail(UUID id) {
        Job job = Job.<Job> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        List<JobAttempt> attempts = JobAttempt.list("jobId = ?1", Sort.by("number"), id);
        List<HookRun> hooks = HookRun.list("jobId = ?1", Sort.by("attempt").and("hookIndex").and("sourcePath"), id);
        List<AttemptView> views = new ArrayList<>();
        for (JobAttempt a : attempts) {
            List<HookView> hookViews = hooks.stream().filter(h -> h.attempt == a.number)
                    .sorted(Comparator.comparingInt((HookRun h) -> HookPhase.jobOrder(h.phase)).thenComparingInt(h -> h.hookIndex))
                    .map(h -> new HookView(h.phase, h.hookIndex, h.sourcePath.isEmpty() ? null : h.sourcePath,
                            script(h.result)))
                    .toList();
            views.add(new AttemptView(a.number, a.startedAt, a.finishedAt, a.finalAttempt, script(a.pre), backup(a.backup),
                    script(a.post), hookViews));
        }
        return new JobDetail(summaries(List.of(job)).get(0), views);
    }

    /**
     * Asks the job's agent to cancel it (operators and admins): a Cancel command for the job's server,
     * audited as {@code job.cancel}. A finished job is a conflict; another tenant's job is not found.
     */
    @Transactional
    public AgentCommandEntity cancel(UUID id) {
        Job job = Job.<Job> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        if (job.status != JobStatus.RUNNING) {
            throw new ConflictException("The job has already finished.");
        }
        Server server = servers.require(job.serverId);
        AgentCommandEntity command = servers.queueCommand(server.id, AgentCommand.Kind.CANCEL, job.id);
        audit.record("job.cancel", "job", job.id, "Cancel requested on " + server.hostname, null, null);
        return command;
    }

    /** Jobs of the current tenant started since {@code since}, by status (wire name; every status listed, 0 included). */
    public Map<String, Long> statusCounts(Instant since) {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            counts.put(s.wire(), 0L);
        }
        List<Object[]> rows = Job.getEntityManager().createQuery(
                "select j.status, count(j) from Job j where j.startedAt >= :since group by j.status", Object[].class)
                .setParameter("since", since).getResultList();
        for (Object[] r : rows) {
            counts.put(((JobStatus) r[0]).wire(), ((Number) r[1]).longValue());
        }
        return counts;
    }

    /** The servers with the most failed jobs started since {@code since}: server id to count, most first. */
    public Map<UUID, Long> mostFailing(Instant since, int limit) {
        Map<UUID, Long> worst = new java.util.LinkedHashMap<>();
        Job.getEntityManager().createQuery("""
                select j.serverId, count(j) from Job j where j.status = :failed and j.startedAt >= :since
                group by j.serverId order by count(j) desc""", Object[].class)
                .setParameter("failed", JobStatus.FAILED).setParameter("since", since).setMaxResults(limit).getResultList()
                .forEach(r -> worst.put((UUID) r[0], ((Number) r[1]).longValue()));
        return worst;
    }

    @Override
    public List<JobSummary> recent(UUID serverId, int limit) {
        return list(new Filter(serverId, null, null, null, null, 0, limit)).items();
    }

    public List<JobSummary> summaries(List<Job> jobs) {
        Map<UUID, String> hosts = new HashMap<>();
        Map<UUID, String> policies = new HashMap<>();
        if (!jobs.isEmpty()) {
            Server.<Server> list("id in ?1", jobs.stream().map(j -> j.serverId).distinct().toList())
                    .forEach(s -> hosts.put(s.id, s.hostname));
            Policy.<Policy> listAll().forEach(p -> policies.put(p.id, p.name));
        }
        return jobs.stream().map(j -> new JobSummary(j.id, j.serverId, hosts.get(j.serverId), j.policyId,
                policies.get(j.policyId), j.policyRevision, j.trigger, j.status.wire(), j.backupStatus,
                j.backupStatus == null ? "N/A" : safeLabel(() -> BackupStatus.ofCode(j.backupStatus).label()), j.attempts, j.maxAttempts,
                j.startedAt, j.finishedAt, j.missed, j.statusReason)).toList();
    }

    private StepView script(String stored) {
        StepResult r = read(stored);
        return r == null ? StepView.NOT_REPORTED : view(r, safeLabel(() -> ScriptStatus.ofCode(r.status()).label()));
    }

    private StepView backup(String stored) {
        StepResult r = read(stored);
        return r == null ? StepView.NOT_REPORTED : view(r, safeLabel(() -> BackupStatus.ofCode(r.status()).label()));
    }

    private static StepView view(StepResult r, String label) {
        return new StepView(label, r.status(), r.exitCode(), r.durationMs(), r.timedOut(), r.outputTail(), r.detail(),
                r.stats());
    }

    private static String safeLabel(java.util.function.Supplier<String> label) {
        try {
            return label.get();
        } catch (IllegalArgumentException e) {
            return "Unknown";
        }
    }

    private StepResult read(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return json.readValue(stored, StepResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
