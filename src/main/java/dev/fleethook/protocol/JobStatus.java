package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The outcome of a whole job, after its last attempt; {@code running} until then. {@code warning}: the
 * backup succeeded but a pre/post-script or a hook failed (Veeam's Warning, Druva's "Successful with
 * errors"); the portal derives it from the reported steps, so agents keep reporting {@code succeeded}.
 * {@code abandoned}: set by the portal only, for a job its agent stopped reporting (crashed, revoked,
 * disabled) — a later report from the agent replaces it.
 */
public enum JobStatus implements WireEnum {
    RUNNING("running"), SUCCEEDED("succeeded"), WARNING("warning"), PARTIAL("partial"), FAILED("failed"),
    CANCELED("canceled"), SKIPPED("skipped"), ABANDONED("abandoned");

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
