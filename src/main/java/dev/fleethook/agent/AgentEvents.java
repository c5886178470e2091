package dev.fleethook.agent;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.StepResult;

/** The events an agent reports, each with a fresh id (a resend of the same event is harmless). */
final class AgentEvents {

    private static final int MAX_DETAIL = 4000;

    private AgentEvents() {
    }

    static JobEvent jobStarted(UUID job, PolicyDocument policy, String trigger, int maxAttempts, UUID commandId) {
        return new JobEvent(UUID.randomUUID(), EventType.JOB_STARTED, job, null, Instant.now(),
                policy == null ? null : java.util.UUID.fromString(policy.policyId()),
                policy == null ? null : policy.revision(), trigger, maxAttempts, commandId, null, null, null, null,
                null, null, null, null, null);
    }

    static JobEvent attemptStarted(UUID job, int attempt) {
        return of(EventType.ATTEMPT_STARTED, job, attempt);
    }

    static JobEvent scriptFinished(UUID job, int attempt, String step, StepResult result) {
        return new JobEvent(UUID.randomUUID(), EventType.SCRIPT_FINISHED, job, attempt, Instant.now(), null, null, null,
                null, null, step, null, null, null, result, null, null, null, null);
    }

    static JobEvent backupFinished(UUID job, int attempt, StepResult result) {
        return new JobEvent(UUID.randomUUID(), EventType.BACKUP_FINISHED, job, attempt, Instant.now(), null, null, null,
                null, null, null, null, null, null, result, null, null, null, null);
    }

    static JobEvent hookFinished(UUID job, int attempt, HookRunner.Run run) {
        return new JobEvent(UUID.randomUUID(), EventType.HOOK_FINISHED, job, attempt, Instant.now(), null, null, null,
                null, null, null, run.phase(), run.index(), run.sourcePath(),
                result(run.status(), run.outcome(), run.detail(), null), null, null, null, null);
    }

    static JobEvent attemptFinished(UUID job, int attempt, boolean finalAttempt) {
        return new JobEvent(UUID.randomUUID(), EventType.ATTEMPT_FINISHED, job, attempt, Instant.now(), null, null,
                null, null, null, null, null, null, null, null, finalAttempt, null, null, null);
    }

    static JobEvent jobFinished(UUID job, Integer attempt, JobStatus status, Integer backupStatus) {
        return new JobEvent(UUID.randomUUID(), EventType.JOB_FINISHED, job, attempt, Instant.now(), null, null, null,
                null, null, null, null, null, null, null, null, status, backupStatus, null);
    }

    static JobEvent commandAcknowledged(UUID commandId) {
        return new JobEvent(UUID.randomUUID(), EventType.COMMAND_ACKNOWLEDGED, null, null, Instant.now(), null, null,
                null, null, commandId, null, null, null, null, null, null, null, null, null);
    }

    static JobEvent policyRefused(String reason) {
        return new JobEvent(UUID.randomUUID(), EventType.POLICY_REFUSED, null, null, Instant.now(), null, null, null,
                null, null, null, null, null, null, null, null, null, null, truncate(reason, 1000));
    }

    static JobEvent policyAccepted() {
        return new JobEvent(UUID.randomUUID(), EventType.POLICY_ACCEPTED, null, null, Instant.now(), null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
    }

    /** A step's result as reported: status code, exit code, duration, timed-out flag, output tail, detail. */
    static StepResult result(int status, ScriptRunner.Outcome o, String detail, java.util.Map<String, Object> stats) {
        String why = detail != null ? detail : o == null ? null : o.error();
        if (o == null) {
            return new StepResult(status, null, 0, false, null, truncate(why, MAX_DETAIL), stats);
        }
        String tail = o.outputTail();
        if (tail != null && tail.length() > StepResult.MAX_OUTPUT_TAIL) {
            tail = tail.substring(tail.length() - StepResult.MAX_OUTPUT_TAIL);
        }
        return new StepResult(status, o.exitCode(), o.durationMs(), o.timedOut(), tail, truncate(why, MAX_DETAIL), stats);
    }

    static StepResult result(AttemptRunner.Step step) {
        return result(step.status(), step.outcome(), step.detail(), step.stats());
    }

    private static JobEvent of(EventType type, UUID job, Integer attempt) {
        return new JobEvent(UUID.randomUUID(), type, job, attempt, Instant.now(), null, null, null, null, null, null,
                null, null, null, null, null, null, null, null);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
