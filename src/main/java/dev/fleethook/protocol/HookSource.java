package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a hook runs: the Druva convention scripts, every executable of a folder (Rekkord), an argument vector (never through a shell), or a script body stored in the policy (Kopia). */
public enum HookSource implements WireEnum {
    CONVENTION("convention"),
    DIRECTORY("directory"),
    COMMAND("command"),
    STORED("stored");

    private final String wire;

    HookSource(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static HookSource fromWire(String value) {
        return WireEnum.parse(values(), value);
    }

    @Override
    public String toString() {
        return wire;
    }
}
