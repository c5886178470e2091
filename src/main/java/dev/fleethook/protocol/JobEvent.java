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
 * <li>{@code test-run-finished}: commandId (the test run's id), result (a script status code).</li>
 * <li>{@code step-started}: step ("pre", "backup", "post", or "hook" with phase, hookIndex and sourcePath);</li>
 * <li>{@code step-output}: the same step fields and output, the step's output so far (its last 16 KiB).</li>
 * </ul>
 * The portal judges each event alone and answers refused ones in {@link EventBatchResponse#rejected()}.
 * Build one with {@link #of}: each field is named where it is set, and the ones an event type does not use stay
 * null (left out of the JSON).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(UUID eventId, EventType type, UUID jobId, Integer attempt, Instant time,
        UUID policyId, Integer policyRevision, String trigger, Integer maxAttempts, UUID commandId,
        String step, HookPhase phase, Integer hookIndex, String sourcePath, StepResult result,
        Boolean finalAttempt, JobStatus jobStatus, Integer backupStatus, String reason, String output) {

    /** A new event of {@code type} with a fresh random id, happening now; set the fields its type uses. */
    public static Builder of(EventType type) {
        return new Builder(type);
    }

    /** Names each field of a {@link JobEvent}; unset fields stay null. */
    public static final class Builder {
        private UUID eventId = UUID.randomUUID();
        private final EventType type;
        private UUID jobId;
        private Integer attempt;
        private Instant time = Instant.now();
        private UUID policyId;
        private Integer policyRevision;
        private String trigger;
        private Integer maxAttempts;
        private UUID commandId;
        private String step;
        private HookPhase phase;
        private Integer hookIndex;
        private String sourcePath;
        private StepResult result;
        private Boolean finalAttempt;
        private JobStatus jobStatus;
        private Integer backupStatus;
        private String reason;
        private String output;

        private Builder(EventType type) {
            this.type = type;
        }

        /** Replaces the fresh random id (a resend, a test). */
        public Builder eventId(UUID value) {
            eventId = value;
            return this;
        }

        /** Replaces "now". */
        public Builder time(Instant value) {
            time = value;
            return this;
        }

        public Builder job(UUID value) {
            jobId = value;
            return this;
        }

        /** The attempt number, from 1. */
        public Builder attempt(Integer value) {
            attempt = value;
            return this;
        }

        public Builder policy(UUID id, Integer revision) {
            policyId = id;
            policyRevision = revision;
            return this;
        }

        public Builder trigger(String value) {
            trigger = value;
            return this;
        }

        public Builder maxAttempts(Integer value) {
            maxAttempts = value;
            return this;
        }

        public Builder command(UUID value) {
            commandId = value;
            return this;
        }

        /** "pre" or "post". */
        public Builder step(String value) {
            step = value;
            return this;
        }

        /** A hook run: its phase, its index in the policy, the source path of a per-folder phase (else null). */
        public Builder hook(HookPhase hookPhase, Integer index, String path) {
            phase = hookPhase;
            hookIndex = index;
            sourcePath = path;
            return this;
        }

        public Builder result(StepResult value) {
            result = value;
            return this;
        }

        public Builder finalAttempt(Boolean value) {
            finalAttempt = value;
            return this;
        }

        /** A job's outcome and the {@link BackupStatus} code of its last backup (or null). */
        public Builder outcome(JobStatus status, Integer backup) {
            jobStatus = status;
            backupStatus = backup;
            return this;
        }

        public Builder reason(String value) {
            reason = value;
            return this;
        }

        /** A {@code step-output}'s output so far (its last 16 KiB). */
        public Builder output(String value) {
            output = value;
            return this;
        }

        public JobEvent build() {
            return new JobEvent(eventId, type, jobId, attempt, time, policyId, policyRevision, trigger, maxAttempts,
                    commandId, step, phase, hookIndex, sourcePath, result, finalAttempt, jobStatus, backupStatus, reason, output);
        }
    }

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
