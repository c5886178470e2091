package dev.fleethook.alert.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.fleethook.alert.Alert;
import dev.fleethook.alert.AlertSettings;
import dev.fleethook.job.service.JobViews.JobDetail;
import dev.fleethook.job.service.EventIngestion;
import dev.fleethook.job.service.JobService;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.ScriptStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

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
 * <p>
 * This runs for every batch that ends a job, so it is plain SQL on the ingesting connection: one query
 * reads what every judged job's alerts depend on, then each job costs at most three statements (resolve,
 * count, open or group) and none when it changes nothing. Entities are loaded only to write an email.
 */
@ApplicationScoped
public class JobOutcomeAlerts {

    /** One failure of a job: its alert kind and the line that names it. */
    record Failure(String kind, String title) {
    }

    /** A failure counted on its alert: first means the alert was opened by this job. */
    record Counted(UUID alertId, Failure failure, boolean first, int occurrences) {
    }

    /**
     * What a finished job's alerts depend on: the job, its server's hostname, and its last attempt (the one
     * numbered {@code attempts}, else the highest) with the status codes of its steps (null: not reported),
     * how many of its hooks failed or timed out and the first of those in job order.
     */
    record Outcome(UUID jobId, UUID serverId, String hostname, JobStatus status, Integer backupStatus, int attempts,
            String trigger, String statusReason, boolean hasAttempt, Integer pre, Integer backup, Integer post,
            int failedHooks, String firstHookPhase, Integer firstHookStatus) {
    }

    /** The codes of {@link ScriptStatus#FAILURES}. */
    private static final Integer[] FAILURE_CODES = ScriptStatus.FAILURES.stream().map(ScriptStatus::code)
            .toArray(Integer[]::new);

    private static final String[] HOOK_ORDER = HookPhase.JOB_ORDER.stream().map(HookPhase::wire).toArray(String[]::new);

    @Inject
    DataSource dataSource;

    @Inject
    AlertService alerts;

    @Inject
    JobService jobs;

    @Inject
    OutboxService outbox;

    @Inject
    EmailRenderer renderer;

    @Inject
    AlertMetrics metrics;

    @ConfigProperty(name = "fleethook.portal.base-url")
    String baseUrl;

