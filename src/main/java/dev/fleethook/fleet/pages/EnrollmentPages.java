package dev.fleethook.fleet.pages;

import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;

import dev.fleethook.fleet.service.AgentJar;
import dev.fleethook.fleet.service.EnrollmentTokenView;
import dev.fleethook.fleet.service.EnrollmentTokenService;
import dev.fleethook.identity.Role;
import dev.fleethook.identity.service.IdentityConfig;
import dev.fleethook.policy.service.PolicyView;
import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.webkit.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Enrollment: the agent jar to download (with its SHA-256, or how to build it when this portal has none),
 * enrollment tokens (created shown once, with the command to paste on the server), revoke.
 */
@Path("/enrollment")
@RolesAllowed(Role.TENANT_ADMIN)
@Produces(MediaType.TEXT_HTML)
public class EnrollmentPages {

    /** A token just created: its secret and command line, shown on this page only. */
    public record Fresh(String label, String token, String command) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance tokens(List<EnrollmentTokenView> tokens, List<PolicyView> policies, Fresh fresh,
                BadInputException errors, java.time.Instant now, AgentJar.Available agentJar, String nav);
    }

    @Inject
    EnrollmentTokenService tokens;

    @Inject
    PolicyService policies;

    @Inject
    AgentJar agentJar;

    @Inject
    IdentityConfig identity;

    /**
     * The page; right after a creation, the new token's command line once: the secret arrives in {@link
     * Flash#SECRET_COOKIE} and is shown only when it belongs to one of this tenant's tokens (matched by its
     * stored prefix), whose label the notice names.
     */
    @GET
    public TemplateInstance list(@CookieParam(Flash.SECRET_COOKIE) String created) {
        String secret = Flash.read(created);
        List<EnrollmentTokenView> all = tokens.list();
        Fresh fresh = secret == null ? null : all.stream().filter(t -> secret.startsWith(t.tokenPrefix())).findFirst()
                .map(t -> new Fresh(t.label(), secret, tokens.commandLine(secret))).orElse(null);
        return Templates.tokens(all, policies.list(), fresh, null, java.time.Instant.now(), agentJar.find().orElse(null),
                "enrollment");
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@RestForm String label, @RestForm String expiresInMinutes, @RestForm String maxUses,
            @RestForm String policyId) {
        try {
            EnrollmentTokenService.Created c = tokens.create(new EnrollmentTokenService.NewToken(label,
                    number("expiresInMinutes", expiresInMinutes), number("maxUses", maxUses),
                    dev.fleethook.kernel.Uuids.parse("policyId", policyId), null));
            // Post/redirect/get: the secret crosses the redirect in a one-time cookie for this page, never in the URL;
            // the page rebuilds the command line from it.
            return Flash.redirect("/enrollment", "Created the enrollment token " + c.token().label() + ".", c.secret(),
                    identity.session().secureCookie());
        } catch (BadInputException e) {
            return Response.status(400).entity(render(e)).build();
        }
    }

    @POST
    @Path("/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") UUID id) {
        EnrollmentTokenView revoked = tokens.revoke(id);
        return Flash.redirect("/enrollment", "Revoked the enrollment token " + revoked.label()
                + ": no new server can enroll with it.");
    }

    private TemplateInstance render(BadInputException errors) {
        return Templates.tokens(tokens.list(), policies.list(), null, errors, java.time.Instant.now(),
                agentJar.find().orElse(null), "enrollment");
    }

    private static Integer number(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(field, "must be a whole number");
        }
    }
}
