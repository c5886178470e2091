package dev.fleethook.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Outcome of a pre- or post-backup script. The integers are a stable contract: they are passed to
 * post-scripts as arguments and exported as {@code FLEETHOOK_PRE_STATUS}. {@code SUCCEEDED} is named as in
 * {@link JobStatus} and {@link BackupStatus}; its label stays Druva's {@code Successful}.
 */
public enum ScriptStatus {
    SUCCEEDED(0), FAILED(1), SKIPPED(2), TIMED_OUT(3), DISABLED(4);

    private final int code;

    ScriptStatus(int code) {
        this.code = code;
    }

    @JsonValue
    public int code() {
        return code;
    }

    /** The name shown to people: {@code Successful}, ... */
    public String label() {
        return LABELS[ordinal()];
    }

    private static final String[] LABELS = { "Successful", "Failed", "Skipped", "TimedOut", "Disabled" };

    /**
     * The outcomes that count as a failure of a script or hook: Failed and TimedOut (Druva's "Failed or
     * TimedOut" row). One rule for the agent (a failed essential hook fails its phase; a bad pre-script may
     * skip the backup) and the portal (a succeeded job becomes a warning; an alert is raised). Skipped and
     * Disabled are not failures.
     */
    public static final List<ScriptStatus> FAILURES = List.of(FAILED, TIMED_OUT);

    /** True for {@link #FAILURES}. */
    public boolean failedOrTimedOut() {
        return FAILURES.contains(this);
    }

    /** True when {@code code} is the code of one of the {@link #FAILURES}; false for null or any other code. */
    public static boolean failedOrTimedOut(Integer code) {
        return code != null && FAILURES.stream().anyMatch(s -> s.code == code);
    }

    @JsonCreator
    public static ScriptStatus ofCode(int code) {
        for (ScriptStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown script status " + code);
    }
}
