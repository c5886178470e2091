package dev.fleethook.fleet.rest;

import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.fleet.Server;
import dev.fleethook.fleet.rest.FleetRecords.AssignPolicyRequest;
import dev.fleethook.fleet.rest.FleetRecords.CommandResponse;
import dev.fleethook.kernel.Page;
import dev.fleethook.fleet.rest.FleetRecords.ServerResponse;
import dev.fleethook.fleet.rest.FleetRecords.UpdateServerRequest;
import dev.fleethook.fleet.service.CommandView;
import dev.fleethook.fleet.service.ServerService;
import dev.fleethook.fleet.service.ServerView;
import dev.fleethook.identity.Role;
import dev.fleethook.kernel.ApiDocs;
import dev.fleethook.kernel.BadInputException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Enrolled servers: everyone reads, operators run Backup Now, admins change. */
@Path("/api/v1/servers")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Servers")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class ServerResource {

    @Inject
    ServerService servers;

    @GET
    @Operation(summary = "List servers, filtered and paged")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    public Page<ServerResponse> list(@QueryParam("q") String q, @QueryParam("status") String status,
            @QueryParam("policy") UUID policy, @QueryParam("label") String label,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
        Page<ServerView> found = servers.list(new ServerService.Filter(q, status, policy, label, page, size));
        Map<UUID, String> names = servers.policyNames();
        return found.map(s -> ServerResponse.of(s, names.get(s.policyId())));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a server")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public ServerResponse get(@PathParam("id") UUID id) {
        ServerView s = servers.get(id);
        return ServerResponse.of(s, servers.policyNames().get(s.policyId()));
    }

    @PATCH
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Change a server's labels")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public ServerResponse update(@PathParam("id") UUID id, UpdateServerRequest request) {
        if (request == null) {
            throw new BadInputException("labels", "is required");
        }
        ServerView s = servers.setLabels(id, request.labels());
        return ServerResponse.of(s, servers.policyNames().get(s.policyId()));
    }

    @PUT
    @Path("/{id}/policy")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Assign a policy to a server")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public ServerResponse assign(@PathParam("id") UUID id, AssignPolicyRequest request) {
        ServerView s = servers.assignPolicy(id, request == null ? null : request.policyId());
        return ServerResponse.of(s, servers.policyNames().get(s.policyId()));
    }

    @POST
    @Path("/{id}/disable")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Disable a server: its agent is refused until it is enabled")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public ServerResponse disable(@PathParam("id") UUID id) {
        return ServerResponse.of(servers.setStatus(id, Server.Status.DISABLED), null);
    }

    @POST
    @Path("/{id}/enable")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Enable a disabled server")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    public ServerResponse enable(@PathParam("id") UUID id) {
        return ServerResponse.of(servers.setStatus(id, Server.Status.ENABLED), null);
    }

    @POST
    @Path("/{id}/revoke")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Revoke a server's agent credential for good")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public ServerResponse revoke(@PathParam("id") UUID id) {
        return ServerResponse.of(servers.setStatus(id, Server.Status.REVOKED), null);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Delete a server and its history")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public Response delete(@PathParam("id") UUID id) {
        servers.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/backup-now")
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Operation(summary = "Ask the server's agent to start a backup now")
    @APIResponse(responseCode = "202", description = "The command is queued for the agent's next poll",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    public Response backupNow(@PathParam("id") UUID id) {
        CommandView c = servers.backupNow(id);
        return Response.accepted(new CommandResponse(c.id(), "backup-now", c.serverId(), null, c.createdAt())).build();
    }
}
