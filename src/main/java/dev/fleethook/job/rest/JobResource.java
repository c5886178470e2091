package dev.fleethook.job.rest;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.fleet.service.CommandView;
import dev.fleethook.fleet.rest.FleetRecords.CommandResponse;
import dev.fleethook.kernel.Page;
import dev.fleethook.identity.Role;
import dev.fleethook.job.rest.JobRecords.JobDetail;
import dev.fleethook.job.rest.JobRecords.JobSummary;
import dev.fleethook.job.service.JobService;
import dev.fleethook.kernel.ApiDocs;
import dev.fleethook.kernel.BadInputException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Jobs of the caller's tenant, newest first, with the attempt timeline. */
@Path("/api/v1/jobs")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class JobResource {

    @Inject
    JobService jobs;

    @GET
    @Operation(summary = "List jobs, filtered and paged, newest first")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    public Page<JobSummary> list(@QueryParam("server") UUID server, @QueryParam("policy") UUID policy,
            @QueryParam("status") String status, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
        return jobs.list(new JobService.Filter(server, policy, status, instant("from", from), instant("to", to), page, size))
                .map(JobSummary::of);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a job with its attempts, scripts, hooks and output")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public JobDetail get(@PathParam("id") UUID id) {
        return JobDetail.of(jobs.detail(id));
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Operation(summary = "Ask the agent to cancel a running job")
    @APIResponse(responseCode = "202", description = "The cancel command is queued for the agent's next poll",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CommandResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    public Response cancel(@PathParam("id") UUID id) {
        CommandView c = jobs.cancel(id);
        return Response.accepted(new CommandResponse(c.id(), "cancel", c.serverId(), c.jobId(), c.createdAt())).build();
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            Instant parsed = Instant.parse(value);
            // PostgreSQL's timestamptz holds years 4713 BC to 294276 AD; keep to the years people mean.
            if (parsed.isBefore(Instant.parse("0001-01-01T00:00:00Z")) || parsed.isAfter(Instant.parse("9999-12-31T23:59:59Z"))) {
                throw new BadInputException(field, "must be between the years 1 and 9999");
            }
            return parsed;
        } catch (DateTimeParseException e) {
            throw new BadInputException(field, "must be an ISO-8601 instant such as 2026-11-22T00:00:00Z");
        }
    }
}
