package dev.fleethook.kernel;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The one place where the current tenant is resolved. Requests get it from their authenticated
 * identity (user, API token or agent); background work and bootstrap code name it explicitly through
 * {@link #inTransaction}. Hibernate's discriminator multitenancy reads it through
 * {@link HibernateTenantResolver}, so every query on a tenant-owned entity is filtered by it, and
 * {@link TenantConnectionInterceptor} hands the same value to PostgreSQL's row-level security on every
 * connection the pool lends, so native SQL that forgets the tenant sees no other tenant's rows. The only
 * way to read across tenants is {@link CrossTenant}.
 */
@ApplicationScoped
public class CurrentTenant {

    /** The identity attribute that carries the tenant of an authenticated caller. */
    public static final String ATTRIBUTE = "fleethook.tenant";

    /** Matches no tenant: what unauthenticated and platform-level work sees of tenant-owned tables. */
    public static final String NONE = "00000000-0000-0000-0000-000000000000";

    private static final ThreadLocal<String> EXPLICIT = new ThreadLocal<>();
    /** The sanctioned cross-tenant use of the running transaction, set only by {@link CrossTenant}. */
    private static final ThreadLocal<CrossTenant.Use> CROSS = new ThreadLocal<>();

    @Inject
    CurrentIdentityAssociation identities;

    /** The current tenant, or {@link #NONE}. */
    public String id() {
        String explicit = EXPLICIT.get();
        if (explicit != null) {
            return explicit;
        }
        if (!Arc.container().requestContext().isActive()) {
            return NONE;
        }
        SecurityIdentity identity = identities.getIdentity();
        String fromIdentity = identity == null ? null : identity.getAttribute(ATTRIBUTE);
        return fromIdentity == null ? NONE : fromIdentity;
    }

    public Optional<String> get() {
        String id = id();
        return NONE.equals(id) ? Optional.empty() : Optional.of(id);
    }

    /** The current tenant; callers without one get 404, never a hint that tenant data exists. */
    public String require() {
        return get().orElseThrow(ObjectNotFoundException::new);
    }

    /**
     * Runs {@code work} in a new transaction whose Hibernate session is bound to {@code tenantId}.
     * Used by the operator (creating a tenant's first admin), start-up seeding and background tasks.
     */
    public <T> T inTransaction(String tenantId, Supplier<T> work) {
        return inTransaction(tenantId, null, work::get);
    }

    /** The cross-tenant use the current work runs under, if any (read by {@link TenantConnectionInterceptor}). */
    Optional<CrossTenant.Use> crossTenantUse() {
        return Optional.ofNullable(CROSS.get());
    }

    /**
     * Runs {@code work} in a new transaction bound to {@code tenantId}; with a {@code use}, row-level
     * security lets that transaction see every tenant's rows (only {@link CrossTenant} passes one).
     */
    <T> T inTransaction(String tenantId, CrossTenant.Use use, Callable<T> work) {
        String previous = EXPLICIT.get();
        CrossTenant.Use previousUse = CROSS.get();
        EXPLICIT.set(tenantId);
        CROSS.set(use);
        // Hibernate asks for the tenant only inside a request context; start-up and background work
        // run outside one.
        ManagedContext requestContext = Arc.container().requestContext();
        boolean activated = !requestContext.isActive();
        if (activated) {
            requestContext.activate();
        }
        try {
            return QuarkusTransaction.requiringNew().call(work);
        } finally {
            if (activated) {
                requestContext.terminate();
            }
            if (previousUse == null) {
                CROSS.remove();
            } else {
                CROSS.set(previousUse);
            }
            if (previous == null) {
                EXPLICIT.remove();
            } else {
                EXPLICIT.set(previous);
            }
        }
    }

    /**
     * Like {@link #inTransaction(String, Supplier)} outside any tenant: for platform tables only (tenant,
     * operator accounts, sessions, API tokens, the sign-in throttle). Tenant-owned tables show no rows here,
     * to Hibernate and to native SQL alike; reading across tenants takes {@link CrossTenant}.
     */
    public <T> T withoutTenant(Supplier<T> work) {
        return inTransaction(NONE, work);
    }
}
