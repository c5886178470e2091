package dev.fleethook.identity.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * An agent's secret sent as {@code Authorization: Bearer fha_...}. Made by identity's authentication
 * mechanism (the one place that reads credentials), checked by fleet's {@code AgentIdentityProvider}.
 */
public class AgentSecretRequest extends BaseAuthenticationRequest {
    public final String secret;

    public AgentSecretRequest(String secret) {
        this.secret = secret;
    }
}
