package dev.fleethook.job.pages;

import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.identity.Role;
import dev.fleethook.job.service.JobViews.JobDetail;
import dev.fleethook.job.service.JobService;
import dev.fleethook.kernel.ConflictException;
import dev.fleethook.webkit.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Jobs: the filtered list and one job's attempt timeline. */
@Path("/jobs")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.TEXT_HTML)
public class JobPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(JobService.Listing jobs, String status, String server, String policy,
                dev.fleethook.job.service.TrendService.Trend trend, String nav);

        static native TemplateInstance list$results(JobService.Listing jobs, String status, String server, String policy);

        static native TemplateInstance detail(JobDetail detail, String cancel, String nav);

        static native TemplateInstance detail$live(JobDetail detail, String cancel);
    }

    @Inject
    JobService jobs;

    @Inject
    dev.fleethook.job.service.TrendService trends;

    /**
     * The jobs, newest first, 50 a page, filtered by status, server and policy. "Older" and "Newer" carry a
     * keyset cursor ({@code before}, {@code after}), so a page deep in a million jobs answers as fast as the
     * first; {@code page} (offset) still works for old links. Filtered by a server or a policy, the page also
     * shows that one's 30-day trend (the policy list links here for a policy's trend).
     */
    @GET
    public TemplateInstance list(@QueryParam("status") String status, @QueryParam("server") String server,
            @QueryParam("policy") String policy, @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("before") String before, @QueryParam("after") String after,
            @RestHeader("HX-Request") String htmx) {
        UUID serverId = dev.fleethook.kernel.Uuids.parse("server", server);
        UUID policyId = dev.fleethook.kernel.Uuids.parse("policy", policy);
        JobService.Listing found = jobs.listPage(new JobService.Filter(serverId, policyId, blankToNull(status), null,
                null, page, 50), before, after);
        if (htmx != null) {
            return Templates.list$results(found, status, server, policy);
        }
        return Templates.list(found, status, server, policy,
                serverId != null || policyId != null ? trends.trend(serverId, policyId) : null, "jobs");
    }

    /**
     * One job. While it runs, the page polls itself every 2 s with htmx ({@code HX-Request}: only the live
     * fragment is answered); the fragment of a finished job carries no poll, so the updates stop by
     * themselves.
     */
    @GET
    @Path("/{id}")
    public TemplateInstance detail(@PathParam("id") UUID id, @RestHeader("HX-Request") String htmx) {
        JobDetail detail = jobs.detail(id);
        String cancel = jobs.cancelState(id);
        return htmx != null ? Templates.detail$live(detail, cancel) : Templates.detail(detail, cancel, "jobs");
    }

    /** Cancel, then back to the job (post/redirect/get): it shows "cancel requested" until the agent ends the job. */
    @POST
    @Path("/{id}/cancel")
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response cancel(@PathParam("id") UUID id) {
        try {
            jobs.cancel(id);
            return Flash.redirect("/jobs/" + id, "Cancel requested: the agent stops the job at its next poll.");
        } catch (ConflictException e) {
            return Flash.redirect("/jobs/" + id, e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

}
