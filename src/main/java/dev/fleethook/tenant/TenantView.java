package dev.fleethook.tenant;

import java.time.Instant;

/**
 * A tenant as pages and the API see it, with the property names of {@link Tenant}: {@code timeZone} an
 * IANA zone id, {@code maxScriptTimeoutSeconds} null for no maximum, {@code jobRetentionDays} in days.
 */
public record TenantView(String id, String name, String slug, String timeZone, boolean suspended,
        Integer maxScriptTimeoutSeconds, int jobRetentionDays, Instant createdAt) {

    public static TenantView of(Tenant t) {
        return new TenantView(t.id, t.name, t.slug, t.timeZone, t.suspended, t.maxScriptTimeoutSeconds,
                t.jobRetentionDays, t.createdAt);
    }
}
