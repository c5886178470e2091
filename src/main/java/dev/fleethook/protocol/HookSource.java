package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a hook runs: the Druva convention scripts, every executable of a folder (Rekkord), an argument
 * vector (never through a shell), a script body stored in the policy (Kopia), or one Back In Time
 * {@code user-callback} executable called with Back In Time's positional arguments (profile id, profile
 * name, reason code and the reason's extra arguments) at every moment that has a reason code.
 */
public enum HookSource implements WireEnum {
    CONVENTION("convention"),
    DIRECTORY("directory"),
    COMMAND("command"),
    STORED("stored"),
    USER_CALLBACK("user-callback");

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
