package dev.fleethook.policy.service;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.policy.PolicyRevision;

/**
 * One saved revision of a policy as pages and the API see it, without its spec (read it with
 * {@link PolicyService#spec(UUID, int)}), with the property names of {@link PolicyRevision}.
 */
public record PolicyRevisionView(UUID id, UUID policyId, int number, String specHash, String author, String note,
        Instant createdAt) {

    public static PolicyRevisionView of(PolicyRevision r) {
        return new PolicyRevisionView(r.id, r.policyId, r.number, r.specHash, r.author, r.note, r.createdAt);
    }
}
