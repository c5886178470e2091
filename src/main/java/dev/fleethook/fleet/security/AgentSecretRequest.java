package dev.fleethook.fleet.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** An agent's secret sent as {@code Authorization: Bearer fha_...}. */
public class AgentSecretRequest extends BaseAuthenticationRequest {
    public final String secret;

    public AgentSecretRequest(String secret) {
        this.secret = secret;
    }
}
