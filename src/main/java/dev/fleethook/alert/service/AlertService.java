package dev.fleethook.alert.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.fleethook.alert.Alert;
import dev.fleethook.alert.AlertSettings;
import dev.fleethook.fleet.Server;
import dev.fleethook.kernel.Page;
import dev.fleethook.job.Job;
import dev.fleethook.job.service.JobViews.AttemptView;
import dev.fleethook.job.service.JobViews.HookView;
import dev.fleethook.job.service.JobViews.JobDetail;
import dev.fleethook.job.service.EventIngestion;
import dev.fleethook.job.service.JobService;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.Tenant;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import dev.fleethook.kernel.ObjectNotFoundException;

/**
 * Raises alerts when a job ends after its last attempt — for the job and for each script and hook
 * failure of that attempt, whatever the backup did — and writes their email to the outbox in the same
 * transaction. In the manner of Alertmanager's grouping and repeat interval:
 * <ul>
 * <li>one email per job, listing all its failures, titled by the worst ({@link Alert#severity});</li>
 * <li>one unresolved alert per server and kind, counting repeats ({@code occurrences}); the first
 * failure is emailed at once, later ones only counted — {@link RepeatNotifier} summarizes them at most
 * once per the tenant's repeat interval;</li>
 * <li>a job whose backup succeeded resolves the server's open job alerts of every kind it did not raise
 * itself (a warning job keeps its script/hook alerts open), and a recovery email says so (tenant
 * setting).</li>
 * </ul>
 * A job counts once per kind ({@code alert_occurrence}'s key), so a re-evaluation (a late step, a
 * replayed batch) adds nothing.
 */
@ApplicationScoped
public class AlertService {

    /** One failure of a job: its alert kind and the line that names it. */
    public record Failure(String kind, String title) {
    }

    /** A failure counted on its alert: first means the alert was opened by this job. */
    record Counted(UUID alertId, Failure failure, boolean first, int occurrences) {
    }

    /** The alerts page and API filter; null fields match everything. */
    public record Filter(String state, String kind, UUID serverId, Instant from, Instant to, int page, int size) {
    }

    @Inject
    JobService jobs;

    @Inject
    OutboxService outbox;

    @Inject
    dev.fleethook.fleet.service.ServerService servers;

    @Inject
    EmailRenderer renderer;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    AlertMetrics metrics;

    @ConfigProperty(name = "fleethook.portal.base-url")
    String baseUrl;

    /** Evaluates a finished (or abandoned) job, in the transaction that recorded its end. */
    void onJobFinished(@Observes EventIngestion.JobFinished event) {
        Job job = Job.findById(event.jobId());
        if (job == null || job.status == JobStatus.RUNNING) {
            return;
        }
        JobDetail detail = jobs.detail(job.id);
        List<Failure> failures = failures(job, detail);
        Set<String> raised = new LinkedHashSet<>();
        failures.forEach(f -> raised.add(f.kind()));
        boolean backupSucceeded = job.backupStatus != null && job.backupStatus == BackupStatus.SUCCEEDED.code()
                && (job.status == JobStatus.SUCCEEDED || job.status == JobStatus.WARNING);
        List<Alert> resolved = new ArrayList<>();
        if (backupSucceeded) {
            resolved.addAll(resolve(job.serverId, Alert.KINDS.stream()
                    .filter(k -> !k.equals(Alert.AGENT_OFFLINE) && !raised.contains(k)).toList()));
        } else if (job.status != JobStatus.ABANDONED && !raised.contains(Alert.JOB_ABANDONED)) {
            // The agent reports again: what it had abandoned is over.
            resolved.addAll(resolve(job.serverId, List.of(Alert.JOB_ABANDONED)));
        }
        announceRecovery(job.serverId, detail.job().hostname(), resolved);
        List<Counted> counted = new ArrayList<>();
        for (Failure f : failures) {
            Counted c = count(job, f);
            if (c != null) {
                counted.add(c);
            }
        }
        if (counted.stream().anyMatch(Counted::first)) {
            notifyJob(job, detail, counted);
        }
    }

