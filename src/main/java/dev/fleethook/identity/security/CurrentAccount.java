package dev.fleethook.identity.security;

import dev.fleethook.identity.Account;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** The signed-in account of this request. */
@RequestScoped
public class CurrentAccount {

    @Inject
    SecurityIdentity identity;

    public Account get() {
        Account account = identity.isAnonymous() ? null : identity.getAttribute(Identities.ACCOUNT);
        if (account == null) {
            throw new UnauthorizedException();
        }
        return account;
    }

    /** The browser session this request came with, or null (API tokens, anonymous callers). */
    public java.util.UUID sessionId() {
        return identity.isAnonymous() ? null : identity.getAttribute(Identities.SESSION);
    }

    /** Whether a user or an operator is signed in (agents and anonymous callers are not). */
    public boolean signedIn() {
        return !identity.isAnonymous() && identity.getAttribute(Identities.ACCOUNT) != null;
    }

    /** The email to record as author of a change: the signed-in account's, or "system" for start-up work. */
    public String email() {
        Account account = identity.isAnonymous() ? null : identity.getAttribute(Identities.ACCOUNT);
        return account == null ? "system" : account.email();
    }
}
