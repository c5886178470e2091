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
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.fleet.AgentCredential;
import dev.fleethook.fleet.service.ChangeNotifier;
import dev.fleethook.protocol.EventBatch;
import dev.fleethook.protocol.EventBatchResponse;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.web.BadInputException;
import dev.fleethook.web.Problem.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.NotFoundException;

/**
 * Takes an agent's event batch in one transaction. Each event is inserted once — the unique event id
 * decides, not a look-up — and only new events are projected onto jobs, attempts and hook runs. Every
 * projection writes only the columns its event type owns, so events may arrive in any order.
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

    @Transactional
    public EventBatchResponse ingest(AgentCredential agent, EventBatch batch) {
        List<JobEvent> events = validate(batch);
        try (Connection c = dataSource.getConnection()) {
            Set<UUID> jobIds = new LinkedHashSet<>();
            events.stream().filter(e -> e.jobId() != null).forEach(e -> jobIds.add(e.jobId()));
            claimJobs(c, agent, jobIds);
            List<JobEvent> fresh = insertEvents(c, agent, events);
            boolean acknowledged = false;
            for (JobEvent e : fresh) {
                acknowledged |= project(c, agent, e);
            }
            if (acknowledged) {
                changes.answer(agent.serverId());
            }
            return new EventBatchResponse(fresh.size(), events.size() - fresh.size());
        } catch (SQLException e) {
            throw new IllegalStateException("event ingestion failed", e);
        }
    }

    private static List<JobEvent> validate(EventBatch batch) {
        if (batch == null || batch.events() == null) {
            throw new BadInputException("events", "is required: a list of events");
        }
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < batch.events().size(); i++) {
            JobEvent e = batch.events().get(i);
            String at = "events[" + i + "].";
            if (e == null) {
                errors.add(new FieldError("events[" + i + "]", "must not be null"));
                continue;
            }
            if (e.eventId() == null) {
                errors.add(new FieldError(at + "eventId", "is required"));
            }
            if (e.type() == null) {
                errors.add(new FieldError(at + "type", "is required"));
                continue;
            }
            if (e.time() == null) {
                errors.add(new FieldError(at + "time", "is required"));
            }
            boolean jobScoped = e.type() != EventType.COMMAND_ACKNOWLEDGED && e.type() != EventType.POLICY_REFUSED
                    && e.type() != EventType.POLICY_ACCEPTED;
            if (jobScoped && e.jobId() == null) {
                errors.add(new FieldError(at + "jobId", "is required for " + e.type().wire()));
            }
            boolean attemptScoped = jobScoped && e.type() != EventType.JOB_STARTED && e.type() != EventType.JOB_FINISHED;
            if (attemptScoped && (e.attempt() == null || e.attempt() < 1 || e.attempt() > 100)) {
                errors.add(new FieldError(at + "attempt", "is required for " + e.type().wire() + " (1 to 100)"));
            }
            switch (e.type()) {
                case SCRIPT_FINISHED -> {
                    if (!"pre".equals(e.step()) && !"post".equals(e.step())) {
                        errors.add(new FieldError(at + "step", "must be pre or post"));
                    }
                    requireResult(e, at, errors);
                }
                case HOOK_FINISHED -> {
                    if (e.phase() == null) {
                        errors.add(new FieldError(at + "phase", "is required"));
                    }
                    if (e.hookIndex() == null || e.hookIndex() < 0) {
                        errors.add(new FieldError(at + "hookIndex", "is required (0 or more)"));
                    }
                    requireResult(e, at, errors);
                }
                case BACKUP_FINISHED -> requireResult(e, at, errors);
                case JOB_FINISHED -> {
                    if (e.jobStatus() == null) {
                        errors.add(new FieldError(at + "jobStatus", "is required"));
                    }
                }
                case COMMAND_ACKNOWLEDGED -> {
                    if (e.commandId() == null) {
                        errors.add(new FieldError(at + "commandId", "is required"));
                    }
                }
                default -> {
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new BadInputException(errors);
        }
        return batch.events();
    }

    private static void requireResult(JobEvent e, String at, List<FieldError> errors) {
        StepResult r = e.result();
        if (r == null) {
            errors.add(new FieldError(at + "result", "is required for " + e.type().wire()));
        } else if (r.outputTail() != null && r.outputTail().length() > StepResult.MAX_OUTPUT_TAIL) {
            errors.add(new FieldError(at + "result.outputTail", "must be at most 16 KiB (send the last 16 KiB)"));
        } else if (r.detail() != null && r.detail().length() > 4000) {
            errors.add(new FieldError(at + "result.detail", "must be at most 4000 characters"));
        }
    }

    /** Creates the jobs this batch names; a job of another server is not found (404), whoever asks. */
    private static void claimJobs(Connection c, AgentCredential agent, Set<UUID> jobIds) throws SQLException {
        if (jobIds.isEmpty()) {
            return;
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
                "SELECT count(*) FROM job WHERE id = ANY(?::uuid[]) AND server_id <> ?")) {
            s.setArray(1, c.createArrayOf("uuid", ids));
            s.setObject(2, agent.serverId());
            try (ResultSet r = s.executeQuery()) {
                r.next();
                if (r.getLong(1) > 0) {
                    throw new NotFoundException("A job of this batch does not exist for this server.");
                }
            }
        }
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
            case JOB_STARTED -> update(c, """
                    UPDATE job SET policy_id = coalesce(policy_id, ?), policy_revision = coalesce(policy_revision, ?),
                           trigger = coalesce(trigger, ?), max_attempts = coalesce(max_attempts, ?),
                           started_at = CASE WHEN missed THEN ? ELSE LEAST(coalesce(started_at, ?), ?) END,
                           status = CASE WHEN missed THEN 'RUNNING' ELSE status END, missed = false, updated_at = now()
                     WHERE id = ?""", e.policyId(), e.policyRevision(), e.trigger(), e.maxAttempts(), at, at, at,
                    e.jobId());
            case ATTEMPT_STARTED -> attempt(c, agent, e, "started_at", at);
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
            }
            case JOB_FINISHED -> {
                update(c, """
                        UPDATE job SET status = ?, backup_status = coalesce(?, backup_status), missed = false,
                               finished_at = ?, attempts = GREATEST(attempts, coalesce(?, 0)), updated_at = now()
                         WHERE id = ?""", e.jobStatus().name(), e.backupStatus(), at, e.attempt(), e.jobId());
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
                    jobFinished.fire(new JobFinished(agent.tenantId(), agent.serverId(), e.jobId()));
                }
            }
        }
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
