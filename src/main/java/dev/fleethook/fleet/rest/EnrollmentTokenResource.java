package dev.fleethook.fleet.rest;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.fleethook.fleet.rest.FleetRecords.CreateTokenRequest;
import dev.fleethook.fleet.rest.FleetRecords.TokenResponse;
import dev.fleethook.fleet.service.EnrollmentTokenService;
import dev.fleethook.identity.Role;
import dev.fleethook.kernel.ApiDocs;
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

/** Enrollment tokens, managed by admins. The token and its agent command line appear once, at creation. */
@Path("/api/v1/enrollment-tokens")
@RolesAllowed(Role.TENANT_ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Enrollment tokens")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class EnrollmentTokenResource {

    @Inject
    EnrollmentTokenService tokens;

    @GET
    @Operation(summary = "List enrollment tokens (without their secrets)")
    public List<TokenResponse> list() {
        return tokens.list().stream().map(t -> TokenResponse.of(t, null, null)).toList();
    }

    @POST
    @Operation(summary = "Create an enrollment token; its secret and command line are shown only in this answer")
    @APIResponse(responseCode = "201", description = "The token with its secret and the enrollment command",
            headers = @Header(name = "Location", description = ApiDocs.LOCATION,
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TokenResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public RestResponse<TokenResponse> create(CreateTokenRequest request) {
        EnrollmentTokenService.Created c = tokens.create(request == null ? null : request.command());
        return RestResponse.ResponseBuilder.<TokenResponse> created(URI.create("/api/v1/enrollment-tokens/" + c.token().id()))
                .entity(TokenResponse.of(c.token(), c.secret(), c.command())).build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke an enrollment token")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public TokenResponse revoke(@PathParam("id") UUID id) {
        return TokenResponse.of(tokens.revoke(id), null, null);
    }
}
