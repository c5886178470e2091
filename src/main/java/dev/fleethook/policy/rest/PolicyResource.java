package dev.fleethook.policy.rest;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.identity.Role;
import dev.fleethook.policy.Policy;
import dev.fleethook.policy.PolicyRevision;
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
public class PolicyResource {

    @Inject
    PolicyService policies;

    @Inject
    PolicyValidator validator;

    @GET
    public List<PolicySummary> list() {
        return policies.list().stream().map(p -> new PolicySummary(p.id, p.name, p.description, p.isDefault,
                p.currentRevision, p.updatedAt)).toList();
    }

    @POST
    @RolesAllowed(Role.TENANT_ADMIN)
    public Response create(SavePolicyRequest request) {
        Policy policy = underSpec(() -> policies.create(request));
        return Response.status(Response.Status.CREATED).entity(response(policy)).build();
    }

    /** A dry run: validates a spec and shows its next start times without saving anything. */
    @POST
    @Path("/validate")
    public ValidationResponse validate(SavePolicyRequest request) {
        PolicySpec spec = request == null ? null : request.spec();
        var errors = validator.problems(spec, policies.tenant().maxScriptTimeoutSeconds).stream()
                .map(e -> new dev.fleethook.kernel.Problem.FieldError(e.field().equals("spec") ? "spec" : "spec." + e.field(), e.message())).toList();
        var runs = errors.isEmpty() ? policies.nextRuns(PolicyValidator.normalize(spec), 5) : List.<java.time.ZonedDateTime> of();
        return new ValidationResponse(errors.isEmpty(), errors, runs);
    }

    @GET
    @Path("/{id}")
    public PolicyResponse get(@PathParam("id") UUID id) {
        return response(policies.require(id));
    }

    @PUT
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    public PolicyResponse update(@PathParam("id") UUID id, SavePolicyRequest request) {
        return response(underSpec(() -> policies.update(id, request)));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    public Response delete(@PathParam("id") UUID id) {
        policies.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/default")
    @RolesAllowed(Role.TENANT_ADMIN)
    public PolicyResponse makeDefault(@PathParam("id") UUID id) {
        return response(policies.makeDefault(id));
    }

    @GET
    @Path("/{id}/revisions")
    public List<RevisionResponse> revisions(@PathParam("id") UUID id) {
        return policies.revisions(id).stream().map(r -> revision(r, null)).toList();
    }

    @GET
    @Path("/{id}/revisions/{number}")
    public RevisionResponse revision(@PathParam("id") UUID id, @PathParam("number") int number) {
        policies.require(id);
        PolicyRevision r = policies.revision(id, number).orElseThrow(NotFoundException::new);
        return revision(r, policies.spec(r));
    }

    @GET
    @Path("/{id}/diff")
    public DiffResponse diff(@PathParam("id") UUID id, @QueryParam("from") Integer from, @QueryParam("to") Integer to) {
        if (from == null || to == null) {
            throw new BadInputException(from == null ? "from" : "to", "give both revision numbers: ?from=1&to=2");
        }
        return new DiffResponse(from, to, policies.diff(id, from, to));
    }

    @POST
    @Path("/{id}/rollback")
    @RolesAllowed(Role.TENANT_ADMIN)
    public PolicyResponse rollback(@PathParam("id") UUID id, RollbackRequest request) {
        if (request == null) {
            throw new BadInputException("revision", "name the revision to roll back to");
        }
        return response(policies.rollback(id, request.revision(), request.baseRevision(), request.note()));
    }

    /** The document an agent on {@code os} would receive now, with its ETag. */
    @GET
    @Path("/{id}/document")
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
    private static Policy underSpec(java.util.function.Supplier<Policy> work) {
        try {
            return work.get();
        } catch (BadInputException e) {
            boolean specField = e.errors().stream().noneMatch(f -> f.field().equals("baseRevision") || f.field().equals("spec"));
            throw specField ? e.prefixed("spec.") : e;
        }
    }

    private PolicyResponse response(Policy p) {
        PolicySpec spec = policies.currentSpec(p);
        return new PolicyResponse(p.id, p.name, p.description, p.isDefault, p.currentRevision, p.createdAt,
                p.updatedAt, policies.tenant().timeZone, policies.nextRuns(spec, 5), spec);
    }

    private static RevisionResponse revision(PolicyRevision r, PolicySpec spec) {
        return new RevisionResponse(r.number, r.author, r.createdAt, r.note, r.specHash, spec);
    }
}