    /** The failures of a job's last attempt, worst first. */
    List<Failure> failures(Job job, JobDetail detail) {
        String host = detail.job().hostname();
        List<Failure> out = new ArrayList<>();
        if (job.status == JobStatus.ABANDONED) {
            out.add(new Failure(Alert.JOB_ABANDONED, "Job abandoned on " + host + ": "
                    + (job.statusReason == null ? "the agent stopped reporting it" : job.statusReason)));
            return out;
        }
        AttemptView last = detail.attempts().stream().filter(a -> a.number() == job.attempts).findFirst()
                .orElse(detail.attempts().isEmpty() ? null : detail.attempts().get(detail.attempts().size() - 1));
        boolean hookJob = "agent-start".equals(job.trigger);
        boolean backupFailed = job.backupStatus == null || job.backupStatus != BackupStatus.SUCCEEDED.code();
        if (!hookJob && backupFailed && job.status != JobStatus.CANCELED) {
            String backup = job.backupStatus == null ? "N/A" : BackupStatus.ofCode(job.backupStatus).label();
            out.add(new Failure(Alert.JOB_FAILED, "Backup " + backup + " on " + host + " after " + job.attempts
                    + " attempt" + (job.attempts == 1 ? "" : "s")));
        }
        if (last != null) {
            Integer pre = last.pre().statusCode();
            Integer post = last.post().statusCode();
            Integer backup = last.backup().statusCode();
            if (failed(pre)) {
                out.add(new Failure(Alert.PRE_SCRIPT_FAILED, "Pre-script " + last.pre().status() + " on " + host));
            }
            if (pre != null && pre == ScriptStatus.SKIPPED.code() && backup != null
                    && backup == BackupStatus.NOT_EXECUTED.code()) {
                out.add(new Failure(Alert.SCRIPT_MISSING, "Pre-script missing on " + host + ": the backup was skipped"));
            }
            List<HookView> failedHooks = last.hooks().stream().filter(h -> failed(h.result().statusCode())).toList();
            if (!failedHooks.isEmpty()) {
                HookView h = failedHooks.get(0);
                String what = failedHooks.size() == 1 ? h.phase() + " hook " + h.result().status()
                        : failedHooks.size() + " hooks failed (first: " + h.phase() + ")";
                out.add(new Failure(Alert.HOOK_FAILED, capitalize(what) + " on " + host));
            }
            if (failed(post)) {
                out.add(new Failure(Alert.POST_SCRIPT_FAILED, "Post-script " + last.post().status() + " on " + host));
            }
        }
        out.sort(Comparator.comparingInt(f -> Alert.severity(f.kind())));
        return out;
    }

