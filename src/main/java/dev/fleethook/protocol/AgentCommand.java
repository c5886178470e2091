package dev.fleethook.protocol;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An order from the portal, repeated in every poll answer until the agent acknowledges it with a
 * {@code command-acknowledged} event. {@code jobId} names the job to cancel.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentCommand(UUID id, Kind kind, UUID jobId, Instant createdAt) {

    public enum Kind implements WireEnum {
        BACKUP_NOW("backup-now"), CANCEL("cancel");

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
