package dev.fleethook.identity.rest;

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

import dev.fleethook.identity.Role;
import dev.fleethook.identity.rest.UserRequests.CreateUserRequest;
import dev.fleethook.identity.rest.UserRequests.UpdateUserRequest;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.rest.AccountRecords.ResetLinkResponse;
import dev.fleethook.identity.rest.AccountRecords.SessionResponse;
import dev.fleethook.identity.service.PasswordResetService;
import dev.fleethook.identity.service.UserAccessService;
import dev.fleethook.identity.service.UserService;
import dev.fleethook.kernel.ApiDocs;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Response;

/** Users of the caller's tenant. Everyone in the tenant may read; only admins change. */
@Path("/api/v1/users")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Users")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class UserResource {

    /** Answer of a creation: the user, and the generated password when none was given (shown once). */
    public record CreatedUserResponse(UserResponse user, String generatedPassword) {
    }

    @Inject
    UserService users;

    @Inject
    CurrentAccount currentAccount;

    @Inject
    PasswordResetService resets;

    @Inject
    UserAccessService access;

    @GET
    @Operation(summary = "List the tenant's users, optionally matching a search")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    public List<UserResponse> list(@QueryParam("q") String query) {
        return users.list(query).stream().map(UserResponse::of).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a user")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public UserResponse get(@PathParam("id") UUID id) {
        return users.find(id).map(UserResponse::of).orElseThrow(NotFoundException::new);
    }

    @POST
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Create a user (a password is generated when none is given)")
    @APIResponse(responseCode = "201", description = "The user, with the generated password if one was made",
            headers = @Header(name = "Location", description = ApiDocs.LOCATION,
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CreatedUserResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public RestResponse<CreatedUserResponse> create(CreateUserRequest request) {
        UserService.Created created = users.create(request == null ? null : request.command());
        return RestResponse.ResponseBuilder.<CreatedUserResponse> created(URI.create("/api/v1/users/" + created.user().id()))
                .entity(new CreatedUserResponse(UserResponse.of(created.user()), created.generatedPassword())).build();
    }

    @PATCH
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Change a user's name, role or status")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public UserResponse update(@PathParam("id") UUID id, UpdateUserRequest request) {
        return UserResponse.of(users.update(id, request == null ? null : request.change(), currentAccount.get()));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Delete a user")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    public Response delete(@PathParam("id") UUID id) {
        users.delete(id, currentAccount.get());
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/password-reset")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Make a single-use password reset link for a user (shown only in this answer; works once within 24 h; replaces an unused earlier link)")
    @APIResponse(responseCode = "201", description = "The link, with its secret (`link`, an absolute URL)",
            headers = @Header(name = "Location", description = ApiDocs.LOCATION,
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ResetLinkResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    public RestResponse<ResetLinkResponse> createResetLink(@PathParam("id") UUID id, @Context UriInfo uri) {
        PasswordResetService.Created created = resets.create(id, currentAccount.get());
        return RestResponse.ResponseBuilder.<ResetLinkResponse> created(URI.create("/api/v1/users/" + id + "/password-reset"))
                .entity(ResetLinkResponse.of(created.reset(), uri.getBaseUri().resolve(URI.create(created.link())).toString()))
                .build();
    }

    @GET
    @Path("/{id}/password-reset")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "The user's latest password reset link: who made it, when, and whether it is usable, used or expired (never its secret)")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public ResetLinkResponse resetLink(@PathParam("id") UUID id) {
        return resets.latestOf(id).map(r -> ResetLinkResponse.of(r, null)).orElseThrow(NotFoundException::new);
    }

    @GET
    @Path("/{id}/sessions")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "List a user's browser sessions")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public List<SessionResponse> sessions(@PathParam("id") UUID id) {
        return access.sessionsOf(id).stream().map(s -> SessionResponse.of(s, currentAccount.sessionId())).toList();
    }

    @DELETE
    @Path("/{id}/sessions/{session}")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Sign a user out of one browser session")
    @APIResponse(responseCode = "204", description = "Signed out")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public Response revokeSession(@PathParam("id") UUID id, @PathParam("session") UUID session) {
        access.revoke(id, session);
        return Response.noContent().build();
    }

    @DELETE
    @Path("/{id}/sessions")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Sign a user out of every browser session")
    @APIResponse(responseCode = "204", description = "Signed out everywhere")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public Response revokeSessions(@PathParam("id") UUID id) {
        access.revokeAll(id);
        return Response.noContent().build();
    }
}