    /** Judges the batch's finished (or abandoned) jobs in order, in the transaction that recorded their end. */
    void onJobsFinished(@Observes EventIngestion.JobsFinished event) {
        if (event.jobIds().isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            Map<UUID, Set<String>> open = new HashMap<>();
            for (Outcome job : outcomes(c, event.jobIds(), open)) {
                judge(c, event.tenantId(), job, open.get(job.serverId()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("alert evaluation failed", e);
        }
    }

    /**
     * {@link #outcomes}'s statement: the jobs are found by key ({@code j.id = ANY(...)}), an index scan whatever the
     * table's statistics say. Joined with the unnested ids instead, it was planned as a scan of the whole job table
     * while the table was small. {@code OutcomesPlanTest} checks the plan.
     */
    static final String OUTCOMES = """
        SELECT j.id, j.server_id, s.hostname, j.status, j.backup_status, j.attempts, j.trigger, j.status_reason,
               a.number IS NOT NULL, (a.pre->>'status')::int, (a.backup->>'status')::int,
               (a.post->>'status')::int, coalesce(h.failed, 0), h.phase, h.status,
               ARRAY(SELECT o.kind FROM alert o WHERE o.server_id = j.server_id AND o.state <> 'RESOLVED')
          FROM job j
          JOIN server s ON s.id = j.server_id
          LEFT JOIN LATERAL (SELECT x.number, x.pre, x.backup, x.post FROM job_attempt x WHERE x.job_id = j.id
                              ORDER BY x.number = j.attempts DESC, x.number DESC LIMIT 1) a ON true
          LEFT JOIN LATERAL (SELECT count(*) OVER () AS failed, y.phase, (y.result->>'status')::int AS status
                               FROM hook_run y
                              WHERE y.job_id = j.id AND y.attempt = a.number
                                AND (y.result->>'status')::int = ANY(?::int[])
                              ORDER BY coalesce(array_position(?::text[], y.phase::text), ?), y.hook_index,
                                       y.source_path
                              LIMIT 1) h ON true
         WHERE j.id = ANY(?::uuid[]) AND j.status <> 'RUNNING'""";

    /**
     * The finished jobs among {@code jobIds}, in that order (running ones are skipped: nothing is judged
     * before the end); fills {@code open} with the kinds of each server's unresolved alerts.
     */
    private static List<Outcome> outcomes(Connection c, List<UUID> jobIds, Map<UUID, Set<String>> open)
            throws SQLException {
        List<Outcome> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(OUTCOMES)) {
            s.setArray(1, c.createArrayOf("int4", FAILURE_CODES));
            s.setArray(2, c.createArrayOf("text", HOOK_ORDER));
            s.setInt(3, HOOK_ORDER.length);
            s.setArray(4, c.createArrayOf("uuid", jobIds.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    UUID server = (UUID) r.getObject(2);
                    out.add(new Outcome((UUID) r.getObject(1), server, r.getString(3), JobStatus.valueOf(r.getString(4)),
                            (Integer) r.getObject(5), r.getInt(6), r.getString(7), r.getString(8), r.getBoolean(9),
                            (Integer) r.getObject(10), (Integer) r.getObject(11), (Integer) r.getObject(12), r.getInt(13),
                            r.getString(14), (Integer) r.getObject(15)));
                    open.computeIfAbsent(server, k -> new HashSet<>()).addAll(List.of((String[]) r.getArray(16).getArray()));
                }
            }
        }
        // The statement finds the jobs by key, in no particular order: judged in the batch's order.
        Map<UUID, Integer> position = new HashMap<>();
        for (int i = jobIds.size() - 1; i >= 0; i--) {
            position.put(jobIds.get(i), i);
        }
        out.sort(Comparator.comparingInt(o -> position.get(o.jobId())));
        return out;
    }

    /** Resolves what the job's success ends, counts its failures and emails the alerts it opened. */
    private void judge(Connection c, String tenantId, Outcome job, Set<String> open) throws SQLException {
        List<Failure> failures = failures(job);
        Set<String> raised = new LinkedHashSet<>();
        failures.forEach(f -> raised.add(f.kind()));
        boolean backupSucceeded = job.backupStatus() != null && job.backupStatus() == BackupStatus.SUCCEEDED.code()
                && (job.status() == JobStatus.SUCCEEDED || job.status() == JobStatus.WARNING);
        List<String> ends = List.of();
        if (backupSucceeded) {
            ends = Alert.KINDS.stream().filter(k -> !k.equals(Alert.AGENT_OFFLINE) && !raised.contains(k)).toList();
        } else if (job.status() != JobStatus.ABANDONED && !raised.contains(Alert.JOB_ABANDONED)) {
            // The agent reports again: what it had abandoned is over.
            ends = List.of(Alert.JOB_ABANDONED);
        }
        List<String> toResolve = ends.stream().filter(open::contains).toList();
        if (!toResolve.isEmpty()) {
            List<AlertService.ResolvedAlert> resolved = resolve(c, job.serverId(), toResolve);
            open.removeAll(toResolve);
            alerts.announceRecovery(job.serverId(), job.hostname(), resolved);
        }
        if (failures.isEmpty()) {
            return;
        }
        List<Counted> counted = count(c, tenantId, job, failures);
        counted.forEach(k -> open.add(k.failure().kind()));
        if (counted.stream().anyMatch(Counted::first)) {
            notifyJob(c, job, counted);
        }
    }

    /** The failures of a job's last attempt, worst first. */
    static List<Failure> failures(Outcome job) {
        String host = job.hostname();
        List<Failure> out = new ArrayList<>();
        if (job.status() == JobStatus.ABANDONED) {
            out.add(new Failure(Alert.JOB_ABANDONED, "Job abandoned on " + host + ": "
                    + (job.statusReason() == null ? "the agent stopped reporting it" : job.statusReason())));
            return out;
        }
        boolean hookJob = "agent-start".equals(job.trigger());
        boolean backupFailed = job.backupStatus() == null || job.backupStatus() != BackupStatus.SUCCEEDED.code();
        if (!hookJob && backupFailed && job.status() != JobStatus.CANCELED) {
            String backup = job.backupStatus() == null ? "N/A" : label(job.backupStatus(), true);
            out.add(new Failure(Alert.JOB_FAILED, "Backup " + backup + " on " + host + " after " + job.attempts()
                    + " attempt" + (job.attempts() == 1 ? "" : "s")));
        }
        if (job.hasAttempt()) {
            Integer pre = job.pre();
            Integer post = job.post();
            Integer backup = job.backup();
            if (ScriptStatus.failedOrTimedOut(pre)) {
                out.add(new Failure(Alert.PRE_SCRIPT_FAILED, "Pre-script " + label(pre, false) + " on " + host));
            }
            if (pre != null && pre == ScriptStatus.SKIPPED.code() && backup != null
                    && backup == BackupStatus.NOT_EXECUTED.code()) {
                out.add(new Failure(Alert.SCRIPT_MISSING, "Pre-script missing on " + host + ": the backup was skipped"));
            }
            if (job.failedHooks() > 0) {
                String what = job.failedHooks() == 1 ? job.firstHookPhase() + " hook " + label(job.firstHookStatus(), false)
                        : job.failedHooks() + " hooks failed (first: " + job.firstHookPhase() + ")";
                out.add(new Failure(Alert.HOOK_FAILED, capitalize(what) + " on " + host));
            }
            if (ScriptStatus.failedOrTimedOut(post)) {
                out.add(new Failure(Alert.POST_SCRIPT_FAILED, "Post-script " + label(post, false) + " on " + host));
            }
        }
        out.sort(Comparator.comparingInt(f -> Alert.severity(f.kind())));
        return out;
    }

    /** The job page's name for a status code ("Failed", "TimedOut"); "Unknown" for a code no status has. */
    private static String label(int code, boolean backup) {
        try {
            return backup ? BackupStatus.ofCode(code).label() : ScriptStatus.ofCode(code).label();
        } catch (IllegalArgumentException e) {
            return "Unknown";
        }
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Resolves the server's unresolved alerts of these kinds; returns them as they are now. */
    private static List<AlertService.ResolvedAlert> resolve(Connection c, UUID serverId, List<String> kinds)
            throws SQLException {
        List<AlertService.ResolvedAlert> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE alert SET state = 'RESOLVED', resolved_at = now()
                 WHERE server_id = ? AND state <> 'RESOLVED' AND kind = ANY(?::text[])
                RETURNING id, kind, title, occurrences, last_notified_at""")) {
            s.setObject(1, serverId);
            s.setArray(2, c.createArrayOf("text", kinds.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    java.sql.Timestamp told = r.getTimestamp(5);
                    out.add(new AlertService.ResolvedAlert((UUID) r.getObject(1), r.getString(2), r.getString(3),
                            r.getInt(4), told == null ? null : told.toInstant()));
                }
            }
        }
        return out;
    }

    /**
     * Counts the job's failures on the server's open alerts of their kinds, opening those that are not open;
     * a kind this job was already counted for is skipped (the occurrence's key decides, so concurrent
     * evaluations of one job count it once). Returns what was counted, in the order of {@code failures}.
     */
    private List<Counted> count(Connection c, String tenantId, Outcome job, List<Failure> failures)
            throws SQLException {
        Set<String> fresh = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO alert_occurrence (tenant_id, job_id, kind, occurred_at)
                SELECT ?, ?, kind, now() FROM unnest(?::text[]) AS kind
                ON CONFLICT DO NOTHING RETURNING kind""")) {
            s.setString(1, tenantId);
            s.setObject(2, job.jobId());
            s.setArray(3, c.createArrayOf("text", failures.stream().map(Failure::kind).toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    fresh.add(r.getString(1));
                }
            }
        }
        List<Failure> counting = failures.stream().filter(f -> fresh.contains(f.kind())).toList();
        if (counting.isEmpty()) {
            return List.of();
        }
        int n = counting.size();
        UUID[] ids = new UUID[n];
        String[] kinds = new String[n];
        String[] dedupe = new String[n];
        String[] titles = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = UUID.randomUUID();
            kinds[i] = counting.get(i).kind();
            dedupe[i] = "alert:" + UUID.randomUUID();
            titles[i] = AlertService.shorten(counting.get(i).title());
        }
        Map<String, Counted> byKind = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("""
                WITH counted AS (
                    INSERT INTO alert (id, tenant_id, server_id, job_id, last_job_id, kind, dedupe_key, state, title,
                                       created_at, occurrences, last_occurred_at, unnotified)
                    SELECT u.id, ?, ?, ?, ?, u.kind, u.dedupe, 'OPEN', u.title, now(), 1, now(), 0
                      FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[]) AS u(id, kind, dedupe, title)
                    ON CONFLICT (server_id, kind) WHERE state <> 'RESOLVED' AND kind <> 'agent-offline'
                    DO UPDATE SET occurrences = alert.occurrences + 1, last_occurred_at = now(),
                                  last_job_id = EXCLUDED.last_job_id, unnotified = alert.unnotified + 1,
                                  title = EXCLUDED.title
                    RETURNING id, kind, (xmax = 0) AS inserted, occurrences),
                linked AS (
                    UPDATE alert_occurrence o SET alert_id = counted.id FROM counted
                     WHERE o.job_id = ? AND o.kind = counted.kind)
                SELECT id, kind, inserted, occurrences FROM counted""")) {
            s.setString(1, tenantId);
            s.setObject(2, job.serverId());
            s.setObject(3, job.jobId());
            s.setObject(4, job.jobId());
            s.setArray(5, c.createArrayOf("uuid", ids));
            s.setArray(6, c.createArrayOf("text", kinds));
            s.setArray(7, c.createArrayOf("text", dedupe));
            s.setArray(8, c.createArrayOf("text", titles));
            s.setObject(9, job.jobId());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String kind = r.getString(2);
                    Failure f = counting.stream().filter(x -> x.kind().equals(kind)).findFirst().orElseThrow();
                    byKind.put(kind, new Counted((UUID) r.getObject(1), f, r.getBoolean(3), r.getInt(4)));
                }
            }
        }
        List<Counted> out = new ArrayList<>();
        for (Failure f : counting) {
            Counted k = byKind.get(f.kind());
            out.add(k);
            if (k.first()) {
                metrics.alertRaised(f.kind());
            }
        }
        return out;
    }

    /** One email per recipient for the job, naming every failure; its alerts count as notified now. */
    private void notifyJob(Connection c, Outcome job, List<Counted> counted) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE alert SET last_notified_at = now(), unnotified = 0 WHERE id = ANY(?::uuid[])")) {
            s.setArray(1, c.createArrayOf("uuid", counted.stream().map(Counted::alertId).toArray()));
            s.executeUpdate();
        }
        AlertSettings settings = alerts.settingsRow();
        List<Counted> wanted = counted.stream().filter(k -> settings.wants(k.failure().kind())).toList();
        if (wanted.isEmpty() || settings.recipients.length == 0) {
            return;
        }
        JobDetail detail = jobs.detail(job.jobId());
        Counted worst = wanted.get(0);
        String subject = worst.failure().title() + (wanted.size() > 1 ? " (+" + (wanted.size() - 1) + " more)" : "");
        List<String> problems = wanted.stream().map(k -> k.failure().title()
                + (k.occurrences() > 1 ? " — repeated: " + k.occurrences() + " times while open" : "")).toList();
        EmailRenderer.Rendered mail = renderer.render(alerts.mail(subject, worst.failure().title(), job.serverId(),
                detail, null, baseUrl + "/jobs/" + job.jobId(), problems));
        for (String recipient : settings.recipients) {
            outbox.enqueue(worst.alertId(), recipient, mail);
        }
    }
}
