package dev.fleethook.identity.security;

import dev.fleethook.identity.service.IdentityConfig;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;

/** The session cookie: HttpOnly, SameSite=Lax, Secure in production, scoped to the whole portal. */
public final class SessionCookies {

    private SessionCookies() {
    }

    public static Cookie issue(IdentityConfig config, String token) {
        return base(config, token).setMaxAge(config.session().maxLifetime().toSeconds());
    }

    public static Cookie expired(IdentityConfig config) {
        return base(config, "").setMaxAge(0);
    }

    private static Cookie base(IdentityConfig config, String value) {
        return Cookie.cookie(config.session().cookieName(), value)
                .setPath("/")
                .setHttpOnly(true)
                .setSecure(config.session().secureCookie())
                .setSameSite(CookieSameSite.LAX);
    }
}
