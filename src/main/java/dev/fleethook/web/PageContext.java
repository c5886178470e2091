package dev.fleethook.web;

import dev.fleethook.webkit.Flash;
import dev.fleethook.identity.Account;
import dev.fleethook.identity.Role;
import dev.fleethook.identity.security.Identities;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * What the layout needs to know about the viewer: {@code {inject:page.account}} in templates. The CSRF token
 * is not here: templates read it from quarkus-rest-csrf as {@code {inject:csrf.token}}.
 */
@Named("page")
@RequestScoped
public class PageContext {

    @Inject
    SecurityIdentity identity;

    @Inject
    CurrentVertxRequest request;

    /** The confirmation of the action that redirected here ({@link Flash}), or null. */
    public String flash() {
        RoutingContext rc = request.getCurrent();
        if (rc == null || rc.request().getHeader("HX-Request") != null) {
            return null;
        }
        Cookie cookie = rc.request().getCookie(Flash.COOKIE);
        return cookie == null ? null : Flash.read(cookie.getValue());
    }

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
