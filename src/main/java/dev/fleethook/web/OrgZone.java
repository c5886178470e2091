package dev.fleethook.web;

import java.time.ZoneId;

import dev.fleethook.tenant.CurrentTenant;
import dev.fleethook.tenant.Tenant;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/**
 * The time zone pages show times in: the organization's ({@code tenant.time_zone}, set on the Settings
 * page), UTC for the platform operator and for pages without a signed-in tenant user. Looked up once per
 * request.
 */
@RequestScoped
@io.quarkus.arc.Unremovable
public class OrgZone {

    @Inject
    CurrentTenant tenant;

    private ZoneId zone;

    /** The zone; UTC when there is no tenant or its zone is unknown to this JVM. */
    public ZoneId zone() {
        if (zone == null) {
            zone = tenant.get().map(id -> Tenant.<Tenant> findByIdOptional(id).map(t -> t.timeZone).orElse(null))
                    .map(OrgZone::parse).orElse(ZoneId.of("UTC"));
        }
        return zone;
    }

    private static ZoneId parse(String id) {
        try {
            return ZoneId.of(id);
        } catch (RuntimeException e) {
            return ZoneId.of("UTC");
        }
    }
}
