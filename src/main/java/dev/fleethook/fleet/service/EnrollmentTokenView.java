package dev.fleethook.fleet.service;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.fleet.EnrollmentToken;

/**
 * An enrollment token as pages and the API see it: never its hash, only the prefix that names it, with
 * the property names of {@link EnrollmentToken}.
 */
public record EnrollmentTokenView(UUID id, String label, String tokenPrefix, UUID policyId, UUID replaceServerId,
        int maxUses, int uses, Instant expiresAt, Instant revokedAt, String createdBy, Instant createdAt) {

    public static EnrollmentTokenView of(EnrollmentToken t) {
        return new EnrollmentTokenView(t.id, t.label, t.tokenPrefix, t.policyId, t.replaceServerId, t.maxUses, t.uses,
                t.expiresAt, t.revokedAt, t.createdBy, t.createdAt);
    }

    /** Whether a server can still enroll with it at {@code now}. */
    public boolean usable(Instant now) {
        return state(now).equals("active");
    }

    /** {@code active}, {@code expired}, {@code used up} or {@code revoked}: {@link EnrollmentToken#state(Instant, int, int, Instant, Instant)}. */
    public String state(Instant now) {
        return EnrollmentToken.state(revokedAt, uses, maxUses, expiresAt, now);
    }
}
