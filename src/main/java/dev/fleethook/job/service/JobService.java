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
import dev.fleethook.fleet.rest.FleetRecords.Page;
import dev.fleethook.fleet.service.ServerService;
import dev.fleethook.job.HookRun;
import dev.fleethook.job.Job;
import dev.fleethook.job.JobAttempt;
import dev.fleethook.job.rest.JobRecords.AttemptView;
import dev.fleethook.job.rest.JobRecords.HookView;
import dev.fleethook.job.rest.JobRecords.JobDetail;
import dev.fleethook.job.rest.JobRecords.JobSummary;
import dev.fleethook.job.rest.JobRecords.LiveStep;
import dev.fleethook.job.rest.JobRecords.StepView;
import dev.fleethook.policy.Policy;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.web.BadInputException;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotFoundException;

/** Reading jobs of the current tenant: lists with filters, the attempt timeline, and Cancel. */
@ApplicationScoped
public class JobService {

    public record Filter(UUID serverId, UUID policyId, String status, Instant from, Instant to, int page, int size) {
    }

    @Inject
    ObjectMapper json;

    @Inject
    ServerService servers;

    public Page<JobSummary> list(Filter f) {
        if (f.size() < 1 || f.size() > 500) {
            throw new BadInputException("size", "must be 1 to 500");
        }
        if (f.page() < 0) {
            throw new BadInputException("page", "must be 0 or more");
        }
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
            p.and("status", status.name());
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
        Job job = Job.<Job> findByIdOptional(id).orElseThrow(NotFoundException::new);
        List<JobAttempt> attempts = JobAttempt.list("jobId = ?1", Sort.by("number"), id);
        List<HookRun> hooks = HookRun.list("jobId = ?1", Sort.by("attempt").and("hookIndex").and("sourcePath"), id);
        List<AttemptView> views = new ArrayList<>();
        for (JobAttempt a : attempts) {
            List<HookView> hookViews = hooks.stream().filter(h -> h.attempt == a.number)
                    .sorted(Comparator.comparingInt((HookRun h) -> phaseOrder(h.phase)).thenComparingInt(h -> h.hookIndex))
                    .map(h -> new HookView(h.phase, h.hookIndex, h.sourcePath.isEmpty() ? null : h.sourcePath,
                            script(h.result)))
                    .toList();
            boolean running = JobStatus.RUNNING.name().equals(job.status) && a.finishedAt == null;
            views.add(new AttemptView(a.number, a.startedAt, a.finishedAt, a.finalAttempt, script(a.pre), backup(a.backup),
                    script(a.post), hookViews, running ? live(a, hookViews) : null));
        }
        return new JobDetail(summaries(List.of(job)).get(0), views, nextRetry(job, attempts));
    }

    /** The step an unfinished attempt runs now: the one the agent last said began, unless its result arrived. */
    private static LiveStep live(JobAttempt a, List<HookView> hooks) {
        if (a.liveStep == null) {
            return null;
        }
        String label;
        boolean done;
        switch (a.liveStep) {
            case "pre" -> {
                label = "Pre-script";
                done = a.pre != null;
            }
            case "backup" -> {
                label = "Backup";
                done = a.backup != null;
            }
            case "post" -> {
                label = "Post-script";
                done = a.post != null;
            }
            default -> {
                String[] parts = a.liveStep.split(":", 3);
                String phase = parts.length > 1 ? parts[1] : "?";
                String source = parts.length > 2 ? parts[2] : null;
                label = phase + " hooks" + (source == null ? "" : " (" + source + ")");
                done = hooks.stream().anyMatch(h -> h.phase().equals(phase)
                        && java.util.Objects.equals(h.sourcePath(), source));
            }
        }
        return done ? null : new LiveStep(a.liveStep, label, a.liveStepAt, a.liveOutput, a.liveOutputAt);
    }

    /** A running job whose last attempt ended and was not its last retries at its end plus the policy's interval. */
    private Instant nextRetry(Job job, List<JobAttempt> attempts) {
        if (!JobStatus.RUNNING.name().equals(job.status) || attempts.isEmpty() || job.policyId == null
                || job.policyRevision == null) {
            return null;
        }
        JobAttempt last = attempts.get(attempts.size() - 1);
        if (last.finishedAt == null || Boolean.TRUE.equals(last.finalAttempt)) {
            return null;
        }
        return dev.fleethook.policy.PolicyRevision.<dev.fleethook.policy.PolicyRevision> find(
                "policyId = ?1 and number = ?2", job.policyId, job.policyRevision).firstResultOptional()
                .map(r -> {
                    try {
                        var retry = json.readTree(r.spec).path("retry");
                        return retry.has("intervalMinutes")
                                ? last.finishedAt.plusSeconds(60L * retry.get("intervalMinutes").asLong()) : null;
                    } catch (JsonProcessingException e) {
                        return null;
                    }
                }).orElse(null);
    }

    /**
     * What the job page says of a Cancel asked for this job: null when none was asked; "cancel requested"
     * until the agent took it; then that the agent is stopping the job (it ends with its post-script).
     */
    public String cancelState(UUID id) {
        AgentCommandEntity c = AgentCommandEntity.<AgentCommandEntity> find("jobId = ?1 and kind = 'CANCEL'",
                Sort.by("createdAt", Sort.Direction.Descending), id).firstResult();
        if (c == null) {
            return null;
        }
        return c.acknowledgedAt == null
                ? "Cancel requested by " + c.createdBy + ": waiting for the agent to take it (at its next poll)."
                : "Cancel received by the agent: a running script finishes, the backup stops, then the post-script runs.";
    }

    /** Asks the job's agent to cancel it (operators and admins); a finished job is a conflict. */
    public AgentCommandEntity cancel(UUID id) {
        Job job = Job.<Job> findByIdOptional(id).orElseThrow(NotFoundException::new);
        return servers.cancel(job.id, job.serverId, JobStatus.RUNNING.name().equals(job.status));
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
                policies.get(j.policyId), j.policyRevision, j.trigger, JobStatus.valueOf(j.status).wire(), j.backupStatus,
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

    private static int phaseOrder(String phase) {
        return switch (phase) {
            case "agent-start" -> 0;
            case "before-backup" -> 1;
            case "before-folder" -> 2;
            case "after-folder" -> 3;
            case "after-backup" -> 4;
            default -> 5;
        };
    }
}
