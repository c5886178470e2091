package dev.fleethook.web;

import dev.fleethook.identity.Account;
import dev.fleethook.identity.Role;
import dev.fleethook.identity.security.Identities;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** What the layout needs to know about the viewer: {@code {inject:page.account}} in templates. */
@Named("page")
@RequestScoped
public class PageContext {

    @Inject
    SecurityIdentity identity;

    public Account account() {
        return identity.isAnonymous() ? null : identity.getAttribute(Identities.ACCOUNT);
    }

    public boolean signedIn() {
        return account() != null;
    }

    public boolean operator() {
        return identity.hasRole(Role.PLATFORM);
    }

    public boolean admin() {
        return identity.hasRole(Role.TENANT_ADMIN);
    }

    public boolean canOperate() {
        return identity.hasRole(Role.TENANT_OPERATOR);
    }

    public boolean tenantUser() {
        return identity.hasRole(Role.TENANT_VIEWER);
    }
}
