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
import dev.fleethook.fleet.service.CommandView;
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
import dev.fleethook.job.service.JobViews.AttemptView;
import dev.fleethook.job.service.JobViews.HookView;
import dev.fleethook.job.service.JobViews.JobDetail;
import dev.fleethook.job.service.JobViews.JobSummary;
import dev.fleethook.job.service.JobViews.LiveStep;
import dev.fleethook.job.service.JobViews.StepView;
import dev.fleethook.policy.Policy;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.kernel.BadInputException;
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

    @Inject
    TrendService trends;

    /**
     * One page of the list for the pages: newest first (never-started jobs last), read along an index from
     * a keyset cursor, so the thousandth page costs what the first does. {@code before} (older than) and
     * {@code after} (newer than) are cursors from a previous page ({@link #cursor}); with neither, the page
     * is {@code f.page()} by offset. {@code total} is counted up to {@link #COUNT_LIMIT} ({@code totalCapped}
     * when there are more), as an exact count would read every job of the tenant. {@code newer} and
     * {@code older} are the cursors of the neighbouring pages, null when there is none.
     */
    public record Listing(List<JobSummary> items, long total, boolean totalCapped, String newer, String older) {
    }

    /** The job list counts at most this many (the pages show "10,000+"); the API counts exactly. */
    public static final long COUNT_LIMIT = 10_000;

    /** A list page's position: the sort key ({@code coalesce(started_at, '-infinity')}) and the job id. */
    record Cursor(String key, UUID id) {
    }

    @Inject
    dev.fleethook.kernel.CurrentTenant currentTenant;

    /** The API's list: offset pages with the exact total (fields as {@link Filter}). */
    public Page<JobSummary> list(Filter f) {
        Selection s = select(f, null, null, true);
        return new Page<>(summaries(s.jobs), s.total, f.page(), f.size());
    }

    /** The pages' list: see {@link Listing}. Throws {@link BadInputException} for a malformed cursor. */
    public Listing listPage(Filter f, String before, String after) {
        Cursor older = cursor("before", before);
        Cursor newer = cursor("after", after);
        if (older != null && newer != null) {
            throw new BadInputException("after", "cannot be combined with before");
        }
        Selection s = select(f, older, newer, false);
        List<Job> jobs = s.jobs;
        String newerCursor = null;
        String olderCursor = null;
        if (!jobs.isEmpty()) {
            boolean hasNewer = newer != null ? s.more : older != null || f.page() > 0;
            boolean hasOlder = newer != null || s.more;
            newerCursor = hasNewer ? cursor(jobs.get(0)) : null;
            olderCursor = hasOlder ? cursor(jobs.get(jobs.size() - 1)) : null;
        }
        return new Listing(summaries(jobs), Math.min(s.total, COUNT_LIMIT), s.total > COUNT_LIMIT, newerCursor, olderCursor);
    }

    /** The cursor naming {@code job}'s place in the list. */
    public static String cursor(Job job) {
        return (job.startedAt == null ? "-infinity" : job.startedAt.toString()) + "_" + job.id;
    }

    private static Cursor cursor(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        int cut = value.lastIndexOf('_');
        try {
            String key = value.substring(0, Math.max(0, cut));
            if (!key.equals("-infinity")) {
                key = Instant.parse(key).toString();
            }
            return new Cursor(key, UUID.fromString(value.substring(cut + 1)));
        } catch (RuntimeException e) {
            throw new BadInputException(field, "must be a cursor from a previous page");
        }
    }

    private record Selection(List<Job> jobs, long total, boolean more) {
    }

    /** The sort key of the list, as the indexes of V9 hold it. */
    private static final String KEY = "coalesce(started_at, '-infinity'::timestamptz)";

    @SuppressWarnings("unchecked")
    private Selection select(Filter f, Cursor before, Cursor after, boolean exactCount) {
        Page.checkRequest(f.page(), f.size());
        StringBuilder where = new StringBuilder("tenant_id = :tenant");
        Map<String, Object> p = new HashMap<>();
        p.put("tenant", currentTenant.require());
        if (f.serverId() != null) {
            where.append(" AND server_id = :server");
            p.put("server", f.serverId());
        }
        if (f.policyId() != null) {
            where.append(" AND policy_id = :policy");
            p.put("policy", f.policyId());
        }
        if (f.status() != null && !f.status().isBlank()) {
            JobStatus status;
            try {
                status = JobStatus.fromWire(f.status());
            } catch (IllegalArgumentException e) {
                throw new BadInputException("status", e.getMessage());
            }
            where.append(" AND status = :status");
            p.put("status", status.name());
        }
        if (f.from() != null) {
            where.append(" AND started_at >= :from");
            p.put("from", f.from());
        }
        if (f.to() != null) {
            where.append(" AND started_at < :to");
            p.put("to", f.to());
        }
        var em = Job.getEntityManager();
        String count = exactCount ? "SELECT count(*) FROM job WHERE " + where
                : "SELECT count(*) FROM (SELECT 1 FROM job WHERE " + where + " LIMIT " + (COUNT_LIMIT + 1) + ") AS n";
        var countQuery = em.createNativeQuery(count);
        p.forEach(countQuery::setParameter);
        long total = ((Number) countQuery.getSingleResult()).longValue();
        Cursor c = before != null ? before : after;
        if (c != null) {
            where.append(" AND (" + KEY + ", id) " + (before != null ? "<" : ">")
                    + " (CAST(:key AS timestamptz), CAST(:id AS uuid))");
            p.put("key", c.key());
            p.put("id", c.id().toString());
        }
        String order = after != null ? KEY + " ASC, id ASC" : KEY + " DESC, id DESC";
        String sql = "SELECT * FROM job WHERE " + where + " ORDER BY " + order + " LIMIT " + (f.size() + 1)
                + (c == null ? " OFFSET " + ((long) f.page() * f.size()) : "");
        var query = em.createNativeQuery(sql, Job.class);
        p.forEach(query::setParameter);
        List<Job> jobs = new ArrayList<>((List<Job>) query.getResultList());
        boolean more = jobs.size() > f.size();
        if (more) {
            jobs = new ArrayList<>(jobs.subList(0, f.size()));
        }
        if (after != null) {
            java.util.Collections.reverse(jobs);
        }
        return new Selection(jobs, total, more);
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
            boolean running = job.status == JobStatus.RUNNING && a.finishedAt == null;
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
        if (job.status != JobStatus.RUNNING || attempts.isEmpty() || job.policyId == null
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

    /**
     * Asks the job's agent to cancel it (operators and admins): a Cancel command for the job's server,
     * audited as {@code job.cancel}. A finished job is a conflict; another tenant's job is not found.
     */
    @Transactional
    public CommandView cancel(UUID id) {
        Job job = Job.<Job> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        if (job.status != JobStatus.RUNNING) {
            throw new ConflictException("The job has already finished.");
        }
        Server server = servers.require(job.serverId);
        CommandView command = servers.queueCommand(server.id, AgentCommand.Kind.CANCEL, job.id);
        audit.record("job.cancel", "job", job.id, "Cancel requested on " + server.hostname, null, null);
        return command;
    }

    /**
     * Jobs of the current tenant started since {@code since}, by status (wire name; every status listed, 0 included).
     *
     * <p>Exact, and cheap at any fleet size: the whole 15-minute buckets from the first bucket boundary at or
     * after {@code since} come from the dashboard trend's pre-aggregated counts ({@code job_trend_bucket} and
     * the deltas not merged yet, V14; a few hundred rows for a day, whatever the number of jobs), and the
     * jobs started in the part of a bucket before that boundary (under 15 minutes) from the job table along
     * {@code job_tenant_started_idx}. Both read the same snapshot and the buckets are kept by triggers in the
     * job's own transaction, so the sum is what counting the jobs themselves gives (see {@link TrendService}).
     */
    public Map<String, Long> statusCounts(Instant since) {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            counts.put(s.wire(), 0L);
        }
        Instant boundary = TrendService.nextBucketStart(since);
        String tenant = currentTenant.require();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Job.getEntityManager().createNativeQuery("""
                SELECT status, sum(jobs) FROM (
                    SELECT status, jobs FROM job_trend_bucket WHERE tenant_id = :tenant AND bucket >= :boundary
                    UNION ALL
                    SELECT status, jobs FROM job_trend_delta WHERE tenant_id = :tenant AND bucket >= :boundary
                    UNION ALL
                    SELECT status, 1 FROM job WHERE tenant_id = :tenant AND started_at >= :since AND started_at < :boundary
                ) n GROUP BY status""")
                .setParameter("tenant", tenant).setParameter("since", since).setParameter("boundary", boundary)
                .getResultList();
        for (Object[] r : rows) {
            long n = ((Number) r[1]).longValue();
            if (n != 0) {
                counts.put(JobStatus.valueOf((String) r[0]).wire(), n);
            }
        }
        return counts;
    }

    /** The servers with the most failed jobs started since {@code since}: server id to count, most first. */
    public Map<UUID, Long> mostFailing(Instant since, int limit) {
        Map<UUID, Long> worst = new java.util.LinkedHashMap<>();
        // An index-only scan of job_failed_idx (V16): only the tenant's failed jobs since then, never all jobs,
        // and not their heap rows. Jobs never started (started_at null) are not counted, as before.
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Job.getEntityManager().createNativeQuery("""
                SELECT server_id, count(*) FROM job
                 WHERE tenant_id = ?1 AND status = 'FAILED' AND started_at >= ?2
                 GROUP BY server_id ORDER BY count(*) DESC, server_id LIMIT ?3""")
                .setParameter(1, currentTenant.require()).setParameter(2, since).setParameter(3, limit).getResultList();
        rows.forEach(r -> worst.put((UUID) r[0], ((Number) r[1]).longValue()));
        return worst;
    }

    @Override
    public List<JobSummary> recent(UUID serverId, int limit) {
        return list(new Filter(serverId, null, null, null, null, 0, limit)).items();
    }

    @Override
    public TrendService.Trend trend(UUID serverId) {
        return trends.trend(serverId, null);
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
