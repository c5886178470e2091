package dev.fleethook.agent;

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
        return JobEvent.of(EventType.JOB_STARTED).job(job)
                .policy(policy == null ? null : UUID.fromString(policy.policyId()), policy == null ? null : policy.revision())
                .trigger(trigger).maxAttempts(maxAttempts).command(commandId).build();
    }

    static JobEvent attemptStarted(UUID job, int attempt) {
        return JobEvent.of(EventType.ATTEMPT_STARTED).job(job).attempt(attempt).build();
    }

    static JobEvent scriptFinished(UUID job, int attempt, String step, StepResult result) {
        return JobEvent.of(EventType.SCRIPT_FINISHED).job(job).attempt(attempt).step(step).result(result).build();
    }

    static JobEvent backupFinished(UUID job, int attempt, StepResult result) {
        return JobEvent.of(EventType.BACKUP_FINISHED).job(job).attempt(attempt).result(result).build();
    }

    static JobEvent hookFinished(UUID job, int attempt, HookRunner.Run run) {
        return JobEvent.of(EventType.HOOK_FINISHED).job(job).attempt(attempt)
                .hook(run.phase(), run.index(), run.sourcePath())
                .result(result(run.status(), run.outcome(), run.detail(), null)).build();
    }

    /** A step begins: {@code step} is "pre", "backup" or "post". */
    static JobEvent stepStarted(UUID job, int attempt, String step) {
        return JobEvent.of(EventType.STEP_STARTED).job(job).attempt(attempt).step(step).build();
    }

    /** The hooks of {@code phase} begin (for a per-folder phase, those of {@code sourcePath}). */
    static JobEvent hooksStarted(UUID job, int attempt, HookPhase phase, String sourcePath) {
        return JobEvent.of(EventType.STEP_STARTED).job(job).attempt(attempt).step("hook").hook(phase, null, sourcePath)
                .build();
    }

    /** The running step's output so far, cut to its last 16 KiB. */
    static JobEvent stepOutput(UUID job, int attempt, String step, String output) {
        String tail = output == null ? null : StepResult.tail(output);
        return JobEvent.of(EventType.STEP_OUTPUT).job(job).attempt(attempt).step(step).output(storable(tail)).build();
    }

    static JobEvent attemptFinished(UUID job, int attempt, boolean finalAttempt) {
        return JobEvent.of(EventType.ATTEMPT_FINISHED).job(job).attempt(attempt).finalAttempt(finalAttempt).build();
    }

    static JobEvent jobFinished(UUID job, Integer attempt, JobStatus status, Integer backupStatus) {
        return JobEvent.of(EventType.JOB_FINISHED).job(job).attempt(attempt).outcome(status, backupStatus).build();
    }

    static JobEvent commandAcknowledged(UUID commandId) {
        return JobEvent.of(EventType.COMMAND_ACKNOWLEDGED).command(commandId).build();
    }

    static JobEvent policyRefused(String reason) {
        return JobEvent.of(EventType.POLICY_REFUSED).reason(storable(truncate(reason, 1000))).build();
    }

    static JobEvent policyAccepted() {
        return JobEvent.of(EventType.POLICY_ACCEPTED).build();
    }

    /** A test run's one report ({@link dev.fleethook.protocol.TestRun}): not a job event, no job id. */
    static JobEvent testRunFinished(UUID testRunId, StepResult result) {
        return JobEvent.of(EventType.TEST_RUN_FINISHED).command(testRunId).result(result).build();
    }

    /** A step's result as reported: status code, exit code, duration, timed-out flag, output tail, detail. */
    static StepResult result(int status, ScriptRunner.Outcome o, String detail, java.util.Map<String, Object> stats) {
        String why = storable(truncate(detail != null ? detail : o == null ? null : o.error(), MAX_DETAIL));
        if (o == null) {
            return new StepResult(status, null, 0, false, null, why, stats);
        }
        return new StepResult(status, o.exitCode(), o.durationMs(), o.timedOut(), storable(StepResult.tail(o.outputTail())),
                why, stats);
    }

    static StepResult result(AttemptRunner.Step step) {
        return result(step.status(), step.outcome(), step.detail(), step.stats());
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
