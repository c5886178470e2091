package dev.fleethook.tenant.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.identity.Role;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.TenantView;
import dev.fleethook.tenant.TenantService;
import dev.fleethook.tenant.rest.TenantRequests.TenantSettingsRequest;
import dev.fleethook.tenant.rest.TenantRequests.TenantSettingsResponse;
import dev.fleethook.kernel.ApiDocs;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The caller's organization: its time zone (for schedules) and its maximum script timeout. */
@Path("/api/v1/tenant")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Tenant")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class TenantSettingsResource {

    @Inject
    TenantService tenants;

    @Inject
    CurrentTenant currentTenant;

    @GET
    @Operation(summary = "Read the tenant's settings")
    public TenantSettingsResponse get() {
        return of(tenants.find(currentTenant.require()).orElseThrow(NotFoundException::new));
    }

    @PATCH
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Change the tenant's settings")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public TenantSettingsResponse update(TenantSettingsRequest request) {
        return of(tenants.updateSettings(request == null ? null : request.change()));
    }

    static TenantSettingsResponse of(TenantView t) {
        return new TenantSettingsResponse(t.id(), t.name(), t.slug(), t.timeZone(), t.maxScriptTimeoutSeconds(),
                t.jobRetentionDays());
    }
}
