package dev.fleethook.identity.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The value of the session cookie of a browser. */
public class SessionCookieRequest extends BaseAuthenticationRequest {
    public final String token;

    public SessionCookieRequest(String token) {
        this.token = token;
    }
}
