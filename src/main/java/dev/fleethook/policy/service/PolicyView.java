package dev.fleethook.policy.service;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.policy.Policy;

/**
 * A policy as pages and the API see it (its name and current revision, not the spec), with the
 * property names of {@link Policy}, so templates read {@code p.name} either way.
 */
public record PolicyView(UUID id, String name, String description, int currentRevision, boolean isDefault,
        Instant createdAt, Instant updatedAt, long version) {

    public static PolicyView of(Policy p) {
        return new PolicyView(p.id, p.name, p.description, p.currentRevision, p.isDefault, p.createdAt, p.updatedAt,
                p.version);
    }
}
