package dev.fleethook.kernel;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is acting, as the audit log names it, without knowing identity's account types: the security
 * identity carries the signed-in account under {@link #ACCOUNT_ATTRIBUTE} and its email as principal
 * name (identity's {@code Identities.of}); agents, anonymous callers and background work are "system".
 */
public final class Actors {

    /** The identity attribute that carries the signed-in account (a user or a platform operator). */
    public static final String ACCOUNT_ATTRIBUTE = "fleethook.account";

    /** What background and agent work is recorded as. */
    public static final String SYSTEM = "system";

    private Actors() {
    }

    /** The signed-in account's email, or {@link #SYSTEM}. */
    public static String name(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || identity.getAttribute(ACCOUNT_ATTRIBUTE) == null) {
            return SYSTEM;
        }
        return identity.getPrincipal().getName();
    }
}
