package dev.fleethook.identity.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A personal API token sent as {@code Authorization: Bearer}. */
public class ApiTokenRequest extends BaseAuthenticationRequest {
    public final String token;

    public ApiTokenRequest(String token) {
        this.token = token;
    }
}
