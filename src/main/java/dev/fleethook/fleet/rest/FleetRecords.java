package dev.fleethook.fleet.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleethook.fleet.service.EnrollmentTokenService;
import dev.fleethook.fleet.service.EnrollmentTokenView;
import dev.fleethook.fleet.service.ServerView;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Wire records of the servers and enrollment-token API. */
public final class FleetRecords {

    private FleetRecords() {
    }

    /** A new enrollment token. Expiry default 1 h, at most 30 days; uses default 1. */
    public record CreateTokenRequest(
            @NotBlank(message = "is required") @Size(max = 120, message = "must be at most 120 characters") String label,
            @Min(value = 1, message = "must be 1 minute to 30 days (43200 minutes)")
            @Max(value = 43_200, message = "must be 1 minute to 30 days (43200 minutes)") Integer expiresInMinutes,
            @Min(value = 1, message = "must be 1 to 10000") @Max(value = 10_000, message = "must be 1 to 10000") Integer maxUses,
            UUID policyId,
            UUID replaceServerId) {

        /** The service's command; the constraints above are its own, repeated for the API document. */
        public EnrollmentTokenService.NewToken command() {
            return new EnrollmentTokenService.NewToken(label, expiresInMinutes, maxUses, policyId, replaceServerId);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenResponse(UUID id, String label, String prefix, UUID policyId, UUID replaceServerId, int maxUses,
            int uses, Instant expiresAt, Instant revokedAt, String state, String createdBy, Instant createdAt,
            String token, String command) {

        public static TokenResponse of(EnrollmentTokenView t, String secret, String command) {
            return new TokenResponse(t.id(), t.label(), t.tokenPrefix(), t.policyId(), t.replaceServerId(), t.maxUses(),
                    t.uses(), t.expiresAt(), t.revokedAt(), t.state(Instant.now()), t.createdBy(), t.createdAt(), secret,
                    command);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServerResponse(UUID id, String hostname, String os, String agentVersion, List<String> labels,
            UUID policyId, String policyName, String status, String presence, int pollIntervalSeconds,
            Instant enrolledAt, Instant lastSeenAt, String lastRefusal, UUID replacedServerId, int rejectedEvents,
            UUID runningJobId) {

        /** {@code rejectedEvents}: events the agent set aside as refused (from its polls); {@code runningJobId}: the job its last poll said it runs. */
        public static ServerResponse of(ServerView s, String policyName) {
            return new ServerResponse(s.id(), s.hostname(), s.os(), s.agentVersion(), s.labels(), s.policyId(), policyName,
                    s.status().name().toLowerCase(), s.presence(Instant.now()).name().toLowerCase().replace('_', '-'),
                    s.pollIntervalSeconds(), s.enrolledAt(), s.lastSeenAt(), s.lastRefusal(), s.replacedServerId(),
                    s.rejectedEvents(), s.runningJobId());
        }
    }

    public record AssignPolicyRequest(UUID policyId) {
    }

    public record UpdateServerRequest(@Size(max = 20, message = "at most 20 labels") List<String> labels) {
    }

    public record CommandResponse(UUID id, String kind, UUID serverId, UUID jobId, Instant createdAt) {
    }
}
