package dev.fleethook.tenant.rest;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.identity.Role;
import dev.fleethook.tenant.TenantService;
import dev.fleethook.tenant.rest.TenantRequests.CreateTenantRequest;
import dev.fleethook.tenant.rest.TenantRequests.UpdateTenantRequest;
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
import jakarta.ws.rs.core.Response;

/** The platform operator's tenants. */
@Path("/api/v1/operator/tenants")
@RolesAllowed(Role.PLATFORM)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Operator")
public class OperatorTenantResource {

    @Inject
    TenantService tenants;

    @GET
    public List<TenantResponse> list() {
        Map<String, Long> counts = tenants.userCounts();
        return tenants.list().stream().map(t -> TenantResponse.of(t, counts.getOrDefault(t.id, 0L))).toList();
    }

    @GET
    @Path("/{id}")
    public TenantResponse get(@PathParam("id") String id) {
        return tenants.find(id).map(t -> TenantResponse.of(t, tenants.userCounts().getOrDefault(t.id, 0L)))
                .orElseThrow(NotFoundException::new);
    }

    @POST
    public Response create(CreateTenantRequest request) {
        TenantService.Created c = tenants.create(request);
        TenantResponse body = TenantResponse.of(c.tenant(), 1L);
        body = new TenantResponse(body.id(), body.name(), body.slug(), body.timeZone(), body.suspended(),
                body.createdAt(), body.users(),
                new TenantResponse.FirstAdmin(c.admin().id, c.admin().email, c.generatedPassword()));
        return Response.status(Response.Status.CREATED).entity(body).build();
    }

    @PATCH
    @Path("/{id}")
    public TenantResponse update(@PathParam("id") String id, UpdateTenantRequest request) {
        return TenantResponse.of(tenants.update(id, request), null);
    }
}
