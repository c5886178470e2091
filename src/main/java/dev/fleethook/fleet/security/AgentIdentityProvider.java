package dev.fleethook.fleet.security;

import dev.fleethook.fleet.AgentCredential;
import dev.fleethook.fleet.service.AgentService;
import dev.fleethook.fleet.service.PollCache;
import dev.fleethook.kernel.Secrets;
import dev.fleethook.kernel.CurrentTenant;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.identity.security.AgentSecretRequest;

/**
 * Agents authenticate with their secret. A known secret is answered from memory on the I/O thread (no
 * database, no thread switch); an unknown one is looked up once. Revoked, disabled or suspended: 401.
 */
@ApplicationScoped
public class AgentIdentityProvider implements IdentityProvider<AgentSecretRequest> {

    /** The role of agents, and the identity attribute holding their {@link AgentCredential}. */
    public static final String ROLE = "agent";
    public static final String CREDENTIAL = "fleethook.agent";

    @Inject
    AgentService agents;

    @Inject
    PollCache cache;

    @Override
    public Class<AgentSecretRequest> getRequestType() {
        return AgentSecretRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(AgentSecretRequest request, AuthenticationRequestContext context) {
        if (request.secret == null || !request.secret.startsWith(AgentService.SECRET_PREFIX)) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        String hash = Secrets.sha256(request.secret);
        AgentCredential cached = cache.credential(hash);
        if (cached != null) {
            return cached.allowed() ? Uni.createFrom().item(identity(cached))
                    : Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return context.runBlocking(() -> agents.credential(hash).filter(AgentCredential::allowed).map(this::identity)
                .orElseThrow(AuthenticationFailedException::new));
    }

    private SecurityIdentity identity(AgentCredential c) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("agent:" + c.serverId()))
                .addRole(ROLE).addAttribute(CREDENTIAL, c).addAttribute(CurrentTenant.ATTRIBUTE, c.tenantId()).build();
    }
}
