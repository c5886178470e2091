package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a {@link JobEvent} reports. */
public enum EventType implements WireEnum {
    JOB_STARTED("job-started"),
    ATTEMPT_STARTED("attempt-started"),
    /**
     * A step of an attempt began (the pre-script, the backup, the post-script or one hook): what the live
     * job page shows as the current step, with its elapsed time. Informational: a portal that does not know
     * it refuses it alone, and the job is judged by the finished events as before.
     */
    STEP_STARTED("step-started"),
    /**
     * The output of the running step so far (its last 16 KiB), sent at most every
     * {@link JobEvent#OUTPUT_REPORT_INTERVAL_MS} ms while it grows. A snapshot, not an increment: the newest
     * one by time wins, so a resend or a late arrival never garbles the tail.
     */
    STEP_OUTPUT("step-output"),
    SCRIPT_FINISHED("script-finished"),
    HOOK_FINISHED("hook-finished"),
    BACKUP_FINISHED("backup-finished"),
    ATTEMPT_FINISHED("attempt-finished"),
    JOB_FINISHED("job-finished"),
    COMMAND_ACKNOWLEDGED("command-acknowledged"),
    POLICY_REFUSED("policy-refused"),
    /** The agent runs its policy with nothing refused: clears a refusal shown earlier. */
    POLICY_ACCEPTED("policy-accepted"),
    /** A test run ({@link TestRun}) ended: {@code commandId} is its id, {@code result} its outcome. Not a job. */
    TEST_RUN_FINISHED("test-run-finished");

    private final String wire;

    EventType(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static EventType fromWire(String value) {
        return WireEnum.parse(values(), value);
    }
}
