package dev.fleethook.job.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import dev.fleethook.fleet.AgentCredential;
import dev.fleethook.fleet.service.ChangeNotifier;
import dev.fleethook.protocol.EventBatch;
import dev.fleethook.protocol.EventBatchResponse;
import dev.fleethook.protocol.EventBatchResponse.Rejected;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.web.BadInputException;
import dev.fleethook.web.Problem.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Takes an agent's event batch in one transaction. Each event is inserted once — the unique event id
 * decides, not a look-up — and only new events are projected onto jobs, attempts and hook runs. Every
 * projection writes only the columns its event type owns, so events may arrive in any order.
 * <p>
 * Events are judged one by one: a malformed one (unknown type, missing or out-of-range field, another
 * server's job) is refused alone with its id and the reason, and the rest of the batch is taken, so one
 * bad event never holds back a server's later reports. Text from the agent is stored safely whatever it
 * holds ({@link EventSanitizer}): PostgreSQL refuses NUL characters and lone surrogates, so they are
 * replaced by visible stand-ins before anything is written.
 */
@ApplicationScoped
public class EventIngestion {

    /** Fired in the ingesting transaction for each job whose final outcome arrived (alerts listen). */
    public record JobFinished(String tenantId, UUID serverId, UUID jobId) {
    }

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    @Inject
    ChangeNotifier changes;

    @Inject
    Event<JobFinished> jobFinished;

    @Inject
    dev.fleethook.web.FleetMetrics metrics;

    /**
     * Ingests a batch as received ({@code {"events": [...]}}, at most {@link EventBatch#MAX_EVENTS}; the
     * caller checks the size). Throws {@link BadInputException} only when the body is not a batch at all.
     */
    @Transactional
    public EventBatchResponse ingest(AgentCredential agent, JsonNode body) {
        JsonNode list = body == null ? null : body.get("events");
        if (list == null || !list.isArray()) {
            throw new BadInputException("events", "is required: a list of events");
        }
        List<Rejected> rejected = new ArrayList<>();
        List<JobEvent> events = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            JobEvent e;
            try {
                e = EventSanitizer.parse(reader(), node);
            } catch (EventSanitizer.Refused r) {
                rejected.add(new Rejected(EventSanitizer.eventId(node), i, r.field, r.getMessage()));
                continue;
            }
            FieldError error = check(e);
            if (error != null) {
                rejected.add(new Rejected(e.eventId(), i, error.field(), error.message()));
                continue;
            }
            events.add(e);
            indexes.add(i);
        }
        try (Connection c = dataSource.getConnection()) {
            Set<UUID> jobIds = new LinkedHashSet<>();
            events.stream().filter(e -> e.jobId() != null).forEach(e -> jobIds.add(e.jobId()));
            Set<UUID> foreign = claimJobs(c, agent, jobIds);
            if (!foreign.isEmpty()) {
                List<JobEvent> own = new ArrayList<>();
                for (int k = 0; k < events.size(); k++) {
                    JobEvent e = events.get(k);
                    if (e.jobId() != null && foreign.contains(e.jobId())) {
                        rejected.add(new Rejected(e.eventId(), indexes.get(k), "jobId", "no such job on this server"));
                    } else {
                        own.add(e);
                    }
                }
                events = own;
            }
            // A step-output is a snapshot the next one replaces (newest by time wins), so it is projected
            // without a row in job_event: a long step's output is not kept dozens of times.
            List<JobEvent> fresh = new ArrayList<>(insertEvents(c, agent,
                    events.stream().filter(e -> e.type() != EventType.STEP_OUTPUT).toList()));
            events.stream().filter(e -> e.type() == EventType.STEP_OUTPUT).forEach(fresh::add);
            boolean acknowledged = false;
            for (JobEvent e : fresh) {
                acknowledged |= project(c, agent, e);
            }
            if (acknowledged) {
                changes.answer(agent.serverId());
            }
            rejected.sort(java.util.Comparator.comparingInt(Rejected::index));
            return new EventBatchResponse(fresh.size(), events.size() - fresh.size(), rejected);
        } catch (SQLException e) {
            throw new IllegalStateException("event ingestion failed", e);
        }
    }

    /** Events from newer agents may carry fields this portal does not know: they are ignored, not refused. */
    private ObjectReader reader() {
        return json.readerFor(JobEvent.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** What is wrong with one parsed event, or null. Limits are those of the columns the fields land in. */
    static FieldError check(JobEvent e) {
        if (e.eventId() == null) {
            return new FieldError("eventId", "is required");
        }
        if (e.type() == null) {
            return new FieldError("type", "is required");
        }
        if (e.time() == null) {
            return new FieldError("time", "is required");
        }
        if (e.time().isBefore(EARLIEST) || e.time().isAfter(LATEST)) {
            return new FieldError("time", "must be between the years 1970 and 9999");
        }
        boolean jobScoped = e.type() != EventType.COMMAND_ACKNOWLEDGED && e.type() != EventType.POLICY_REFUSED
                && e.type() != EventType.POLICY_ACCEPTED;
        if (jobScoped && e.jobId() == null) {
            return new FieldError("jobId", "is required for " + e.type().wire());
        }
        boolean attemptScoped = jobScoped && e.type() != EventType.JOB_STARTED && e.type() != EventType.JOB_FINISHED;
        if (attemptScoped && e.attempt() == null) {
            return new FieldError("attempt", "is required for " + e.type().wire() + " (1 to 100)");
        }
        if (e.attempt() != null && (e.attempt() < 1 || e.attempt() > 100)) {
            return new FieldError("attempt", "must be 1 to 100");
        }
        if (e.trigger() != null && e.trigger().length() > 16) {
            return new FieldError("trigger", "must be at most 16 characters");
        }
        if (e.maxAttempts() != null && (e.maxAttempts() < 1 || e.maxAttempts() > 100)) {
            return new FieldError("maxAttempts", "must be 1 to 100");
        }
        if (e.sourcePath() != null && e.sourcePath().length() > 1024) {
            return new FieldError("sourcePath", "must be at most 1,024 characters");
        }
        if (e.backupStatus() != null && !isBackupCode(e.backupStatus())) {
            return new FieldError("backupStatus", "must be a backup status code (0 to 5)");
        }
        switch (e.type()) {
            case SCRIPT_FINISHED -> {
                if (!"pre".equals(e.step()) && !"post".equals(e.step())) {
                    return new FieldError("step", "must be pre or post");
                }
                return checkResult(e, true);
            }
            case HOOK_FINISHED -> {
                if (e.phase() == null) {
                    return new FieldError("phase", "is required");
                }
                if (e.hookIndex() == null || e.hookIndex() < 0 || e.hookIndex() > 10_000) {
                    return new FieldError("hookIndex", "is required (0 to 10000)");
                }
                return checkResult(e, true);
            }
            case BACKUP_FINISHED -> {
                return checkResult(e, false);
            }
            case JOB_FINISHED -> {
                if (e.jobStatus() == null) {
                    return new FieldError("jobStatus", "is required");
                }
                if (e.jobStatus() == dev.fleethook.protocol.JobStatus.RUNNING
                        || e.jobStatus() == dev.fleethook.protocol.JobStatus.ABANDONED) {
                    return new FieldError("jobStatus", "must be a final outcome the agent saw");
                }
            }
            case STEP_STARTED -> {
                if (!List.of("pre", "backup", "post", "hook").contains(e.step())) {
                    return new FieldError("step", "must be pre, backup, post or hook");
                }
                if ("hook".equals(e.step()) && e.phase() == null) {
                    return new FieldError("phase", "is required for a hook step");
                }
            }
            case STEP_OUTPUT -> {
                if (!List.of("pre", "backup", "post").contains(e.step())) {
                    return new FieldError("step", "must be pre, backup or post");
                }
                if (e.output() == null) {
                    return new FieldError("output", "is required for step-output");
                }
            }
            case COMMAND_ACKNOWLEDGED -> {
                if (e.commandId() == null) {
                    return new FieldError("commandId", "is required");
                }
            }
            default -> {
            }
        }
        return null;
    }

    private static FieldError checkResult(JobEvent e, boolean script) {
        StepResult r = e.result();
        if (r == null) {
            return new FieldError("result", "is required for " + e.type().wire());
        }
        if (script ? !isScriptCode(r.status()) : !isBackupCode(r.status())) {
            return new FieldError("result.status", script ? "must be a script status code (0 to 4)"
                    : "must be a backup status code (0 to 5)");
        }
        return null;
    }

    private static boolean isBackupCode(int code) {
        return java.util.Arrays.stream(BackupStatus.values()).anyMatch(b -> b.code() == code);
    }

    private static boolean isScriptCode(int code) {
        return java.util.Arrays.stream(ScriptStatus.values()).anyMatch(b -> b.code() == code);
    }

    private static final java.time.Instant EARLIEST = java.time.Instant.parse("1970-01-01T00:00:00Z");
    private static final java.time.Instant LATEST = java.time.Instant.parse("9999-12-31T23:59:59Z");

    /** Creates the jobs this batch names; returns those that belong to another server (not found for this one). */
    private static Set<UUID> claimJobs(Connection c, AgentCredential agent, Set<UUID> jobIds) throws SQLException {
        Set<UUID> foreign = new HashSet<>();
        if (jobIds.isEmpty()) {
            return foreign;
        }
        UUID[] ids = jobIds.toArray(UUID[]::new);
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO job (id, tenant_id, server_id, updated_at)
                SELECT id, ?, ?, now() FROM unnest(?::uuid[]) AS id
                ON CONFLICT DO NOTHING""")) {
            s.setString(1, agent.tenantId());
            s.setObject(2, agent.serverId());
            s.setArray(3, c.createArrayOf("uuid", ids));
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id FROM job WHERE id = ANY(?::uuid[]) AND server_id <> ?")) {
            s.setArray(1, c.createArrayOf("uuid", ids));
            s.setObject(2, agent.serverId());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    foreign.add((UUID) r.getObject(1));
                }
            }
        }
        return foreign;
    }

    private List<JobEvent> insertEvents(Connection c, AgentCredential agent, List<JobEvent> events) throws SQLException {
        List<JobEvent> fresh = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO job_event (event_id, tenant_id, server_id, job_id, attempt, type, occurred_at, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (event_id) DO NOTHING""")) {
            for (JobEvent e : events) {
                s.setObject(1, e.eventId());
                s.setString(2, agent.tenantId());
                s.setObject(3, agent.serverId());
                s.setObject(4, e.jobId());
                if (e.attempt() == null) {
                    s.setNull(5, Types.INTEGER);
                } else {
                    s.setInt(5, e.attempt());
                }
                s.setString(6, e.type().wire());
                s.setTimestamp(7, Timestamp.from(e.time()));
                s.setString(8, toJson(e));
                s.addBatch();
            }
            int[] counts = s.executeBatch();
            Set<UUID> added = new HashSet<>();
            for (int i = 0; i < counts.length; i++) {
                JobEvent e = events.get(i);
                if (counts[i] > 0 && added.add(e.eventId())) {
                    fresh.add(e);
                }
            }
        }
        return fresh;
    }

    /** Applies one new event; true when it acknowledged a command. */
    private boolean project(Connection c, AgentCredential agent, JobEvent e) throws SQLException {
        Timestamp at = Timestamp.from(e.time());
        switch (e.type()) {
            // The policy is the server's own assignment, never the agent's word; the agent's revision
            // number is kept only when it names a revision of that policy.
            case JOB_STARTED -> update(c, """
                    UPDATE job SET policy_id = coalesce(job.policy_id, s.policy_id),
                           policy_revision = coalesce(job.policy_revision, CASE
                               WHEN s.policy_id = ?::uuid AND EXISTS (SELECT 1 FROM policy_revision r
                                    WHERE r.policy_id = s.policy_id AND r.number = ?::integer) THEN ?::integer
                               ELSE (SELECT p.current_revision FROM policy p WHERE p.id = s.policy_id) END),
                           trigger = coalesce(job.trigger, ?), max_attempts = coalesce(job.max_attempts, ?),
                           started_at = CASE WHEN job.missed THEN ? ELSE LEAST(coalesce(job.started_at, ?), ?) END,
                           status = CASE WHEN job.missed THEN 'RUNNING' ELSE job.status END, missed = false,
                           updated_at = now()
                      FROM server s
                     WHERE job.id = ? AND s.id = job.server_id""", e.policyId(), e.policyRevision(),
                    e.policyRevision(), e.trigger(), e.maxAttempts(), at, at, at, e.jobId());
            case ATTEMPT_STARTED -> attempt(c, agent, e, "started_at", at);
            case STEP_STARTED -> {
                attempt(c, agent, e, null, null);
                String step = "hook".equals(e.step()) ? "hook:" + e.phase().wire()
                        + (e.sourcePath() == null ? "" : ":" + truncate(e.sourcePath(), 1024)) : e.step();
                update(c, """
                        UPDATE job_attempt SET live_step = ?, live_step_at = ?, live_output = NULL, live_output_at = NULL
                         WHERE job_id = ? AND number = ? AND (live_step_at IS NULL OR live_step_at <= ?)""",
                        step, at, e.jobId(), e.attempt(), at);
            }
            case STEP_OUTPUT -> update(c, """
                    UPDATE job_attempt SET live_output = ?, live_output_at = ?
                     WHERE job_id = ? AND number = ? AND live_step = ? AND live_step_at <= ?
                       AND (live_output_at IS NULL OR live_output_at < ?)""",
                    e.output(), at, e.jobId(), e.attempt(), e.step(), at, at);
            case SCRIPT_FINISHED -> {
                attempt(c, agent, e, e.step(), json(e.result()));
                reevaluateIfFinished(c, agent, e);
            }
            case BACKUP_FINISHED -> {
                attempt(c, agent, e, "backup", json(e.result()));
                reevaluateIfFinished(c, agent, e);
            }
            case ATTEMPT_FINISHED -> {
                attempt(c, agent, e, "finished_at", at);
                if (e.finalAttempt() != null) {
                    attempt(c, agent, e, "final", e.finalAttempt());
                }
            }
            case HOOK_FINISHED -> {
                attempt(c, agent, e, null, null);
                update(c, """
                        INSERT INTO hook_run (tenant_id, job_id, attempt, phase, hook_index, source_path, result)
                        VALUES (?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT DO NOTHING""", agent.tenantId(), e.jobId(),
                        e.attempt(), e.phase().wire(), e.hookIndex(), e.sourcePath() == null ? "" : e.sourcePath(),
                        json(e.result()));
                reevaluateIfFinished(c, agent, e);
            }
            case JOB_FINISHED -> {
                update(c, """
                        UPDATE job SET status = ?, backup_status = coalesce(?, backup_status), missed = false,
                               finished_at = ?, attempts = GREATEST(attempts, coalesce(?, 0)), updated_at = now()
                         WHERE id = ?""", e.jobStatus().name(), e.backupStatus(), at, e.attempt(), e.jobId());
                update(c, "UPDATE job SET status_reason = NULL WHERE id = ?", e.jobId());
                markWarning(c, e.jobId());
                jobFinished.fire(new JobFinished(agent.tenantId(), agent.serverId(), e.jobId()));
                metrics.jobFinished(e.jobStatus().name());
            }
            case COMMAND_ACKNOWLEDGED -> {
                return update(c, """
                        UPDATE agent_command SET acknowledged_at = coalesce(acknowledged_at, ?)
                         WHERE id = ? AND server_id = ?""", at, e.commandId(), agent.serverId()) > 0;
            }
            case POLICY_ACCEPTED -> update(c, "UPDATE server SET last_refusal = NULL WHERE id = ?", agent.serverId());
            case POLICY_REFUSED -> update(c, "UPDATE server SET last_refusal = ? WHERE id = ?",
                    e.reason() == null ? "refused" : truncate(e.reason(), 1000), agent.serverId());
        }
        return false;
    }

    /** A step that arrives after its job's end (events may come in any order) is judged with it. */
    private void reevaluateIfFinished(Connection c, AgentCredential agent, JobEvent e) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT status FROM job WHERE id = ?")) {
            s.setObject(1, e.jobId());
            try (ResultSet r = s.executeQuery()) {
                if (r.next() && !"RUNNING".equals(r.getString(1))) {
                    markWarning(c, e.jobId());
                    jobFinished.fire(new JobFinished(agent.tenantId(), agent.serverId(), e.jobId()));
                }
            }
        }
    }

    /**
     * A job the agent reports succeeded whose last attempt has a failed or timed-out pre/post-script or
     * hook is a {@code warning}: the backup is fine, but someone must look. Derived here, not by the
     * agent, so that every agent version gets it and a late step report can still turn it amber.
     */
    private static void markWarning(Connection c, UUID jobId) throws SQLException {
        update(c, """
                UPDATE job j SET status = 'WARNING', updated_at = now()
                 WHERE j.id = ? AND j.status = 'SUCCEEDED' AND (
                       EXISTS (SELECT 1 FROM job_attempt a WHERE a.job_id = j.id AND a.number = j.attempts
                                 AND ((a.pre->>'status')::int IN (?, ?) OR (a.post->>'status')::int IN (?, ?)))
                    OR EXISTS (SELECT 1 FROM hook_run h WHERE h.job_id = j.id AND h.attempt = j.attempts
                                 AND (h.result->>'status')::int IN (?, ?)))""", jobId,
                ScriptStatus.FAILED.code(), ScriptStatus.TIMED_OUT.code(), ScriptStatus.FAILED.code(),
                ScriptStatus.TIMED_OUT.code(), ScriptStatus.FAILED.code(), ScriptStatus.TIMED_OUT.code());
    }

    /** Creates the attempt row if needed and sets one of its columns (pre, post, backup, started_at, ...). */
    private static void attempt(Connection c, AgentCredential agent, JobEvent e, String column, Object value)
            throws SQLException {
        String set = column == null ? "" : ", " + column + " = EXCLUDED." + column;
        String cast = column != null && (column.equals("pre") || column.equals("post") || column.equals("backup"))
                ? "::jsonb" : "";
        String columns = "tenant_id, job_id, number" + (column == null ? "" : ", " + column);
        String values = "?, ?, ?" + (column == null ? "" : ", ?" + cast);
        update(c, "INSERT INTO job_attempt (" + columns + ") VALUES (" + values + ") ON CONFLICT (job_id, number) DO "
                + (column == null ? "NOTHING" : "UPDATE SET " + set.substring(2)),
                column == null ? new Object[] { agent.tenantId(), e.jobId(), e.attempt() }
                        : new Object[] { agent.tenantId(), e.jobId(), e.attempt(), value });
        update(c, "UPDATE job SET attempts = GREATEST(attempts, ?), updated_at = now() WHERE id = ?", e.attempt(), e.jobId());
    }

    private static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p == null) {
                    s.setNull(i + 1, Types.NULL);
                } else {
                    s.setObject(i + 1, p);
                }
            }
            return s.executeUpdate();
        }
    }

    private String json(Object value) {
        return toJson(value);
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
