package dev.fleethook.web;

import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.Tenant;
import dev.fleethook.tenant.TenantService;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The time zone pages show times in: the organization's ({@code tenant.time_zone}, set on the Settings
 * page), UTC for the platform operator and for pages without a signed-in tenant user. Zones are kept in
 * memory per tenant for a minute (dropped at once when its settings change on this replica), so that pages rendered on an I/O thread
 * (error pages) never query the database; such a page of a tenant not yet looked up shows UTC.
 */
@RequestScoped
@io.quarkus.arc.Unremovable
public class OrgZone {

    private static final ZoneId UTC = ZoneId.of("UTC");
    /** How long a looked-up zone is used before it is read again (other replicas' changes show within it). */
    private static final long FRESH_MS = 60_000;

    private record Known(ZoneId zone, long at) {
    }

    private static final Map<String, Known> ZONES = new ConcurrentHashMap<>();

    @Inject
    CurrentTenant tenant;

    /** The zone; UTC when there is no tenant or its zone is unknown to this JVM. */
    public ZoneId zone() {
        String id = tenant.get().orElse(null);
        if (id == null) {
            return UTC;
        }
        Known known = ZONES.get(id);
        if (io.vertx.core.Context.isOnEventLoopThread()
                || known != null && System.currentTimeMillis() - known.at() < FRESH_MS) {
            return known != null ? known.zone() : UTC;
        }
        ZoneId zone = Tenant.<Tenant> findByIdOptional(id).map(t -> parse(t.timeZone)).orElse(UTC);
        ZONES.put(id, new Known(zone, System.currentTimeMillis()));
        return zone;
    }

    static void settingsChanged(@Observes TenantService.TenantSettingsChanged event) {
        ZONES.remove(event.tenantId());
    }

    private static ZoneId parse(String id) {
        try {
            return ZoneId.of(id);
        } catch (RuntimeException e) {
            return UTC;
        }
    }
}
