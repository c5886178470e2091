package dev.fleethook.alert.service;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.alert.Alert;

/**
 * An alert as pages and the API see it, with the property names of {@link Alert}: {@code jobId} the first
 * job counted, {@code lastJobId} the latest, {@code occurrences} how many jobs or offline episodes it stands for.
 */
public record AlertView(UUID id, UUID serverId, UUID jobId, String kind, Alert.State state, String title,
        Instant createdAt, Instant acknowledgedAt, String acknowledgedBy, Instant resolvedAt, int occurrences,
        Instant lastOccurredAt, UUID lastJobId, Instant lastNotifiedAt) {

    public static AlertView of(Alert a) {
        return new AlertView(a.id, a.serverId, a.jobId, a.kind, a.state, a.title, a.createdAt, a.acknowledgedAt,
                a.acknowledgedBy, a.resolvedAt, a.occurrences, a.lastOccurredAt, a.lastJobId, a.lastNotifiedAt);
    }
}
