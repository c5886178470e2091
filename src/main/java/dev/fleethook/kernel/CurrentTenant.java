package dev.fleethook.kernel;

import java.util.Optional;
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
 * {@link HibernateTenantResolver}, so every query on a tenant-owned entity is filtered by it.
 */
@ApplicationScoped
public class CurrentTenant {

    /** The identity attribute that carries the tenant of an authenticated caller. */
    public static final String ATTRIBUTE = "fleethook.tenant";

    /** Matches no tenant: what unauthenticated and platform-level work sees of tenant-owned tables. */
    public static final String NONE = "00000000-0000-0000-0000-000000000000";

    private static final ThreadLocal<String> EXPLICIT = new ThreadLocal<>();

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
        String previous = EXPLICIT.get();
        EXPLICIT.set(tenantId);
        // Hibernate asks for the tenant only inside a request context; start-up and background work
        // run outside one.
        ManagedContext requestContext = Arc.container().requestContext();
        boolean activated = !requestContext.isActive();
        if (activated) {
            requestContext.activate();
        }
        try {
            return QuarkusTransaction.requiringNew().call(work::get);
        } finally {
            if (activated) {
                requestContext.terminate();
            }
            if (previous == null) {
                EXPLICIT.remove();
            } else {
                EXPLICIT.set(previous);
            }
        }
    }

    /** Like {@link #inTransaction(String, Supplier)} outside any tenant: for platform tables only. */
    public <T> T withoutTenant(Supplier<T> work) {
        return inTransaction(NONE, work);
    }
}
