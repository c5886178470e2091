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
import dev.fleethook.kernel.Secrets;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import dev.fleethook.kernel.InputValidator;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import dev.fleethook.kernel.ObjectNotFoundException;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.kernel.TenantGate;

/** Platform-operator work on tenants. A tenant and its first admin are created in one transaction. */
@ApplicationScoped
public class TenantService implements TenantGate {

    /** A tenant just created with its first admin; {@code generatedPassword} only when none was given. */
    public record Created(TenantView tenant, UUID adminId, String adminEmail, String generatedPassword) {
    }

    /**
     * A new tenant and its first admin (the API's {@code CreateTenantRequest} and the operator's form):
     * time zone UTC when blank; without an admin password one is generated and returned once.
     */
    public record NewTenant(
            @NotBlank(message = "is required") @Size(max = 120, message = "must be at most 120 characters") String name,
            @NotBlank(message = "is required")
            @Pattern(regexp = "[a-z0-9][a-z0-9-]{1,62}", message = "must be 2 to 63 lowercase letters, digits or dashes")
            String slug,
            @Size(max = 64) String timeZone,
            @NotBlank(message = "is required") @Email(message = "must be an email address") @Size(max = 254) String adminEmail,
            @NotBlank(message = "is required") @Size(max = 120, message = "must be at most 120 characters") String adminName,
            @dev.fleethook.identity.PasswordRule String adminPassword) {
    }

    /** A change of a tenant by the operator; a null field keeps its value. Suspending signs its users and agents out. */
    public record TenantChange(
            @Size(min = 1, max = 120, message = "must be 1 to 120 characters") String name,
            Boolean suspended) {
    }

    /** A change of the organization's own settings; a null field keeps its value, a maximum of 0 removes it. */
    public record SettingsChange(
            @Size(max = 64, message = "must be at most 64 characters") String timeZone,
            @jakarta.validation.constraints.Min(value = 0, message = "must be 0 (no maximum) to 86400 seconds")
            @jakarta.validation.constraints.Max(value = 86400, message = "must be 0 (no maximum) to 86400 seconds")
            Integer maxScriptTimeoutSeconds,
            @jakarta.validation.constraints.Min(value = 1, message = "must be 1 to 3650 days")
            @jakarta.validation.constraints.Max(value = 3650, message = "must be 1 to 3650 days")
            Integer jobRetentionDays) {
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
    InputValidator validator;

    @Inject
    PasswordHasher hasher;

    @Inject
    dev.fleethook.identity.service.UserService users;

    /** Every tenant, by name (platform operators). */
    public List<TenantView> list() {
        return currentTenant.withoutTenant(() -> Tenant.<Tenant> listAll(Sort.by("name")).stream()
                .map(TenantView::of).toList());
    }

    @Override
    public boolean active(String tenantId) {
        Tenant tenant = Tenant.findById(tenantId);
        return tenant != null && !tenant.suspended;
    }

    /** The tenant with this id (a UUID as text), if any. */
    public Optional<TenantView> find(String id) {
        return currentTenant.withoutTenant(() -> Tenant.<Tenant> findByIdOptional(id).map(TenantView::of));
    }

    /**
     * The current tenant, read in the caller's transaction (none of its own: the tenant table is platform-level,
     * readable in every tenant's session); empty without a current tenant or when it no longer exists. Lets a
     * page read its tenant on the connection its other queries use (the dashboard).
     */
    public Optional<TenantView> current() {
        return currentTenant.get().flatMap(id -> Tenant.<Tenant> findByIdOptional(id)).map(TenantView::of);
    }

    /** Users per tenant, for the operator's overview (a platform-level aggregate, no user data); identity counts them. */
    public Map<String, Long> userCounts() {
        return users.countsByTenant();
    }

    /**
     * Creates a tenant and its first admin in one transaction, audited as {@code tenant.create}.
     *
     * @throws BadInputException naming the field
     * @throws ConflictException when the slug or the admin's email is taken
     */
    public Created create(NewTenant request) {
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
            return new Created(TenantView.of(tenant), admin.id, admin.email,
                    request.adminPassword() == null ? password : null);
        });
    }

    /**
     * Renames, suspends or resumes a tenant, audited as {@code tenant.update}.
     *
     * @throws ObjectNotFoundException when there is no such tenant
     */
    public TenantView update(String id, TenantChange request) {
        validator.check(request);
        if (find(id).isEmpty()) {
            throw new ObjectNotFoundException();
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
            return TenantView.of(tenant);
        });
    }

    /** The current tenant's own settings, changed by its admin. */
    @jakarta.transaction.Transactional
    public TenantView updateSettings(SettingsChange request) {
        validator.check(request);
        Tenant tenant = Tenant.<Tenant> findByIdOptional(currentTenant.require()).orElseThrow(ObjectNotFoundException::new);
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
        return TenantView.of(tenant);
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
