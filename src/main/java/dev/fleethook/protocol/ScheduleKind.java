package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a policy's start times are given: a cron expression, a daily or weekly time, or manual only (Backup Now). */
public enum ScheduleKind implements WireEnum {
    CRON("cron"),
    DAILY("daily"),
    WEEKLY("weekly"),
    MANUAL("manual");

    private final String wire;

    ScheduleKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static ScheduleKind fromWire(String value) {
        return WireEnum.parse(values(), value);
    }

    @Override
    public String toString() {
        return wire;
    }
}
