package dev.fleethook.tenant.rest;

import java.net.URI;
import java.util.List;
import java.util.Map;

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
import dev.fleethook.tenant.TenantService;
import dev.fleethook.tenant.rest.TenantRequests.CreateTenantRequest;
import dev.fleethook.tenant.rest.TenantRequests.UpdateTenantRequest;
import dev.fleethook.kernel.ApiDocs;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The platform operator's tenants. */
@Path("/api/v1/operator/tenants")
@RolesAllowed(Role.PLATFORM)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Operator")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class OperatorTenantResource {

    @Inject
    TenantService tenants;

    @GET
    @Operation(summary = "List tenants (platform operators)")
    public List<TenantResponse> list() {
        Map<String, Long> counts = tenants.userCounts();
        return tenants.list().stream().map(t -> TenantResponse.of(t, counts.getOrDefault(t.id(), 0L))).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a tenant (platform operators)")
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public TenantResponse get(@PathParam("id") String id) {
        return tenants.find(id).map(t -> TenantResponse.of(t, tenants.userCounts().getOrDefault(t.id(), 0L)))
                .orElseThrow(NotFoundException::new);
    }

    @POST
    @Operation(summary = "Create a tenant with its first admin (platform operators)")
    @APIResponse(responseCode = "201", description = "The tenant and its first admin (with a generated password if none was given)",
            headers = @Header(name = "Location", description = ApiDocs.LOCATION,
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TenantResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public RestResponse<TenantResponse> create(CreateTenantRequest request) {
        TenantService.Created c = tenants.create(request == null ? null : request.command());
        TenantResponse body = TenantResponse.of(c.tenant(), 1L);
        body = new TenantResponse(body.id(), body.name(), body.slug(), body.timeZone(), body.suspended(),
                body.createdAt(), body.users(),
                new TenantResponse.FirstAdmin(c.adminId(), c.adminEmail(), c.generatedPassword()));
        return RestResponse.ResponseBuilder.<TenantResponse> created(URI.create("/api/v1/operator/tenants/" + c.tenant().id()))
                .entity(body).build();
    }

    @PATCH
    @Path("/{id}")
    @Operation(summary = "Change a tenant: name, limits, suspension (platform operators)")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public TenantResponse update(@PathParam("id") String id, UpdateTenantRequest request) {
        return TenantResponse.of(tenants.update(id, request == null ? null : request.change()), null);
    }
}
