package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The operating system a policy document is rendered for: it decides script names (.sh / .bat) and folders. */
public enum TargetOs implements WireEnum {
    LINUX("linux"),
    WINDOWS("windows");

    private final String wire;

    TargetOs(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static TargetOs fromWire(String value) {
        return WireEnum.parse(values(), value);
    }

    @Override
    public String toString() {
        return wire;
    }
}
