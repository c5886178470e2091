package dev.fleethook.tenant.rest;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleethook.tenant.TenantView;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record TenantResponse(String id, String name, String slug, String timeZone, boolean suspended, Instant createdAt,
        Long users, FirstAdmin firstAdmin) {

    /** Present only in the answer that created the tenant; the password only if it was generated. */
    public record FirstAdmin(UUID id, String email, String generatedPassword) {
    }

    public static TenantResponse of(TenantView t, Long users) {
        return new TenantResponse(t.id(), t.name(), t.slug(), t.timeZone(), t.suspended(), t.createdAt(), users, null);
    }
}
