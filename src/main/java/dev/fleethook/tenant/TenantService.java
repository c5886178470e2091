package dev.fleethook.tenant;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.fleethook.audit.AuditService;
import dev.fleethook.identity.Role;
import dev.fleethook.identity.User;
import dev.fleethook.identity.service.PasswordHasher;
import dev.fleethook.identity.service.Secrets;
import dev.fleethook.tenant.rest.TenantRequests.CreateTenantRequest;
import dev.fleethook.tenant.rest.TenantRequests.TenantSettingsRequest;
import dev.fleethook.tenant.rest.TenantRequests.UpdateTenantRequest;
import dev.fleethook.web.BadInputException;
import dev.fleethook.web.ConflictException;
import dev.fleethook.web.InputValidator;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.NotFoundException;

/** Platform-operator work on tenants. A tenant and its first admin are created in one transaction. */
@ApplicationScoped
public class TenantService {

    public record Created(Tenant tenant, User admin, String generatedPassword) {
    }

    /**
     * Fired inside the transaction that creates a tenant, bound to that tenant: features add what a new
     * tenant starts with (the default policy) so that it is created with it or not at all.
     */
    public record TenantCreated(String tenantId) {
    }

    @Inject
    Event<TenantCreated> tenantCreated;

    @Inject
    AuditService audit;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    CrossTenant crossTenant;

    @Inject
    InputValidator validator;

    @Inject
    PasswordHasher hasher;

    public List<Tenant> list() {
        return currentTenant.withoutTenant(() -> Tenant.listAll(Sort.by("name")));
    }

    public Optional<Tenant> find(String id) {
        return currentTenant.withoutTenant(() -> Tenant.findByIdOptional(id));
    }

    /** Users per tenant, for the operator's overview (a platform-level aggregate, no user data). */
    public Map<String, Long> userCounts() {
        return crossTenant.run(CrossTenant.Use.OPERATOR, () -> {
            Map<String, Long> counts = new HashMap<>();
            List<?> rows = Panache.getEntityManager()
                    .createNativeQuery("SELECT tenant_id, count(*) FROM app_user GROUP BY tenant_id").getResultList();
            for (Object row : rows) {
                Object[] r = (Object[]) row;
                counts.put((String) r[0], ((Number) r[1]).longValue());
            }
            return counts;
        });
    }

    public Created create(CreateTenantRequest request) {
        validator.check(request);
        String zone = request.timeZone() == null || request.timeZone().isBlank() ? "UTC" : request.timeZone().trim();
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new BadInputException("timeZone", "must be a time zone such as Europe/Paris or UTC");
        }
        String tenantId = UUID.randomUUID().toString();
        String password = request.adminPassword() == null ? Secrets.newPassword() : request.adminPassword();
        String passwordHash = hasher.hash(password);
        return currentTenant.inTransaction(tenantId, () -> {
            Tenant tenant = new Tenant();
            tenant.id = tenantId;
            tenant.name = request.name().trim();
            tenant.slug = request.slug();
            tenant.timeZone = zone;
            tenant.createdAt = Instant.now();
            User admin = new User();
            admin.id = UUID.randomUUID();
            admin.email = request.adminEmail().trim();
            admin.displayName = request.adminName().trim();
            admin.role = Role.ADMIN;
            admin.passwordHash = passwordHash;
            admin.createdAt = tenant.createdAt;
            try {
                tenant.persistAndFlush();
                admin.persistAndFlush();
            } catch (PersistenceException e) {
                if (ConflictException.isUniqueViolation(e, "tenant_slug_unique")) {
                    throw new ConflictException("The slug " + tenant.slug + " is already taken.");
                }
                if (ConflictException.isUniqueViolation(e, "app_user_email_unique")) {
                    throw new ConflictException("The email " + admin.email + " is already in use.");
                }
                throw e;
            }
            tenantCreated.fire(new TenantCreated(tenantId));
            audit.record("tenant.create", "tenant", tenantId, "Created tenant " + tenant.name + " with admin " + admin.email,
                    null, Map.of("name", tenant.name, "slug", tenant.slug, "timeZone", tenant.timeZone));
            return new Created(tenant, admin, request.adminPassword() == null ? password : null);
        });
    }

    public Tenant update(String id, UpdateTenantRequest request) {
        validator.check(request);
        if (find(id).isEmpty()) {
            throw new NotFoundException();
        }
        return currentTenant.inTransaction(id, () -> {
            Tenant tenant = Tenant.<Tenant> findById(id);
            Map<String, Object> before = Map.of("name", tenant.name, "suspended", tenant.suspended);
            if (request.name() != null) {
                tenant.name = request.name().trim();
            }
            if (request.suspended() != null) {
                tenant.suspended = request.suspended();
            }
            settingsChanged.fire(new TenantSettingsChanged(id));
            audit.record("tenant.update", "tenant", id, (tenant.suspended ? "Suspended" : "Updated") + " tenant " + tenant.name,
                    before, Map.of("name", tenant.name, "suspended", tenant.suspended));
            return tenant;
        });
    }

    /** The current tenant's own settings, changed by its admin. */
    @jakarta.transaction.Transactional
    public Tenant updateSettings(TenantSettingsRequest request) {
        validator.check(request);
        Tenant tenant = Tenant.<Tenant> findByIdOptional(currentTenant.require()).orElseThrow(NotFoundException::new);
        Map<String, Object> before = settings(tenant);
        if (request.timeZone() != null) {
            try {
                tenant.timeZone = ZoneId.of(request.timeZone().trim()).getId();
            } catch (DateTimeException e) {
                throw new BadInputException("timeZone", "must be a time zone such as Europe/Paris or UTC");
            }
        }
        if (request.jobRetentionDays() != null) {
            tenant.jobRetentionDays = request.jobRetentionDays();
        }
        if (request.maxScriptTimeoutSeconds() != null) {
            tenant.maxScriptTimeoutSeconds = request.maxScriptTimeoutSeconds() == 0 ? null : request.maxScriptTimeoutSeconds();
        }
        audit.record("tenant.settings", "tenant", tenant.id, "Changed organization settings", before, settings(tenant));
        settingsChanged.fire(new TenantSettingsChanged(tenant.id));
        return tenant;
    }

    /** Fired when settings that shape policy documents change, such as the time zone. */
    public record TenantSettingsChanged(String tenantId) {
    }

    @Inject
    Event<TenantSettingsChanged> settingsChanged;

    private static Map<String, Object> settings(Tenant t) {
        Map<String, Object> m = new HashMap<>();
        m.put("timeZone", t.timeZone);
        m.put("maxScriptTimeoutSeconds", t.maxScriptTimeoutSeconds);
        m.put("jobRetentionDays", t.jobRetentionDays);
        return m;
    }
}
