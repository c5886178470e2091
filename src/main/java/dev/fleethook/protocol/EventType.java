package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a {@link JobEvent} reports. */
public enum EventType implements WireEnum {
    JOB_STARTED("job-started"),
    ATTEMPT_STARTED("attempt-started"),
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
