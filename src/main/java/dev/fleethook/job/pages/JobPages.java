package dev.fleethook.job.pages;

import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.kernel.Page;
import dev.fleethook.identity.Role;
import dev.fleethook.job.rest.JobRecords.JobDetail;
import dev.fleethook.job.rest.JobRecords.JobSummary;
import dev.fleethook.job.service.JobService;
import dev.fleethook.kernel.ConflictException;
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
        static native TemplateInstance list(JobService.Listing jobs, String status, String server, String nav);

        static native TemplateInstance list$results(JobService.Listing jobs, String status, String server);

        static native TemplateInstance detail(JobDetail detail, String message, String nav);
    }

    @Inject
    JobService jobs;

    /**
     * The list, newest first, 50 a page. "Older" and "Newer" carry a keyset cursor ({@code before},
     * {@code after}), so a page deep in a million jobs answers as fast as the first; {@code page} (offset)
     * still works for old links.
     */
    @GET
    public TemplateInstance list(@QueryParam("status") String status, @QueryParam("server") String server,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("before") String before,
            @QueryParam("after") String after, @RestHeader("HX-Request") String htmx) {
        UUID serverId = dev.fleethook.kernel.Uuids.parse("server", server);
        JobService.Listing found = jobs.listPage(new JobService.Filter(serverId, null, blankToNull(status), null, null, page, 50),
                before, after);
        if (htmx != null) {
            return Templates.list$results(found, status, server);
        }
        return Templates.list(found, status, server, "jobs");
    }

    @GET
    @Path("/{id}")
    public TemplateInstance detail(@PathParam("id") UUID id) {
        return Templates.detail(jobs.detail(id), null, "jobs");
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response cancel(@PathParam("id") UUID id) {
        try {
            jobs.cancel(id);
            return Response.ok(Templates.detail(jobs.detail(id), "Cancel sent: the agent stops the job at its next poll.",
                    "jobs")).build();
        } catch (ConflictException e) {
            return Response.status(409).entity(Templates.detail(jobs.detail(id), e.getMessage(), "jobs")).build();
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

}
