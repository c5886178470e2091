package dev.fleethook.identity.security;

import dev.fleethook.identity.Account;
import dev.fleethook.kernel.Actors;
import dev.fleethook.kernel.CurrentTenant;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** Turns an {@link Account} into the security identity that carries its roles and tenant. */
public final class Identities {

    public static final String ACCOUNT = Actors.ACCOUNT_ATTRIBUTE;

    /** The attribute that carries the id of the browser session a page request came with (a {@link java.util.UUID}). */
    public static final String SESSION = "fleethook.session";

    private Identities() {
    }

    public static SecurityIdentity of(Account account) {
        return builder(account).build();
    }

    /** The identity of a page request signed in through a browser session. */
    public static SecurityIdentity of(dev.fleethook.identity.service.SessionService.SignedIn signedIn) {
        return builder(signedIn.account()).addAttribute(SESSION, signedIn.sessionId()).build();
    }

    private static QuarkusSecurityIdentity.Builder builder(Account account) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(account.email()))
                .addRoles(account.securityRoles())
                .addAttribute(ACCOUNT, account);
        if (account.tenantId() != null) {
            builder.addAttribute(CurrentTenant.ATTRIBUTE, account.tenantId());
        }
        return builder;
    }
}
