package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a hook's failure counts (Kopia): essential fails the phase, optional is recorded and tolerated,
 * async is started and not waited for by the next step, but is still bounded by its timeout (which kills
 * its session), reported with its own status when it ends, and waited for before the job reports its end.
 */
public enum HookMode implements WireEnum {
    ESSENTIAL("essential"),
    OPTIONAL("optional"),
    ASYNC("async");

    private final String wire;

    HookMode(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static HookMode fromWire(String value) {
        return WireEnum.parse(values(), value);
    }

    @Override
    public String toString() {
        return wire;
    }
}
