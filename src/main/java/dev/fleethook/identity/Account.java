package dev.fleethook.identity;

import java.util.Set;
import java.util.UUID;

/**
 * Who is signed in: a platform operator (no tenant, no role) or a tenant user. This is the
 * principal behind every authenticated request.
 */
public record Account(Kind kind, UUID id, String tenantId, String email, String displayName, Role role) {

    public enum Kind { OPERATOR, USER }

    public static Account of(OperatorAccount operator) {
        return new Account(Kind.OPERATOR, operator.id, null, operator.email, operator.displayName, null);
    }

    public static Account of(User user) {
        return new Account(Kind.USER, user.id, user.tenantId, user.email, user.displayName, user.role);
    }

    public boolean isOperator() {
        return kind == Kind.OPERATOR;
    }

    public Set<String> securityRoles() {
        return isOperator() ? Set.of(Role.PLATFORM) : role.securityRoles();
    }
}
