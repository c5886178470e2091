package dev.fleethook.audit.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.fleethook.audit.AuditEntry;
import dev.fleethook.audit.AuditService;
import dev.fleethook.identity.Role;
import dev.fleethook.web.BadInputException;
import dev.fleethook.web.OpenApiDefinition;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The tenant's audit log, newest first. */
@Path("/api/v1/audit")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Audit")
@SecurityRequirement(name = OpenApiDefinition.API_TOKEN)
@APIResponse(responseCode = "401", ref = OpenApiDefinition.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = OpenApiDefinition.FORBIDDEN)
@APIResponse(responseCode = "503", ref = OpenApiDefinition.UNAVAILABLE)
public class AuditResource {

    public record AuditResponse(UUID id, Instant at, String actor, String action, String targetType, String targetId,
            String summary, @JsonRawValue String before, @JsonRawValue String after) {

        static AuditResponse of(AuditEntry e) {
            return new AuditResponse(e.id, e.at, e.actor, e.action, e.targetType, e.targetId, e.summary, e.before,
                    e.after);
        }
    }

    @Inject
    AuditService audit;

    @GET
    @Operation(summary = "Read the audit log, filtered and paged, newest first")
    @APIResponse(responseCode = "400", ref = OpenApiDefinition.BAD_REQUEST)
    public List<AuditResponse> list(@QueryParam("targetType") String targetType, @QueryParam("targetId") String targetId,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
        if (page < 0) {
            throw new BadInputException("page", "must be 0 or more");
        }
        if (size < 1 || size > 500) {
            throw new BadInputException("size", "must be 1 to 500");
        }
        return audit.list(targetType, targetId, page, size).stream().map(AuditResponse::of).toList();
    }
}
