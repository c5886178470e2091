package dev.fleethook.fleet.service;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.fleet.AgentCommandEntity;

/** A queued agent command: {@code kind} is the {@code AgentCommand.Kind} name (BACKUP_NOW, CANCEL, TEST_RUN). */
public record CommandView(UUID id, UUID serverId, String kind, UUID jobId, String createdBy, Instant createdAt,
        Instant acknowledgedAt) {

    public static CommandView of(AgentCommandEntity c) {
        return new CommandView(c.id, c.serverId, c.kind, c.jobId, c.createdBy, c.createdAt, c.acknowledgedAt);
    }
}
