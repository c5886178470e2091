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

    /** A step begins: {@code step} is "pre", "backup" or "post". */
    static JobEvent stepStarted(UUID job, int attempt, String step) {
        return new JobEvent(UUID.randomUUID(), EventType.STEP_STARTED, job, attempt, Instant.now(), null, null, null,
                null, null, step, null, null, null, null, null, null, null, null);
    }

    /** The hooks of {@code phase} begin (for a per-folder phase, those of {@code sourcePath}). */
    static JobEvent hooksStarted(UUID job, int attempt, HookPhase phase, String sourcePath) {
        return new JobEvent(UUID.randomUUID(), EventType.STEP_STARTED, job, attempt, Instant.now(), null, null, null,
                null, null, "hook", phase, null, sourcePath, null, null, null, null, null);
    }

    /** The running step's output so far, cut to its last 16 KiB. */
    static JobEvent stepOutput(UUID job, int attempt, String step, String output) {
        String tail = output != null && output.length() > StepResult.MAX_OUTPUT_TAIL
                ? output.substring(output.length() - StepResult.MAX_OUTPUT_TAIL) : output;
        return new JobEvent(UUID.randomUUID(), EventType.STEP_OUTPUT, job, attempt, Instant.now(), null, null, null,
                null, null, step, null, null, null, null, null, null, null, null, storable(tail));
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
                null, null, null, null, null, null, null, null, null, null, storable(truncate(reason, 1000)));
    }

    static JobEvent policyAccepted() {
        return new JobEvent(UUID.randomUUID(), EventType.POLICY_ACCEPTED, null, null, Instant.now(), null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
    }

    /** A step's result as reported: status code, exit code, duration, timed-out flag, output tail, detail. */
    static StepResult result(int status, ScriptRunner.Outcome o, String detail, java.util.Map<String, Object> stats) {
        String why = storable(truncate(detail != null ? detail : o == null ? null : o.error(), MAX_DETAIL));
        if (o == null) {
            return new StepResult(status, null, 0, false, null, why, stats);
        }
        String tail = o.outputTail();
        if (tail != null && tail.length() > StepResult.MAX_OUTPUT_TAIL) {
            tail = tail.substring(tail.length() - StepResult.MAX_OUTPUT_TAIL);
        }
        return new StepResult(status, o.exitCode(), o.durationMs(), o.timedOut(), storable(tail), why, stats);
    }

    static StepResult result(AttemptRunner.Step step) {
        return result(step.status(), step.outcome(), step.detail(), step.stats());
    }

    private static JobEvent of(EventType type, UUID job, Integer attempt) {
        return new JobEvent(UUID.randomUUID(), type, job, attempt, Instant.now(), null, null, null, null, null, null,
                null, null, null, null, null, null, null, null);
    }

    /**
     * Text the portal can store, with U+FFFD in place of what it cannot: a NUL (a script's binary output,
     * {@code find -print0}), which PostgreSQL's text and jsonb refuse, so that the portal answered 500 to the
     * batch at every resend and this job and every later one stayed unreported; and half of a character Java
     * holds as two chars (an emoji whose other half the cut to the last 16 KiB removed), which is no text.
     */
    static String storable(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c == '\0'
                    || Character.isHighSurrogate(c) && (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))
                    || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
            if (bad && b == null) {
                b = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (b != null) {
                b.append(bad ? '\uFFFD' : c);
            }
        }
        return b == null ? s : b.toString();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
