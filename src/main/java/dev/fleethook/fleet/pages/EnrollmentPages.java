package dev.fleethook.fleet.pages;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;

import dev.fleethook.fleet.service.AgentJar;
import dev.fleethook.fleet.service.EnrollmentTokenView;
import dev.fleethook.fleet.service.EnrollmentTokenService;
import dev.fleethook.identity.Role;
import dev.fleethook.policy.service.PolicyView;
import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.kernel.BadInputException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
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

    @GET
    public TemplateInstance list() {
        return render(null, null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@RestForm String label, @RestForm String expiresInMinutes, @RestForm String maxUses,
            @RestForm String policyId) {
        try {
            EnrollmentTokenService.Created c = tokens.create(new EnrollmentTokenService.NewToken(label,
                    number("expiresInMinutes", expiresInMinutes), number("maxUses", maxUses),
                    dev.fleethook.kernel.Uuids.parse("policyId", policyId), null));
            return Response.status(201).entity(render(new Fresh(c.token().label(), c.secret(), c.command()), null)).build();
        } catch (BadInputException e) {
            return Response.status(400).entity(render(null, e)).build();
        }
    }

    @POST
    @Path("/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") UUID id) {
        tokens.revoke(id);
        return Response.seeOther(URI.create("/enrollment")).build();
    }

    private TemplateInstance render(Fresh fresh, BadInputException errors) {
        return Templates.tokens(tokens.list(), policies.list(), fresh, errors, java.time.Instant.now(),
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
