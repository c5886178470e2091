package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** When a hook runs. Per-folder phases run once for each source path (Kopia's before/after-snapshot-root). */
public enum HookPhase implements WireEnum {
    AGENT_START("agent-start"),
    BEFORE_BACKUP("before-backup"),
    BEFORE_FOLDER("before-folder"),
    AFTER_FOLDER("after-folder"),
    AFTER_BACKUP("after-backup"),
    AFTER_FINAL_FAILURE("after-final-failure");

    private final String wire;

    HookPhase(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static HookPhase fromWire(String value) {
        return WireEnum.parse(values(), value);
    }

    @Override
    public String toString() {
        return wire;
    }
}
