package dev.fleethook.identity.service;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.identity.ApiToken;

/**
 * A personal API token as pages and the API see it (never its hash, only the prefix that names it), with
 * the property names of {@link ApiToken}; {@code expiresAt} null when it never expires.
 */
public record ApiTokenView(UUID id, String name, String tokenPrefix, Instant createdAt, Instant lastUsedAt,
        Instant expiresAt, Instant revokedAt) {

    public static ApiTokenView of(ApiToken t) {
        return new ApiTokenView(t.id, t.name, t.tokenPrefix, t.createdAt, t.lastUsedAt, t.expiresAt, t.revokedAt);
    }
}
