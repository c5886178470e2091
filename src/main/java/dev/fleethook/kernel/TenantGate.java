package dev.fleethook.kernel;

/**
 * Whether a tenant's users and tokens may act: it exists and is not suspended. Owned and implemented by
 * the tenant feature (it owns the {@code tenant} table); identity asks it on every credential check, so
 * identity does not depend on tenant while tenant creates its first admin through identity.
 */
public interface TenantGate {

    /** True when the tenant exists and is not suspended. Runs in the caller's transaction. */
    boolean active(String tenantId);
}
