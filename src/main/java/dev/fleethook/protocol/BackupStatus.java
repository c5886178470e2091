package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Outcome of the backup phase of an attempt. The integers are a stable contract: they are passed to
 * post-scripts as their fourth argument and exported as {@code FLEETHOOK_BACKUP_STATUS}. The Java names
 * are the ones {@link JobStatus} and {@link ScriptStatus} use for the same outcome ({@code SUCCEEDED},
 * {@code PARTIAL}); what people and scripts read is the code and Druva's {@link #label()}
 * ({@code Successful}, {@code PartiallySuccessful}), unchanged.
 */
public enum BackupStatus {
    SUCCEEDED(0), FAILED(1), CANCELED(2), WINDOW_EXPIRED(3), NOT_EXECUTED(4), PARTIAL(5);

    private final int code;

    BackupStatus(int code) {
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

    private static final String[] LABELS = { "Successful", "Failed", "Canceled", "WindowExpired", "NotExecuted", "PartiallySuccessful" };

    @JsonCreator
    public static BackupStatus ofCode(int code) {
        for (BackupStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown backup status " + code);
    }
}
