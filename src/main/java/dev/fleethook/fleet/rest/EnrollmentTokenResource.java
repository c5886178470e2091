package dev.fleethook.fleet.rest;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.fleet.rest.FleetRecords.CreateTokenRequest;
import dev.fleethook.fleet.rest.FleetRecords.TokenResponse;
import dev.fleethook.fleet.service.EnrollmentTokenService;
import dev.fleethook.identity.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Enrollment tokens, managed by admins. The token and its agent command line appear once, at creation. */
@Path("/api/v1/enrollment-tokens")
@RolesAllowed(Role.TENANT_ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Enrollment tokens")
public class EnrollmentTokenResource {

    @Inject
    EnrollmentTokenService tokens;

    @GET
    public List<TokenResponse> list() {
        return tokens.list().stream().map(t -> TokenResponse.of(t, null, null)).toList();
    }

    @POST
    public Response create(CreateTokenRequest request) {
        EnrollmentTokenService.Created c = tokens.create(request);
        return Response.status(Response.Status.CREATED).entity(TokenResponse.of(c.token(), c.secret(), c.command()))
                .build();
    }

    @DELETE
    @Path("/{id}")
    public TokenResponse revoke(@PathParam("id") UUID id) {
        return TokenResponse.of(tokens.revoke(id), null, null);
    }
}
