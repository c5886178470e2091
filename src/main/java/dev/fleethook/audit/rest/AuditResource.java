package dev.fleethook.audit.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.fleethook.audit.AuditEntryView;
import dev.fleethook.audit.AuditService;
import dev.fleethook.identity.Role;
import dev.fleethook.kernel.ApiDocs;
import dev.fleethook.kernel.BadInputException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import dev.fleethook.kernel.Page;

/** The tenant's audit log, newest first. */
@Path("/api/v1/audit")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Audit")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class AuditResource {

    public record AuditResponse(UUID id, Instant at, String actor, String action, String targetType, String targetId,
            String summary, @JsonRawValue String before, @JsonRawValue String after) {

        static AuditResponse of(AuditEntryView e) {
            return new AuditResponse(e.id(), e.at(), e.actor(), e.action(), e.targetType(), e.targetId(), e.summary(),
                    e.before(), e.after());
        }
    }

    @Inject
    AuditService audit;

    @GET
    @Operation(summary = "Read the audit log, filtered and paged, newest first")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    public List<AuditResponse> list(@QueryParam("targetType") String targetType, @QueryParam("targetId") String targetId,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
        Page.checkRequest(page, size);
        return audit.list(targetType, targetId, page, size).stream().map(AuditResponse::of).toList();
    }
}
