package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The outcome of a whole job, after its last attempt; {@code running} until then. */
public enum JobStatus implements WireEnum {
    RUNNING("running"), SUCCEEDED("succeeded"), PARTIAL("partial"), FAILED("failed"), CANCELED("canceled"),
    SKIPPED("skipped");

    private final String wire;

    JobStatus(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static JobStatus fromWire(String value) {
        return WireEnum.parse(values(), value);
    }
}
