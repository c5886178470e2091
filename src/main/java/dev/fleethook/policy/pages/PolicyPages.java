package dev.fleethook.policy.pages;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.identity.Role;
import dev.fleethook.policy.service.PolicyRevisionView;
import dev.fleethook.policy.PolicySpec;
import dev.fleethook.policy.service.PolicyDiff;
import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.policy.service.PolicyView;
import dev.fleethook.policy.service.PolicyValidator;
import dev.fleethook.tenant.TenantView;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import dev.fleethook.webkit.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

/** Policies in the browser: list, the sectioned form (with live checks through htmx), history, diff, rollback. */
@Path("/policies")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.TEXT_HTML)
public class PolicyPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(List<PolicyView> policies, java.util.Map<UUID, Long> servers, String nav);

        static native TemplateInstance edit(PolicyView policy, PolicyForm form, TenantView tenant,
                List<ZonedDateTime> nextRuns, PolicyService.StaleEdit stale, String nav);

        static native TemplateInstance check(PolicyForm form, List<ZonedDateTime> nextRuns);

        static native TemplateInstance revisions(PolicyView policy, List<PolicyRevisionView> revisions, Integer from,
                Integer to, List<PolicyDiff.Change> changes, String nav);

        static native TemplateInstance revisions$diff(PolicyView policy, Integer from, Integer to,
                List<PolicyDiff.Change> changes);
    }

    @Inject
    PolicyService policies;

    @Inject
    PolicyValidator validator;

    @GET
    public TemplateInstance list() {
        return Templates.list(policies.list(), policies.serverCounts(), "policies");
    }

    @GET
    @Path("/new")
    @RolesAllowed(Role.TENANT_ADMIN)
    public TemplateInstance newForm() {
        PolicySpec defaults = PolicyService.defaultSpec();
        PolicyForm form = PolicyForm.of(new PolicySpec("", "", defaults.schedule(), defaults.windowMinutes(),
                defaults.retry(), defaults.backup(), defaults.scripts(), List.of()));
        return Templates.edit(null, form, policies.tenant(), policies.nextRuns(defaults, 5), null, "policies");
    }

    @POST
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(MultivaluedMap<String, String> fields) {
        PolicyForm form = PolicyForm.of(fields);
        PolicySpec spec = checked(form);
        if (form.invalid()) {
            return rerender(null, form, spec, 400);
        }
        try {
            PolicyView created = policies.create(new PolicyService.SavePolicy(null, form.note, spec));
            return Flash.redirect("/policies/" + created.id(), "Created the policy " + created.name() + ".");
        } catch (BadInputException e) {
            form.addErrors(e.errors());
            return rerender(null, form, spec, 400);
        } catch (ConflictException e) {
            form.conflict = e.getMessage();
            return rerender(null, form, spec, 409);
        }
    }

    /** Checks the form as it is being filled in and answers the form again, with messages (htmx). */
    @POST
    @Path("/check")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance check(MultivaluedMap<String, String> fields, @QueryParam("id") UUID id) {
        if (id != null) {
            policies.require(id);
        }
        PolicyForm form = PolicyForm.of(fields);
        PolicySpec spec = checked(form);
        return Templates.check(form, nextRuns(form, spec));
    }

    @GET
    @Path("/{id}")
    public TemplateInstance edit(@PathParam("id") UUID id) {
        PolicyView policy = policies.require(id);
        PolicySpec spec = policies.currentSpec(policy);
        PolicyForm form = PolicyForm.of(spec);
        form.baseRevision = Integer.toString(policy.currentRevision());
        return Templates.edit(policy, form, policies.tenant(), policies.nextRuns(spec, 5), null, "policies");
    }

    @POST
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("id") UUID id, MultivaluedMap<String, String> fields) {
        PolicyView policy = policies.require(id);
        PolicyForm form = PolicyForm.of(fields);
        PolicySpec spec = checked(form);
        if (form.invalid()) {
            return rerender(policy, form, spec, 400);
        }
        Integer base;
        try {
            base = form.baseRevision.isBlank() ? null : Integer.valueOf(form.baseRevision.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("baseRevision", "must be a whole number");
        }
        try {
            PolicyView saved = policies.update(id, new PolicyService.SavePolicy(base, form.note, spec));
            return Flash.redirect("/policies/" + id, "Saved the policy " + saved.name() + " as revision "
                    + saved.currentRevision() + ".");
        } catch (BadInputException e) {
            form.addErrors(e.errors());
            return rerender(policy, form, spec, 400);
        } catch (ConflictException e) {
            PolicyView latest = policies.require(id);
            if (base != null && base != latest.currentRevision()) {
                return staleEdit(latest, form, spec, base);
            }
            form.conflict = e.getMessage();
            return rerender(policy, form, spec, 409);
        }
    }

    @POST
    @Path("/{id}/delete")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("id") UUID id) {
        String name = policies.require(id).name();
        try {
            policies.delete(id);
        } catch (dev.fleethook.kernel.ConflictException e) {
            List<String> using = policies.serversUsing(id);
            return Flash.redirect("/policies", using.isEmpty() ? e.getMessage()
                    : "Policy " + name + " is not deleted: it is assigned to " + String.join(", ", using.subList(0,
                            Math.min(10, using.size()))) + (using.size() > 10 ? " and " + (using.size() - 10) + " more" : "")
                            + ". Move them to another policy with \"Move servers\" first.");
        }
        return Flash.redirect("/policies", "Policy " + name + " deleted.");
    }

    /** Moves the servers of one policy to another (the list's "Move servers"), then back to the list. */
    @POST
    @Path("/{id}/reassign")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response reassign(@PathParam("id") UUID id, @org.jboss.resteasy.reactive.RestForm String to) {
        UUID target = dev.fleethook.kernel.Uuids.parse("to", to);
        if (target == null) {
            throw new dev.fleethook.kernel.BadInputException("to", "is required: the policy to move the servers to");
        }
        int moved = policies.reassign(id, target);
        return Flash.redirect("/policies", moved + " server" + (moved == 1 ? "" : "s") + " moved from "
                + policies.require(id).name() + " to " + policies.require(target).name() + ".");
    }

    @POST
    @Path("/{id}/default")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response makeDefault(@PathParam("id") UUID id) {
        policies.makeDefault(id);
        return Flash.redirect("/policies", "Policy " + policies.require(id).name()
                + " is now the default: newly enrolled servers get it.");
    }

    @GET
    @Path("/{id}/revisions")
    public TemplateInstance revisions(@PathParam("id") UUID id, @QueryParam("from") Integer from,
            @QueryParam("to") Integer to, @RestHeader("HX-Request") String htmx) {
        PolicyView policy = policies.require(id);
        List<PolicyDiff.Change> changes = from != null && to != null ? policies.diff(id, from, to) : null;
        if (htmx != null && changes != null) {
            return Templates.revisions$diff(policy, from, to, changes);
        }
        return Templates.revisions(policy, policies.revisions(id), from, to, changes, "policies");
    }

    @POST
    @Path("/{id}/rollback")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response rollback(@PathParam("id") UUID id, @org.jboss.resteasy.reactive.RestForm Integer revision,
            @org.jboss.resteasy.reactive.RestForm Integer baseRevision) {
        PolicyView rolled = policies.rollback(id, revision, baseRevision, null);
        return Flash.redirect("/policies/" + id + "/revisions", "Rolled back the policy " + rolled.name()
                + " to revision " + revision + ": its content is now revision " + rolled.currentRevision() + ".");
    }

    /**
     * The edit-conflict page (409): someone saved the policy after this form was opened. It names who and
     * when, shows how the submitted version differs from the latest revision, offers to reload the latest
     * (dropping the edits) and brings the form back with the edits re-applied on top of the latest revision
     * ({@link PolicyService#staleEdit}), based on it, so that saving it is a deliberate second step.
     */
    private Response staleEdit(PolicyView latest, PolicyForm submitted, PolicySpec spec, int base) {
        PolicyService.StaleEdit stale = policies.staleEdit(latest, base, spec);
        PolicyForm form = PolicyForm.of(stale.reapplied());
        form.baseRevision = Integer.toString(stale.latest());
        form.note = submitted.note;
        return Response.status(409).entity(Templates.edit(latest, form, policies.tenant(), nextRuns(form,
                stale.reapplied()), stale, "policies")).build();
    }

    /** Parses the form and collects every problem at once: what does not parse and what the validator refuses. */
    private PolicySpec checked(PolicyForm form) {
        PolicySpec spec = form.toSpec();
        form.addErrors(validator.problems(spec, policies.tenant().maxScriptTimeoutSeconds()));
        return spec;
    }

    /** The next five starts as soon as the schedule is valid, whatever else is still wrong in the form. */
    private List<ZonedDateTime> nextRuns(PolicyForm form, PolicySpec spec) {
        return form.scheduleValid() && spec.schedule() != null ? policies.nextRuns(spec, 5) : List.of();
    }

    private Response rerender(PolicyView policy, PolicyForm form, PolicySpec spec, int status) {
        return Response.status(status).entity(Templates.edit(policy, form, policies.tenant(), nextRuns(form, spec),
                null, "policies")).build();
    }
}
