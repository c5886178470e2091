package dev.fleethook.protocol;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One thing that happened on an agent. {@code eventId} is unique: resending an event is harmless.
 * Fields are used by type:
 * <ul>
 * <li>{@code job-started}: policyId, policyRevision (informational: the portal records the server's own
 * assigned policy), trigger ("scheduled", "manual" or "agent-start", at most 16 characters), maxAttempts,
 * commandId;</li>
 * <li>{@code script-finished}: step ("pre" or "post"), result;</li>
 * <li>{@code hook-finished}: phase, hookIndex, sourcePath (per-folder phases), result;</li>
 * <li>{@code backup-finished}: result (status is a {@link BackupStatus} code, stats as the engine gave them);</li>
 * <li>{@code attempt-finished}: finalAttempt; {@code job-finished}: jobStatus, backupStatus;</li>
 * <li>{@code command-acknowledged}: commandId; {@code policy-refused}: reason;</li>
 * <li>{@code step-started}: step ("pre", "backup", "post", or "hook" with phase, hookIndex and sourcePath);</li>
 * <li>{@code step-output}: the same step fields and output, the step's output so far (its last 16 KiB).</li>
 * </ul>
 * The portal judges each event alone and answers refused ones in {@link EventBatchResponse#rejected()}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(UUID eventId, EventType type, UUID jobId, Integer attempt, Instant time,
        UUID policyId, Integer policyRevision, String trigger, Integer maxAttempts, UUID commandId,
        String step, HookPhase phase, Integer hookIndex, String sourcePath, StepResult result,
        Boolean finalAttempt, JobStatus jobStatus, Integer backupStatus, String reason, String output) {

    /** The shortest time between two {@code step-output} events of one step, in milliseconds. */
    public static final long OUTPUT_REPORT_INTERVAL_MS = 2000;

    /** An event without {@code output} (every type but {@code step-output}). */
    public JobEvent(UUID eventId, EventType type, UUID jobId, Integer attempt, Instant time, UUID policyId,
            Integer policyRevision, String trigger, Integer maxAttempts, UUID commandId, String step, HookPhase phase,
            Integer hookIndex, String sourcePath, StepResult result, Boolean finalAttempt, JobStatus jobStatus,
            Integer backupStatus, String reason) {
        this(eventId, type, jobId, attempt, time, policyId, policyRevision, trigger, maxAttempts, commandId, step, phase,
                hookIndex, sourcePath, result, finalAttempt, jobStatus, backupStatus, reason, null);
    }
}