    private static boolean failed(Integer status) {
        return ScriptStatus.failedOrTimedOut(status);
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Counts a job's failure on the server's open alert of its kind (opening one); null if already counted. */
    private Counted count(Job job, Failure f) {
        var em = Panache.getEntityManager();
        int fresh = em.createNativeQuery("""
                INSERT INTO alert_occurrence (tenant_id, job_id, kind, occurred_at) VALUES (?1, ?2, ?3, now())
                ON CONFLICT DO NOTHING""").setParameter(1, currentTenant.require()).setParameter(2, job.id)
                .setParameter(3, f.kind()).executeUpdate();
        if (fresh == 0) {
            return null;
        }
        Object[] row = (Object[]) em.createNativeQuery("""
                INSERT INTO alert (id, tenant_id, server_id, job_id, last_job_id, kind, dedupe_key, state, title,
                                   created_at, occurrences, last_occurred_at, unnotified)
                VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, 'OPEN', ?7, now(), 1, now(), 0)
                ON CONFLICT (server_id, kind) WHERE state <> 'RESOLVED' AND kind <> 'agent-offline'
                DO UPDATE SET occurrences = alert.occurrences + 1, last_occurred_at = now(),
                              last_job_id = EXCLUDED.last_job_id, unnotified = alert.unnotified + 1,
                              title = EXCLUDED.title
                RETURNING id, (xmax = 0) AS inserted, occurrences""")
                .setParameter(1, UUID.randomUUID()).setParameter(2, currentTenant.require())
                .setParameter(3, job.serverId).setParameter(4, job.id).setParameter(5, f.kind())
                .setParameter(6, "alert:" + UUID.randomUUID()).setParameter(7, shorten(f.title()))
                .getSingleResult();
        UUID alertId = (UUID) row[0];
        em.createNativeQuery("UPDATE alert_occurrence SET alert_id = ?1 WHERE job_id = ?2 AND kind = ?3")
                .setParameter(1, alertId).setParameter(2, job.id).setParameter(3, f.kind()).executeUpdate();
        boolean first = (Boolean) row[1];
        if (first) {
            metrics.alertRaised(f.kind());
        }
        return new Counted(alertId, f, first, ((Number) row[2]).intValue());
    }

    /** One email per recipient for the job, naming every failure; its alerts count as notified now. */
    private void notifyJob(Job job, JobDetail detail, List<Counted> counted) {
        List<UUID> ids = counted.stream().map(Counted::alertId).toList();
        Panache.getEntityManager().createNativeQuery(
                "UPDATE alert SET last_notified_at = now(), unnotified = 0 WHERE id IN (?1)")
                .setParameter(1, ids).executeUpdate();
        AlertSettings settings = settingsRow();
        List<Counted> wanted = counted.stream().filter(c -> settings.wants(c.failure().kind())).toList();
        if (wanted.isEmpty() || settings.recipients.length == 0) {
            return;
        }
        Counted worst = wanted.get(0);
        String subject = worst.failure().title() + (wanted.size() > 1 ? " (+" + (wanted.size() - 1) + " more)" : "");
        List<String> problems = wanted.stream().map(c -> c.failure().title()
                + (c.occurrences() > 1 ? " — repeated: " + c.occurrences() + " times while open" : "")).toList();
        EmailRenderer.Rendered mail = renderer.render(mail(subject, worst.failure().title(), job.serverId, detail,
                null, baseUrl + "/jobs/" + job.id, problems));
        for (String recipient : settings.recipients) {
            outbox.enqueue(worst.alertId(), recipient, mail);
        }
    }

    /**
     * Inserts an alert unless its dedupe key exists (offline episodes), and queues one email per
     * recipient for it. Must run inside a transaction bound to the alert's tenant.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean raise(UUID serverId, UUID jobId, String kind, String dedupeKey, String title, JobDetail detail,
            String extra) {
        UUID id = UUID.randomUUID();
        int inserted = Panache.getEntityManager().createNativeQuery("""
                INSERT INTO alert (id, tenant_id, server_id, job_id, last_job_id, kind, dedupe_key, state, title,
                                   created_at, last_occurred_at, last_notified_at)
                VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, 'OPEN', ?7, now(), now(), now()) ON CONFLICT (dedupe_key) DO NOTHING""")
                .setParameter(1, id).setParameter(2, currentTenant.require()).setParameter(3, serverId)
                .setParameter(4, jobId).setParameter(5, kind).setParameter(6, dedupeKey)
                .setParameter(7, shorten(title)).executeUpdate();
        if (inserted == 0) {
            return false;
        }
        metrics.alertRaised(kind);
        AlertSettings settings = settingsRow();
        if (settings.wants(kind) && settings.recipients.length > 0) {
            EmailRenderer.Rendered mail = renderer.render(mail(title, serverId, detail, extra,
                    jobId == null ? baseUrl + "/servers/" + serverId : baseUrl + "/jobs/" + jobId));
            for (String recipient : settings.recipients) {
                outbox.enqueue(id, recipient, mail);
            }
        }
        return true;
    }

    /** The mail for an alert; also used by the preview page and the test email. */
    public AlertMail mail(String title, UUID serverId, JobDetail detail, String extra, String link) {
        return mail(title, title, serverId, detail, extra, link, List.of());
    }

    /** The mail for one or more problems: {@code subject} without the "[Fleethook]" prefix. */
    public AlertMail mail(String subject, String title, UUID serverId, JobDetail detail, String extra, String link,
            List<String> problems) {
        Tenant tenant = Tenant.findById(currentTenant.require());
        Server server = serverId == null ? null : Server.findById(serverId);
        String host = server == null ? (detail == null ? "example-server" : detail.job().hostname()) : server.hostname;
        return new AlertMail("[Fleethook] " + subject, title, tenant == null ? "your organization" : tenant.name, host,
                detail == null ? null : detail.job().policyName(), detail == null ? null : detail.job().policyRevision(),
                detail, extra, link, settingsUrl(), problems.size() > 1 ? problems : List.of(), false);
    }

    public String settingsUrl() {
        return baseUrl + "/alerts/settings";
    }

    /** Resolves the server's unresolved alerts of these kinds; returns them (already resolved). */
    private List<Alert> resolve(UUID serverId, List<String> kinds) {
        if (kinds.isEmpty()) {
            return List.of();
        }
        List<Alert> open = Alert.list("serverId = ?1 and state <> ?3 and kind in ?2", serverId, kinds,
                Alert.State.RESOLVED);
        Instant now = Instant.now();
        for (Alert a : open) {
            a.state = Alert.State.RESOLVED;
            a.resolvedAt = now;
        }
        return open;
    }

    /**
     * Sends one recovery email per recipient for the alerts just resolved on a server that someone was
     * told about (tenant setting {@code recoveryEmails}). Runs in the resolving transaction.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void announceRecovery(UUID serverId, String hostname, List<Alert> resolved) {
        AlertSettings settings = settingsRow();
        List<Alert> told = resolved.stream().filter(a -> a.lastNotifiedAt != null && settings.wants(a.kind)).toList();
        if (told.isEmpty() || !settings.recoveryEmails || settings.recipients.length == 0) {
            return;
        }
        String subject = "Resolved on " + hostname + ": " + told.stream().map(a -> a.kind).distinct()
                .reduce((a, b) -> a + ", " + b).orElse("");
        List<String> lines = told.stream().map(a -> "Resolved: " + a.title
                + (a.occurrences > 1 ? " (" + a.occurrences + " times while open)" : "")).toList();
        EmailRenderer.Rendered mail = renderer.render(mail(subject, "Recovered: " + hostname + " is fine again",
                serverId, null, null, baseUrl + "/servers/" + serverId, lines).asRecovery());
        for (String recipient : settings.recipients) {
            outbox.enqueue(told.get(0).id, recipient, mail);
        }
    }

    /**
     * The tenant's settings; without a stored row, the defaults — recipients are then the tenant's
     * enabled admins, so a fresh tenant's alerts reach someone until an admin edits the list.
     */
    public AlertSettingsView settings() {
        return AlertSettingsView.of(settingsRow());
    }

    /** {@link #settings()} as the entity, for this feature's services (not stored when it is the defaults). */
    @SuppressWarnings("unchecked")
    AlertSettings settingsRow() {
        String tenant = currentTenant.require();
        AlertSettings s = AlertSettings.findById(tenant);
        if (s == null) {
            s = new AlertSettings();
            s.tenantId = tenant;
            s.unsaved(true);
            List<String> admins = Panache.getEntityManager().createNativeQuery("""
                    SELECT email FROM app_user WHERE tenant_id = ?1 AND role = 'ADMIN' AND NOT disabled ORDER BY email""")
                    .setParameter(1, tenant).getResultList();
            s.recipients = admins.toArray(String[]::new);
        }
        return s;
    }

    /** A page of alerts, newest activity first. */
    public Page<AlertView> list(Filter f) {
        Page.checkRequest(f.page(), f.size());
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters p = new Parameters();
        String state = f.state() == null ? "" : f.state().trim().toLowerCase();
        if (!state.isEmpty() && !state.equals("all")) {
            if (!List.of("open", "acknowledged", "resolved", "unresolved").contains(state)) {
                throw new BadInputException("state", "must be one of open, acknowledged, resolved, unresolved, all");
            }
            if (state.equals("unresolved")) {
                where.append(" and state <> :resolved");
                p.and("resolved", Alert.State.RESOLVED);
            } else {
                where.append(" and state = :state");
                p.and("state", Alert.State.valueOf(state.toUpperCase()));
            }
        }
        if (f.kind() != null && !f.kind().isBlank()) {
            if (!Alert.KINDS.contains(f.kind().trim())) {
                throw new BadInputException("kind", "must be one of " + String.join(", ", Alert.KINDS));
            }
            where.append(" and kind = :kind");
            p.and("kind", f.kind().trim());
        }
        if (f.serverId() != null) {
            where.append(" and serverId = :server");
            p.and("server", f.serverId());
        }
        if (f.from() != null) {
            where.append(" and lastOccurredAt >= :from");
            p.and("from", f.from());
        }
        if (f.to() != null) {
            where.append(" and lastOccurredAt < :to");
            p.and("to", f.to());
        }
        var query = Alert.<Alert> find(where.toString(), Sort.by("lastOccurredAt", Sort.Direction.Descending)
                .and("id"), p);
        long total = query.count();
        return new Page<>(query.page(io.quarkus.panache.common.Page.of(f.page(), f.size())).list(), total, f.page(),
                f.size()).map(AlertView::of);
    }

    /** The servers of the current tenant that have alerts, as id and hostname, by hostname (the list's filter). */
    public List<Map.Entry<UUID, String>> serversWithAlerts() {
        // Not the whole fleet: 10,000 options made the page 700 KiB and 400 ms at fleet scale (issue 17).
        List<UUID> ids = Alert.getEntityManager()
                .createQuery("select distinct a.serverId from Alert a where a.serverId is not null", UUID.class)
                .getResultList();
        return servers.hostnames(ids).entrySet().stream()
                .sorted(Map.Entry.<UUID, String> comparingByValue().thenComparing(e -> e.getKey().toString()))
                .map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    public long openCount() {
        return Alert.count("state = ?1", Alert.State.OPEN);
    }

    @Transactional
    public AlertView acknowledge(UUID id, String by) {
        Alert a = Alert.<Alert> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        if (a.state == Alert.State.RESOLVED) {
            throw new ConflictException("The alert is already resolved.");
        }
        if (a.state != Alert.State.ACKNOWLEDGED) {
            a.state = Alert.State.ACKNOWLEDGED;
            a.acknowledgedAt = Instant.now();
            a.acknowledgedBy = by;
        }
        return AlertView.of(a);
    }

    /**
     * Acknowledges every open alert among {@code ids} (at most 1,000); ids of resolved, already
     * acknowledged or unknown alerts (another tenant's included) are skipped. Returns how many changed.
     */
    @Transactional
    public int acknowledgeAll(List<UUID> ids, String by) {
        if (ids == null || ids.isEmpty()) {
            throw new BadInputException("ids", "is required: the alerts to acknowledge");
        }
        if (ids.size() > 1000) {
            throw new BadInputException("ids", "must be at most 1000 alerts");
        }
        return (int) Alert.update("state = ?5, acknowledgedAt = ?1, acknowledgedBy = ?2"
                + " where state = ?6 and id in ?3 and tenantId = ?4", Instant.now(), by, ids, currentTenant.require(),
                Alert.State.ACKNOWLEDGED, Alert.State.OPEN);
    }

    /** A query parameter that must be an id (null when blank); 400 naming it otherwise. */
    public static UUID parseId(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(field, "must be an id");
        }
    }

    /** A query parameter that must be an ISO-8601 time or a date (UTC midnight); null when blank. */
    public static Instant parseTime(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return java.time.LocalDate.parse(value.trim()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            } catch (java.time.format.DateTimeParseException e2) {
                throw new BadInputException(field, "must be an ISO-8601 time or date (2026-11-29T08:00:00Z)");
            }
        }
    }

    private static String shorten(String title) {
        return title.length() > 300 ? title.substring(0, 299) + "…" : title;
    }
}
