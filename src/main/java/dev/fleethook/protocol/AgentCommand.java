package dev.fleethook.protocol;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An order from the portal, repeated in every poll answer until the agent acknowledges it with a
 * {@code command-acknowledged} event. {@code jobId} names the job to cancel; {@code test} says what a
 * {@code test-run} command runs (its {@code id} is the test run's id).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentCommand(UUID id, Kind kind, UUID jobId, Instant createdAt, TestRun test) {

    /** A Backup Now or Cancel (no test run). */
    public AgentCommand(UUID id, Kind kind, UUID jobId, Instant createdAt) {
        this(id, kind, jobId, createdAt, null);
    }

    public enum Kind implements WireEnum {
        BACKUP_NOW("backup-now"), CANCEL("cancel"),
        /** Run one script or hook of the policy now, outside any job ({@link TestRun}). */
        TEST_RUN("test-run");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        @com.fasterxml.jackson.annotation.JsonValue
        @Override
        public String wire() {
            return wire;
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Kind fromWire(String value) {
            return WireEnum.parse(values(), value);
        }
    }
}
