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
import dev.fleethook.fleet.service.AgentEventReceiver;
import dev.fleethook.fleet.service.ChangeNotifier;
import dev.fleethook.protocol.EventBatch;
import dev.fleethook.protocol.EventBatchResponse;
import dev.fleethook.protocol.EventBatchResponse.Rejected;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.Problem.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Takes an agent's event batch in one transaction. Each event is inserted once — its event id, unique per
 * server, decides, not a look-up — and only new events are projected onto jobs, attempts and hook runs. Every
 * projection writes only the columns its event type owns, so events may arrive in any order.
 * <p>
 * Events are judged one by one: a malformed one (unknown type, missing or out-of-range field, another
 * server's job) is refused alone with its id and the reason, and the rest of the batch is taken, so one
 * bad event never holds back a server's later reports. Text from the agent is stored safely whatever it
 * holds ({@link EventSanitizer}): PostgreSQL refuses NUL characters and lone surrogates, so they are
 * replaced by visible stand-ins before anything is written.
 */
@ApplicationScoped
public class EventIngestion implements AgentEventReceiver {

    /**
     * Fired once per batch, in the ingesting transaction, with the server's jobs to judge (alerts listen): those
     * whose final outcome arrived and those already over that a late step report touched, in batch order.
     */
    public record JobsFinished(String tenantId, UUID serverId, List<UUID> jobIds) {
    }

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    @Inject
    ChangeNotifier changes;

    @Inject
    Event<JobsFinished> jobsFinished;

    @Inject
    JobMetrics metrics;

    /**
     * Ingests a batch as received ({@code {"events": [...]}}, at most {@link EventBatch#MAX_EVENTS}; the
     * caller checks the size). Throws {@link BadInputException} only when the body is not a batch at all.
     */
    @Override
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
            genericPlans(c);
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
            if (project(c, agent, fresh)) {
                changes.answer(agent.serverId());
            }
            rejected.sort(java.util.Comparator.comparingInt(Rejected::index));
            return new EventBatchResponse(fresh.size(), events.size() - fresh.size(), rejected);
        } catch (SQLException e) {
            throw new IllegalStateException("event ingestion failed", e);
        }
    }

    /**
     * Lets this transaction's prepared statements (ingestion's and the alert evaluation's, on the same enlisted
     * connection) reuse their generic plans. Each takes its rows as arrays, and PostgreSQL, seeing a one-element
     * array in every custom plan and guessing a hundred for a generic one, otherwise plans them again on each
     * batch: about 1 ms of planning per batch for the alert read alone (pg_stat_statements in FleetBenchmark).
     * Every statement here finds its rows by primary key or an equally selective index whatever the array holds.
     * {@code SET LOCAL} ends with the transaction, so no other borrower of the connection sees it.
     */
    private static void genericPlans(Connection c) throws SQLException {
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        }
    }

    /** Events from newer agents may carry fields this portal does not know: they are ignored, not refused. */
    private ObjectReader reader() {
        ObjectReader r = eventReader;
        if (r == null) {
            r = json.readerFor(JobEvent.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
            eventReader = r;
        }
        return r;
    }

    private volatile ObjectReader eventReader;

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
                && e.type() != EventType.POLICY_ACCEPTED && e.type() != EventType.TEST_RUN_FINISHED;
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
            case TEST_RUN_FINISHED -> {
                if (e.commandId() == null) {
                    return new FieldError("commandId", "is required: the test run's id");
                }
                return checkResult(e, true);
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
        // One round trip: the SELECT sees the table as it was before this statement, so each id is either
        // created here, or existed (this server's or another's). An id that is neither was created by a
        // concurrent transaction this statement could not see: asked again in a rare second query.
        Set<UUID> known = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("""
                WITH created AS (
                    INSERT INTO job (id, tenant_id, server_id, updated_at)
                    SELECT id, ?, ?, now() FROM unnest(?::uuid[]) AS id
                    ON CONFLICT DO NOTHING RETURNING id)
                SELECT id, true FROM created
                UNION ALL
                SELECT id, server_id = ? FROM job WHERE id = ANY(?::uuid[])""")) {
            java.sql.Array array = c.createArrayOf("uuid", ids);
            s.setString(1, agent.tenantId());
            s.setObject(2, agent.serverId());
            s.setArray(3, array);
            s.setObject(4, agent.serverId());
            s.setArray(5, array);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    UUID id = (UUID) r.getObject(1);
                    known.add(id);
                    if (!r.getBoolean(2)) {
                        foreign.add(id);
                    }
                }
            }
        }
        if (known.size() < jobIds.size()) {
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
        }
        return foreign;
    }

    /**
     * Records the events in the ledger {@code job_event} in one statement (arrays unnested, {@code ON CONFLICT DO
     * NOTHING}) and returns those that were new, in batch order: the event id, unique per server (the key is
     * {@code (server_id, event_id)}), decides, so a replay or a repeat inside one batch inserts nothing. The ledger
     * keeps each event's id, server, job, attempt, type and times, not its content: what an event says is in the
     * projections ({@code V17}).
     */
    private List<JobEvent> insertEvents(Connection c, AgentCredential agent, List<JobEvent> events) throws SQLException {
        List<JobEvent> fresh = new ArrayList<>();
        if (events.isEmpty()) {
            return fresh;
        }
        int n = events.size();
        UUID[] ids = new UUID[n];
        UUID[] jobs = new UUID[n];
        Integer[] attempts = new Integer[n];
        String[] types = new String[n];
        String[] times = new String[n];
        for (int i = 0; i < n; i++) {
            JobEvent e = events.get(i);
            ids[i] = e.eventId();
            jobs[i] = e.jobId();
            attempts[i] = e.attempt();
            types[i] = e.type().wire();
            times[i] = e.time().toString();
        }
        Set<UUID> inserted = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO job_event (event_id, tenant_id, server_id, job_id, attempt, type, occurred_at)
                SELECT u.id, ?, ?, u.job, u.attempt, u.type, u.at
                  FROM unnest(?::uuid[], ?::uuid[], ?::int[], ?::text[], ?::timestamptz[])
                       AS u(id, job, attempt, type, at)
                ON CONFLICT (server_id, event_id) DO NOTHING RETURNING event_id""")) {
            s.setString(1, agent.tenantId());
            s.setObject(2, agent.serverId());
            s.setArray(3, c.createArrayOf("uuid", ids));
            s.setArray(4, c.createArrayOf("uuid", jobs));
            s.setArray(5, c.createArrayOf("int4", attempts));
            s.setArray(6, c.createArrayOf("text", types));
            s.setArray(7, c.createArrayOf("text", times));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    inserted.add((UUID) r.getObject(1));
                }
            }
        }
        for (JobEvent e : events) {
            if (inserted.remove(e.eventId())) {
                fresh.add(e);
            }
        }
        return fresh;
    }

    /** What a batch's new events set on one attempt; a column stays null (untouched) unless an event owns it. */
    private static final class AttemptPatch {
        final UUID jobId;
        final int number;
        /** ISO-8601 instants: cheaper to send than {@link Timestamp}s, which the driver formats with a calendar. */
        String startedAt;
        String finishedAt;
        String pre;
        String backup;
        String post;
        Boolean finalAttempt;

        AttemptPatch(UUID jobId, int number) {
            this.jobId = jobId;
            this.number = number;
        }
    }

    /**
     * Applies a batch's new events with a fixed number of statements, whatever the batch size: all attempt
     * columns, hook runs and attempt counts in one statement, then each job start and end; then fires one
     * {@link JobsFinished} for the jobs to judge. Every statement writes only the columns its events own (later
     * events of a batch win over earlier ones, as they would one by one), so the order events arrive in does
     * not matter. Returns true when an event acknowledged a command.
     */
    private boolean project(Connection c, AgentCredential agent, List<JobEvent> fresh) throws SQLException {
        java.util.Map<String, AttemptPatch> patches = new java.util.LinkedHashMap<>();
        Set<UUID> stepped = new LinkedHashSet<>();
        List<JobEvent> hooks = new ArrayList<>();
        List<JobEvent> singles = new ArrayList<>();
        boolean acknowledged = false;
        for (JobEvent e : fresh) {
            switch (e.type()) {
                case ATTEMPT_STARTED, SCRIPT_FINISHED, BACKUP_FINISHED, ATTEMPT_FINISHED, HOOK_FINISHED -> {
                    AttemptPatch a = patches.computeIfAbsent(e.jobId() + "/" + e.attempt(),
                            k -> new AttemptPatch(e.jobId(), e.attempt()));
                    switch (e.type()) {
                        case ATTEMPT_STARTED -> a.startedAt = e.time().toString();
                        case SCRIPT_FINISHED -> {
                            if ("pre".equals(e.step())) {
                                a.pre = json(e.result());
                            } else {
                                a.post = json(e.result());
                            }
                            stepped.add(e.jobId());
                        }
                        case BACKUP_FINISHED -> {
                            a.backup = json(e.result());
                            stepped.add(e.jobId());
                        }
                        case ATTEMPT_FINISHED -> {
                            a.finishedAt = e.time().toString();
                            if (e.finalAttempt() != null) {
                                a.finalAttempt = e.finalAttempt();
                            }
                        }
                        default -> {
                            hooks.add(e);
                            stepped.add(e.jobId());
                        }
                    }
                }
                case STEP_STARTED, STEP_OUTPUT -> {
                    // The live view of a running step (the job page): the attempt row must exist first.
                    patches.computeIfAbsent(e.jobId() + "/" + e.attempt(), k -> new AttemptPatch(e.jobId(), e.attempt()));
                    singles.add(e);
                }
                default -> singles.add(e);
            }
        }
        writeAttempts(c, agent, patches.values(), hooks);
        Set<UUID> judged = new LinkedHashSet<>();
        for (JobEvent e : singles) {
            acknowledged |= projectSingle(c, agent, e);
            if (e.type() == EventType.JOB_FINISHED) {
                judged.add(e.jobId());
            }
        }
        stepped.removeAll(judged);
        judged.addAll(overAndRejudged(c, stepped));
        if (!judged.isEmpty()) {
            jobsFinished.fire(new JobsFinished(agent.tenantId(), agent.serverId(), List.copyOf(judged)));
        }
        return acknowledged;
    }

    /**
     * One statement for every attempt the batch touches: the attempts' upsert (a null column keeps what is
     * stored), the hook runs' insert (a run already stored is kept: first report wins), and each job's attempt
     * count raised to the highest attempt reported (never lowered).
     */
    private void writeAttempts(Connection c, AgentCredential agent, java.util.Collection<AttemptPatch> patches,
            List<JobEvent> hooks) throws SQLException {
        if (patches.isEmpty()) {
            return; // every hook run is also an attempt patch
        }
        int n = patches.size();
        UUID[] jobs = new UUID[n];
        Integer[] numbers = new Integer[n];
        String[] started = new String[n];
        String[] ended = new String[n];
        String[] pre = new String[n];
        String[] backup = new String[n];
        String[] post = new String[n];
        Boolean[] last = new Boolean[n];
        int i = 0;
        for (AttemptPatch a : patches) {
            jobs[i] = a.jobId;
            numbers[i] = a.number;
            started[i] = a.startedAt;
            ended[i] = a.finishedAt;
            pre[i] = a.pre;
            backup[i] = a.backup;
            post[i] = a.post;
            last[i] = a.finalAttempt;
            i++;
        }
        int h = hooks.size();
        UUID[] hookJobs = new UUID[h];
        Integer[] hookAttempts = new Integer[h];
        String[] phases = new String[h];
        Integer[] indexes = new Integer[h];
        String[] paths = new String[h];
        String[] results = new String[h];
        for (int k = 0; k < h; k++) {
            JobEvent e = hooks.get(k);
            hookJobs[k] = e.jobId();
            hookAttempts[k] = e.attempt();
            phases[k] = e.phase().wire();
            indexes[k] = e.hookIndex();
            paths[k] = e.sourcePath() == null ? "" : e.sourcePath();
            results[k] = json(e.result());
        }
        try (PreparedStatement s = c.prepareStatement(WRITE_ATTEMPTS)) {
            s.setString(1, agent.tenantId());
            s.setArray(2, c.createArrayOf("uuid", jobs));
            s.setArray(3, c.createArrayOf("int4", numbers));
            s.setArray(4, c.createArrayOf("text", started));
            s.setArray(5, c.createArrayOf("text", ended));
            s.setArray(6, c.createArrayOf("text", pre));
            s.setArray(7, c.createArrayOf("text", backup));
            s.setArray(8, c.createArrayOf("text", post));
            s.setArray(9, c.createArrayOf("bool", last));
            s.setString(10, agent.tenantId());
            s.setArray(11, c.createArrayOf("uuid", hookJobs));
            s.setArray(12, c.createArrayOf("int4", hookAttempts));
            s.setArray(13, c.createArrayOf("text", phases));
            s.setArray(14, c.createArrayOf("int4", indexes));
            s.setArray(15, c.createArrayOf("text", paths));
            s.setArray(16, c.createArrayOf("text", results));
            s.setArray(17, c.createArrayOf("uuid", java.util.Arrays.stream(jobs).distinct().toArray()));
            s.executeUpdate();
        }
    }

    /**
     * {@link #writeAttempts}'s statement. The jobs' attempt counts are updated by key ({@code job.id = ANY(...)}):
     * joined with the attempts instead, it was planned as a scan of the whole job table while the table was small
     * (generic plans made with the statistics of a few thousand rows), a scan that grew with the table until the
     * next analyze made the plan again.
     * {@code EventIngestionPlanTest} checks the plan.
     */
    static final String WRITE_ATTEMPTS = """
        WITH attempts AS (
            INSERT INTO job_attempt (tenant_id, job_id, number, started_at, finished_at, pre, backup, post, final)
            SELECT ?, u.job, u.number, u.started, u.ended, u.pre::jsonb, u.backup::jsonb, u.post::jsonb, u.last
              FROM unnest(?::uuid[], ?::int[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[],
                          ?::text[], ?::boolean[]) AS u(job, number, started, ended, pre, backup, post, last)
            ON CONFLICT (job_id, number) DO UPDATE SET
                   started_at = coalesce(EXCLUDED.started_at, job_attempt.started_at),
                   finished_at = coalesce(EXCLUDED.finished_at, job_attempt.finished_at),
                   pre = coalesce(EXCLUDED.pre, job_attempt.pre),
                   backup = coalesce(EXCLUDED.backup, job_attempt.backup),
                   post = coalesce(EXCLUDED.post, job_attempt.post),
                   final = coalesce(EXCLUDED.final, job_attempt.final)
            RETURNING job_id, number),
        hooks AS (
            INSERT INTO hook_run (tenant_id, job_id, attempt, phase, hook_index, source_path, result)
            SELECT ?, u.job, u.attempt, u.phase, u.idx, u.path, u.result::jsonb
              FROM unnest(?::uuid[], ?::int[], ?::text[], ?::int[], ?::text[], ?::text[])
                   AS u(job, attempt, phase, idx, path, result)
            ON CONFLICT DO NOTHING)
        UPDATE job SET attempts = GREATEST(job.attempts, (SELECT max(a.number) FROM attempts a WHERE a.job_id = job.id)),
               updated_at = now()
         WHERE job.id = ANY(?::uuid[])""";

    /** Applies one job-, command- or policy-scoped event; true when it acknowledged a command. */
    private boolean projectSingle(Connection c, AgentCredential agent, JobEvent e) throws SQLException {
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
            case STEP_STARTED -> {
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
            case JOB_FINISHED -> {
                update(c, JOB_FINISHED_SQL, e.jobStatus().name(), e.attempt(), e.attempt(), e.jobStatus().name(),
                        e.backupStatus(), at, e.attempt(), e.jobId());
                metrics.jobFinished(e.jobStatus().name());
            }
            case COMMAND_ACKNOWLEDGED -> {
                return update(c, """
                        UPDATE agent_command SET acknowledged_at = coalesce(acknowledged_at, ?)
                         WHERE id = ? AND server_id = ?""", at, e.commandId(), agent.serverId()) > 0;
            }
            case TEST_RUN_FINISHED -> testRunFinished(c, agent, e, at);
            case POLICY_ACCEPTED -> update(c, "UPDATE server SET last_refusal = NULL WHERE id = ?", agent.serverId());
            case POLICY_REFUSED -> update(c, "UPDATE server SET last_refusal = ? WHERE id = ?",
                    e.reason() == null ? "refused" : truncate(e.reason(), 1000), agent.serverId());
            default -> throw new IllegalStateException("attempt-scoped event projected alone: " + e.type());
        }
        return false;
    }

    /**
     * "Test this hook now" ended (fleet.TestRun): its result, never a job or an alert. The first report counts
     * (a test run ends once); another server's test run id changes nothing.
     */
    private static void testRunFinished(Connection c, AgentCredential agent, JobEvent e, Timestamp at) throws SQLException {
        StepResult r = e.result();
        String detail = r.detail();
        String status = detail != null && detail.startsWith(dev.fleethook.protocol.TestRun.REFUSED) ? "REFUSED"
                : switch (ScriptStatus.ofCode(r.status())) {
                    case SUCCEEDED -> "SUCCEEDED";
                    case FAILED -> "FAILED";
                    case SKIPPED -> "SKIPPED";
                    case TIMED_OUT -> "TIMED_OUT";
                    case DISABLED -> "DISABLED";
                };
        update(c, """
                UPDATE test_run SET status = ?, exit_code = ?, duration_ms = ?, timed_out = ?, output_tail = ?,
                       detail = ?, finished_at = ?
                 WHERE id = ? AND server_id = ? AND finished_at IS NULL""", status, r.exitCode(), r.durationMs(),
                r.timedOut(), r.outputTail(), detail == null ? null : truncate(detail, 4000), at, e.commandId(),
                agent.serverId());
    }

    /**
     * A step that arrives after its job's end (events may come in any order) is judged with it: of the jobs the
     * batch stepped on, those already over are returned to be judged again, and a succeeded one among them
     * whose last attempt now shows a failed step turns {@code WARNING} (one statement for all).
     */
    private static List<UUID> overAndRejudged(Connection c, Set<UUID> jobIds) throws SQLException {
        List<UUID> over = new ArrayList<>();
        if (jobIds.isEmpty()) {
            return over;
        }
        try (PreparedStatement s = c.prepareStatement("""
                WITH over AS (SELECT id FROM job WHERE id = ANY(?::uuid[]) AND status <> 'RUNNING'),
                     warned AS (UPDATE job j SET status = 'WARNING', updated_at = now()
                                 WHERE j.id IN (SELECT id FROM over) AND j.status = 'SUCCEEDED' AND %s)
                SELECT id FROM over""".formatted(stepFailed("j.attempts")))) {
            s.setArray(1, c.createArrayOf("uuid", jobIds.toArray(UUID[]::new)));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    over.add((UUID) r.getObject(1));
                }
            }
        }
        return over;
    }

    /** The codes of {@link ScriptStatus#FAILURES}, as an SQL list ("1, 3"). */
    private static final String FAILED_OR_TIMED_OUT = ScriptStatus.FAILURES.stream().map(f -> Integer.toString(f.code()))
            .collect(java.util.stream.Collectors.joining(", "));

    /**
     * The SQL condition that job {@code j}'s attempt numbered {@code lastAttempt} (an SQL expression) has a failed
     * or timed-out pre/post-script or hook: such a job the agent reports succeeded is a {@code warning} — the
     * backup is fine, but someone must look. Derived here, not by the agent, so that every agent version gets
     * it and a late step report can still turn it amber.
     */
    private static String stepFailed(String lastAttempt) {
        // FAILED_OR_TIMED_OUT: integer codes of the protocol's enum, so formatting them into the SQL is safe.
        return """
                (EXISTS (SELECT 1 FROM job_attempt a WHERE a.job_id = j.id AND a.number = %2$s
                           AND ((a.pre->>'status')::int IN (%1$s) OR (a.post->>'status')::int IN (%1$s)))
                 OR EXISTS (SELECT 1 FROM hook_run h WHERE h.job_id = j.id AND h.attempt = %2$s
                           AND (h.result->>'status')::int IN (%1$s)))""".formatted(FAILED_OR_TIMED_OUT, lastAttempt);
    }

    /** The attempt count a job has once {@link #JOB_FINISHED_SQL} is done (one parameter): its last attempt decides a warning. */
    private static final String FINISHED_ATTEMPTS = "GREATEST(j.attempts, coalesce(?::integer, 0))";

    /**
     * A job's final outcome (parameters: status, attempt twice, status, backup status, time, attempt, job id). Declared
     * after {@link #FAILED_OR_TIMED_OUT}, which it uses: static fields are set in the order they are written.
     */
    private static final String JOB_FINISHED_SQL = """
            UPDATE job j SET status = CASE WHEN ? = 'SUCCEEDED' AND %s THEN 'WARNING' ELSE ? END,
                   backup_status = coalesce(?, backup_status), missed = false, finished_at = ?,
                   attempts = %s, status_reason = NULL, updated_at = now()
             WHERE id = ?""".formatted(stepFailed(FINISHED_ATTEMPTS), FINISHED_ATTEMPTS);

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
