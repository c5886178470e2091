package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What runs the backup phase: restic, any argument vector, or the built-in tar.gz archive. */
public enum BackupEngine implements WireEnum {
    ARCHIVE("archive"),
    RESTIC("restic"),
    COMMAND("command");

    private final String wire;

    BackupEngine(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static BackupEngine fromWire(String value) {
        return WireEnum.parse(values(), value);
    }

    @Override
    public String toString() {
        return wire;
    }
}
