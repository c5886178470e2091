package dev.fleethook.identity;

import java.util.Set;

/**
 * A tenant user's role. Roles nest: an admin may do everything an operator may, an operator
 * everything a viewer may. {@link #securityRoles()} is what {@code @RolesAllowed} checks.
 */
public enum Role {
    /** Everything inside the tenant: policies, servers, users, settings. */
    ADMIN,
    /** Backup Now, cancel, acknowledge alerts. */
    OPERATOR,
    /** Read only. */
    VIEWER;

    /** Security role names checked by {@code @RolesAllowed}. */
    public static final String TENANT_ADMIN = "admin";
    public static final String TENANT_OPERATOR = "operator";
    public static final String TENANT_VIEWER = "viewer";
    /** The platform operator, who runs the portal and manages tenants. */
    public static final String PLATFORM = "platform";

    public Set<String> securityRoles() {
        return switch (this) {
            case ADMIN -> Set.of(TENANT_ADMIN, TENANT_OPERATOR, TENANT_VIEWER);
            case OPERATOR -> Set.of(TENANT_OPERATOR, TENANT_VIEWER);
            case VIEWER -> Set.of(TENANT_VIEWER);
        };
    }

    public String label() {
        return name().charAt(0) + name().substring(1).toLowerCase();
    }
}
