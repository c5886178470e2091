package dev.fleethook.fleet.rest;

import java.net.URI;
import java.time.Instant;
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

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleethook.fleet.service.TestRunView;
import dev.fleethook.fleet.service.TestRunService;
import dev.fleethook.identity.Role;
import dev.fleethook.kernel.ApiDocs;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * "Test this hook now" ({@code /api/v1/servers/{id}/test-runs}): everyone reads a server's test runs,
 * operators start one. A test run is never a job and never raises an alert.
 */
@Path("/api/v1/servers/{id}/test-runs")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Servers")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class TestRunResource {

    /**
     * What to run once: {@code target} {@code pre-script}, {@code post-script} (with {@code preStatus}, a script
     * status 0-4, and {@code backupStatus}, a backup status 0-5, both default 0) or {@code hook} (with
     * {@code hookIndex}, the hook's index in the policy).
     */
    public record CreateTestRunRequest(String target, Integer hookIndex, Integer preStatus, Integer backupStatus) {
    }

    /**
     * A test run: {@code status} is {@code pending} until the agent reports, then {@code succeeded},
     * {@code failed}, {@code timed-out}, {@code skipped} (script missing), {@code disabled} (scripts off in the
     * policy) or {@code refused} (local opt-in, allowed roots, or a job running); {@code durationMs} in
     * milliseconds; {@code outputTail} the last 16 KiB of output at most; {@code detail} why it failed or did
     * not run.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TestRunResponse(UUID id, UUID serverId, UUID policyId, Integer policyRevision, String target,
            Integer hookIndex, String hookPhase, Integer preStatus, Integer backupStatus, String status,
            Integer exitCode, Long durationMs, Boolean timedOut, String outputTail, String detail, String requestedBy,
            Instant requestedAt, Instant finishedAt) {

        public static TestRunResponse of(TestRunView t) {
            return new TestRunResponse(t.id(), t.serverId(), t.policyId(), t.policyRevision(), t.target(), t.hookIndex(),
                    t.hookPhase(), t.preStatus(), t.backupStatus(), t.status().wire(), t.exitCode(), t.durationMs(),
                    t.timedOut(), t.outputTail(), t.detail(), t.requestedBy(), t.requestedAt(), t.finishedAt());
        }
    }

    @Inject
    TestRunService testRuns;

    /** The server's latest test runs (at most 20), newest first. */
    @GET
    @Operation(summary = "List a server's latest test runs (\"Test this hook now\")")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public List<TestRunResponse> list(@PathParam("id") UUID id) {
        return testRuns.list(id).stream().map(TestRunResponse::of).toList();
    }

    @GET
    @Path("/{testRunId}")
    @Operation(summary = "Read one test run of a server")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public TestRunResponse get(@PathParam("id") UUID id, @PathParam("testRunId") UUID testRunId) {
        return TestRunResponse.of(testRuns.require(id, testRunId));
    }

    /** Starts a test run: 201 with the pending run; the agent gets it through its held poll within seconds. */
    @POST
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Operation(summary = "Run one script or hook of the server's current policy on it now, without a backup")
    @APIResponse(responseCode = "201", description = "The pending test run",
            headers = @Header(name = "Location", description = ApiDocs.LOCATION,
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TestRunResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    public RestResponse<TestRunResponse> create(@PathParam("id") UUID id, CreateTestRunRequest request) {
        TestRunView run = testRuns.create(id, request == null ? null
                : new TestRunService.Request(request.target(), request.hookIndex(), request.preStatus(),
                        request.backupStatus()));
        return RestResponse.ResponseBuilder.<TestRunResponse> created(
                URI.create("/api/v1/servers/" + id + "/test-runs/" + run.id())).entity(TestRunResponse.of(run)).build();
    }
}
