package dev.fleethook.identity.security;

import dev.fleethook.identity.service.SignInService;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** HTTP Basic email:password, accepted only where a token is being created (see the mechanism). */
@ApplicationScoped
public class PasswordIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    @Inject
    SignInService signIn;

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        return context.runBlocking(() -> {
            RoutingContext client = HttpSecurityUtils.getRoutingContextAttribute(request);
            try {
                return Identities.of(signIn.authenticate(request.getUsername(),
                        new String(request.getPassword().getPassword()),
                        client == null || client.request().remoteAddress() == null ? null
                                : client.request().remoteAddress().host()));
            } catch (SignInService.ThrottledException e) {
                RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
                if (rc != null) {
                    rc.put(FleethookAuthenticationMechanism.RETRY_AFTER, e.retryAfter);
                }
                throw new AuthenticationFailedException(e.getMessage());
            } catch (SignInService.InvalidCredentialsException e) {
                throw new AuthenticationFailedException(e.getMessage());
            }
        });
    }
}
