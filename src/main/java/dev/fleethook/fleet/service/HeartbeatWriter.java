package dev.fleethook.fleet.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import dev.fleethook.protocol.AgentHeaders;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ScheduledTurns;

/**
 * Every poll is a heartbeat. They are gathered in memory and written together every few seconds in one
 * statement, never one row update per poll; if the database is down they wait for the next flush.
 * Several replicas may write the same server: the latest time wins. A poll may also say which job the
 * agent runs ({@link AgentHeaders#RUNNING_JOB}; the abandoned-job detector compares it with the jobs
 * still running) and how many events it set aside ({@link AgentHeaders#REJECTED_EVENTS}).
 */
@ApplicationScoped
public class HeartbeatWriter {

    private static final Logger LOG = Logger.getLogger(HeartbeatWriter.class);

    /**
     * One poll: when, whether it said which job runs (and which: null for none), the rejected count, whether
     * it runs test runs (null: the poll did not say, as at the end of a held poll).
     */
    private record Beat(Instant at, boolean reportsJob, UUID runningJob, Integer rejected, Boolean testRuns) {

        /**
         * This beat and a later one of the same server as one: the later time, and for each report the later
         * one that says something, so a beat that says nothing (the end of a held poll) never erases what an
         * earlier poll said before it was written.
         */
        Beat then(Beat later) {
            Beat newer = later.at.isBefore(at) ? this : later;
            Beat older = newer == later ? this : later;
            boolean reports = newer.reportsJob || older.reportsJob;
            return new Beat(newer.at, reports, newer.reportsJob ? newer.runningJob : older.runningJob,
                    newer.rejected != null ? newer.rejected : older.rejected,
                    newer.testRuns != null ? newer.testRuns : older.testRuns);
        }
    }

    private final Map<UUID, Beat> pending = new ConcurrentHashMap<>();

    @Inject
    DataSource dataSource;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    /** A poll without the optional headers (old agents). */
    public void record(UUID serverId) {
        beat(serverId, new Beat(Instant.now(), false, null, null, null));
    }

    /** A poll that names no features (an agent older than the features header). */
    public void record(UUID serverId, String runningJob, String rejectedEvents) {
        record(serverId, runningJob, rejectedEvents, false);
    }

    /**
     * A poll; {@code runningJob} is the header's value (a job id or {@code none}; absent or unreadable
     * means the agent does not say), {@code rejectedEvents} a count or null, {@code testRuns} whether its
     * {@link AgentHeaders#FEATURES} name test runs.
     */
    public void record(UUID serverId, String runningJob, String rejectedEvents, boolean testRuns) {
        boolean reports = false;
        UUID job = null;
        if (runningJob != null) {
            String v = runningJob.trim();
            if (AgentHeaders.NONE.equalsIgnoreCase(v)) {
                reports = true;
            } else {
                try {
                    job = UUID.fromString(v);
                    reports = true;
                } catch (IllegalArgumentException e) {
                    // not a job id: the poll says nothing about jobs
                }
            }
        }
        Integer rejected = null;
        if (rejectedEvents != null) {
            try {
                rejected = Math.max(0, Integer.parseInt(rejectedEvents.trim()));
            } catch (NumberFormatException e) {
                // ignored: a count or nothing
            }
        }
        beat(serverId, new Beat(Instant.now(), reports, job, rejected, testRuns));
    }

    private void beat(UUID serverId, Beat beat) {
        pending.merge(serverId, beat, Beat::then);
    }

    @Scheduled(every = "${fleethook.fleet.heartbeat-flush:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            identity = "heartbeat-flush")
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<UUID, Beat> batch = new HashMap<>();
        for (UUID id : pending.keySet()) {
            Beat beat = pending.remove(id);
            if (beat != null) {
                batch.put(id, beat);
            }
        }
        try {
            crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.HEARTBEATS, () -> write(batch));
            ScheduledTurns.recovered(LOG, "Heartbeat flush");
        } catch (RuntimeException e) {
            // Kept for the next flush either way; the newest time per server wins.
            batch.forEach((id, beat) -> pending.merge(id, beat, Beat::then));
            ScheduledTurns.failed(LOG, "Heartbeat flush", e);
        }
    }

    /** Every server's latest poll in one statement (servers of all tenants: {@code CrossTenant}). */
    private int write(Map<UUID, Beat> batch) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                        UPDATE server SET last_seen_at = GREATEST(coalesce(server.last_seen_at, v.at), v.at),
                               running_job_id = CASE WHEN v.reports AND (server.running_reported_at IS NULL
                                   OR server.running_reported_at < v.at) THEN v.job ELSE server.running_job_id END,
                               running_reported_at = CASE WHEN v.reports AND (server.running_reported_at IS NULL
                                   OR server.running_reported_at < v.at) THEN v.at ELSE server.running_reported_at END,
                               rejected_events = coalesce(v.rejected, server.rejected_events),
                               accepts_test_runs = coalesce(v.tests, server.accepts_test_runs)
                          FROM unnest(?::uuid[], ?::timestamptz[], ?::boolean[], ?::uuid[], ?::integer[], ?::boolean[])
                               AS v(id, at, reports, job, rejected, tests)
                         WHERE server.id = v.id""")) {
            UUID[] ids = batch.keySet().toArray(UUID[]::new);
            Timestamp[] times = new Timestamp[ids.length];
            Boolean[] reports = new Boolean[ids.length];
            UUID[] jobs = new UUID[ids.length];
            Integer[] rejected = new Integer[ids.length];
            Boolean[] tests = new Boolean[ids.length];
            for (int i = 0; i < ids.length; i++) {
                Beat b = batch.get(ids[i]);
                times[i] = Timestamp.from(b.at());
                reports[i] = b.reportsJob();
                jobs[i] = b.runningJob();
                rejected[i] = b.rejected();
                tests[i] = b.testRuns();
            }
            s.setArray(1, c.createArrayOf("uuid", ids));
            s.setArray(2, c.createArrayOf("timestamptz", times));
            s.setArray(3, c.createArrayOf("boolean", reports));
            s.setArray(4, c.createArrayOf("uuid", jobs));
            s.setArray(5, c.createArrayOf("integer", rejected));
            s.setArray(6, c.createArrayOf("boolean", tests));
            return s.executeUpdate();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        flush();
    }
}
