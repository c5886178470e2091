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
import dev.fleethook.job.rest.JobRecords.StepView;
import dev.fleethook.policy.Policy;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.web.BadInputException;
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
    dev.fleethook.tenant.CurrentTenant currentTenant;

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

    /** The sort key of the list, as the indexes of V170 hold it. */
    private static final String KEY = "coalesce(started_at, '-infinity'::timestamptz)";

    @SuppressWarnings("unchecked")
    private Selection select(Filter f, Cursor before, Cursor after, boolean exactCount) {
        if (f.size() < 1 || f.size() > 500) {
            throw new BadInputException("size", "must be 1 to 500");
        }
        if (f.page() < 0) {
            throw new BadInputException("page", "must be 0 or more");
        }
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
            views.add(new AttemptView(a.number, a.startedAt, a.finishedAt, a.finalAttempt, script(a.pre), backup(a.backup),
                    script(a.post), hookViews));
        }
        return new JobDetail(summaries(List.of(job)).get(0), views);
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
