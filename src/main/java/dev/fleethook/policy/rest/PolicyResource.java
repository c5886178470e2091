package dev.fleethook.policy.rest;

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
import dev.fleethook.policy.service.PolicyRevisionView;
import dev.fleethook.policy.service.PolicyView;
import dev.fleethook.policy.PolicySpec;
import dev.fleethook.policy.rest.PolicyRecords.DiffResponse;
import dev.fleethook.policy.rest.PolicyRecords.PolicyResponse;
import dev.fleethook.policy.rest.PolicyRecords.PolicySummary;
import dev.fleethook.policy.rest.PolicyRecords.RevisionResponse;
import dev.fleethook.policy.rest.PolicyRecords.RollbackRequest;
import dev.fleethook.policy.rest.PolicyRecords.SavePolicyRequest;
import dev.fleethook.policy.rest.PolicyRecords.ValidationResponse;
import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.policy.service.PolicyValidator;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.kernel.ApiDocs;
import dev.fleethook.kernel.BadInputException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Backup policies of the caller's tenant: everyone reads, admins change. */
@Path("/api/v1/policies")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Policies")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class PolicyResource {

    @Inject
    PolicyService policies;

    @Inject
    PolicyValidator validator;

    @GET
    @Operation(summary = "List the tenant's policies")
    public List<PolicySummary> list() {
        return policies.list().stream().map(p -> new PolicySummary(p.id(), p.name(), p.description(),
                p.isDefault(), p.currentRevision(), p.updatedAt())).toList();
    }

    @POST
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Create a policy (its revision 1)")
    @APIResponse(responseCode = "201", description = "The policy, with its next start times",
            headers = @Header(name = "Location", description = ApiDocs.LOCATION,
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PolicyResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public RestResponse<PolicyResponse> create(SavePolicyRequest request) {
        PolicyView policy = underSpec(() -> policies.create(request == null ? null : request.command()));
        return RestResponse.ResponseBuilder.<PolicyResponse> created(URI.create("/api/v1/policies/" + policy.id()))
                .entity(response(policy)).build();
    }

    /** A dry run: validates a spec and shows its next start times without saving anything. */
    @POST
    @Path("/validate")
    @Operation(summary = "Check a policy without saving it: its problems, or its next start times")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public ValidationResponse validate(SavePolicyRequest request) {
        PolicySpec spec = request == null ? null : request.spec();
        var errors = validator.problems(spec, policies.tenant().maxScriptTimeoutSeconds()).stream()
                .map(e -> new dev.fleethook.kernel.Problem.FieldError(e.field().equals("spec") ? "spec" : "spec." + e.field(), e.message())).toList();
        var runs = errors.isEmpty() ? policies.nextRuns(PolicyValidator.normalize(spec), 5) : List.<java.time.ZonedDateTime> of();
        return new ValidationResponse(errors.isEmpty(), errors, runs);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a policy: its current spec and next start times")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public PolicyResponse get(@PathParam("id") UUID id) {
        return response(policies.require(id));
    }

    @PUT
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Save a policy as a new revision (based on the revision you read)")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public PolicyResponse update(@PathParam("id") UUID id, SavePolicyRequest request) {
        return response(underSpec(() -> policies.update(id, request == null ? null : request.command())));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Delete a policy no server or enrollment token uses")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    public Response delete(@PathParam("id") UUID id) {
        policies.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/default")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Make a policy the tenant's default")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public PolicyResponse makeDefault(@PathParam("id") UUID id) {
        return response(policies.makeDefault(id));
    }

    @GET
    @Path("/{id}/revisions")
    @Operation(summary = "List a policy's revisions, newest first")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public List<RevisionResponse> revisions(@PathParam("id") UUID id) {
        return policies.revisions(id).stream().map(r -> revision(r, null)).toList();
    }

    @GET
    @Path("/{id}/revisions/{number}")
    @Operation(summary = "Read one revision of a policy with its spec")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public RevisionResponse revision(@PathParam("id") UUID id, @PathParam("number") int number) {
        PolicyRevisionView r = policies.findRevision(id, number).orElseThrow(NotFoundException::new);
        return revision(r, policies.spec(id, number));
    }

    @GET
    @Path("/{id}/diff")
    @Operation(summary = "Compare two revisions of a policy field by field")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public DiffResponse diff(@PathParam("id") UUID id, @QueryParam("from") Integer from, @QueryParam("to") Integer to) {
        if (from == null || to == null) {
            throw new BadInputException(from == null ? "from" : "to", "give both revision numbers: ?from=1&to=2");
        }
        return new DiffResponse(from, to, policies.diff(id, from, to));
    }

    @POST
    @Path("/{id}/rollback")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Roll a policy back to an earlier revision (saved as a new revision)")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public PolicyResponse rollback(@PathParam("id") UUID id, RollbackRequest request) {
        if (request == null) {
            throw new BadInputException("revision", "name the revision to roll back to");
        }
        return response(policies.rollback(id, request.revision(), request.baseRevision(), request.note()));
    }

    /** The document an agent on {@code os} would receive now, with its ETag. */
    @GET
    @Path("/{id}/document")
    @Operation(summary = "The policy document an agent on the given OS receives now (ETag: its SHA-256)")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public Response document(@PathParam("id") UUID id, @QueryParam("os") @DefaultValue("linux") String os) {
        TargetOs target;
        try {
            target = TargetOs.fromWire(os);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("os", e.getMessage());
        }
        var rendered = policies.document(id, target);
        return Response.ok(rendered.json()).tag(rendered.sha256()).build();
    }

    /** Spec problems are reported from the body's root: {@code spec.retry.count}. */
    private static PolicyView underSpec(java.util.function.Supplier<PolicyView> work) {
        try {
            return work.get();
        } catch (BadInputException e) {
            boolean specField = e.errors().stream().noneMatch(f -> f.field().equals("baseRevision") || f.field().equals("spec"));
            throw specField ? e.prefixed("spec.") : e;
        }
    }

    private PolicyResponse response(PolicyView p) {
        PolicySpec spec = policies.currentSpec(p);
        return new PolicyResponse(p.id(), p.name(), p.description(), p.isDefault(), p.currentRevision(), p.createdAt(),
                p.updatedAt(), policies.tenant().timeZone(), policies.nextRuns(spec, 5), spec);
    }

    private static RevisionResponse revision(PolicyRevisionView r, PolicySpec spec) {
        return new RevisionResponse(r.number(), r.author(), r.createdAt(), r.note(), r.specHash(), spec);
    }
}
