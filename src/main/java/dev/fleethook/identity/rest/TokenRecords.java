package dev.fleethook.identity.rest;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleethook.identity.service.ApiTokenView;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Wire records for personal API tokens. */
public final class TokenRecords {

    private TokenRecords() {
    }

    public record CreateTokenRequest(
            @NotBlank(message = "is required") @Size(max = 80, message = "must be at most 80 characters") String name,
            @Min(value = 1, message = "must be 1 to 365 days") @Max(value = 365, message = "must be 1 to 365 days")
            Integer expiresInDays) {
    }

    /** A token as listed; {@code token} (the secret) is present only in the answer that created it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenResponse(UUID id, String name, String prefix, Instant createdAt, Instant expiresAt,
            Instant lastUsedAt, Instant revokedAt, String token) {

        public static TokenResponse of(ApiTokenView t, String secret) {
            return new TokenResponse(t.id(), t.name(), t.tokenPrefix(), t.createdAt(), t.expiresAt(), t.lastUsedAt(),
                    t.revokedAt(), secret);
        }
    }

    public record MeResponse(UUID id, String email, String displayName, String kind, String role, String tenantId) {
    }
}
