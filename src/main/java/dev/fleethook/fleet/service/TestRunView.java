package dev.fleethook.fleet.service;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.fleet.TestRun;

/**
 * A test run as pages and the API see it, with the property names of {@link TestRun} (durations in
 * milliseconds, {@code outputTail} the last 16 KiB of output at most).
 */
public record TestRunView(UUID id, UUID serverId, UUID policyId, Integer policyRevision, String target,
        Integer hookIndex, String hookPhase, Integer preStatus, Integer backupStatus, String requestedBy,
        Instant requestedAt, TestRun.Status status, Integer exitCode, Long durationMs, Boolean timedOut,
        String outputTail, String detail, Instant finishedAt, String what) {

    public static TestRunView of(TestRun t) {
        return new TestRunView(t.id, t.serverId, t.policyId, t.policyRevision, t.target, t.hookIndex, t.hookPhase,
                t.preStatus, t.backupStatus, t.requestedBy, t.requestedAt, t.status, t.exitCode, t.durationMs,
                t.timedOut, t.outputTail, t.detail, t.finishedAt, t.what());
    }
}
