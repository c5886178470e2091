package dev.fleethook.fleet.pages;

import dev.fleethook.webkit.Flash;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.fleet.Server;
import dev.fleethook.kernel.Page;
import dev.fleethook.fleet.service.CommandView;
import dev.fleethook.fleet.service.ServerService;
import dev.fleethook.fleet.service.ServerView;
import dev.fleethook.identity.Role;
import dev.fleethook.policy.service.PolicyView;
import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.kernel.BadInputException;
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

/** Servers: the searchable list, and one server with its jobs and the actions on it. */
@Path("/servers")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.TEXT_HTML)
public class ServerPages {

    static final int PAGE_SIZE = 25;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(Page<ServerView> servers, Map<UUID, String> policies,
                List<PolicyView> allPolicies, String q, String status, String policy, String label,
                java.time.Instant now, String nav);

        static native TemplateInstance list$table(Page<ServerView> servers, Map<UUID, String> policies, String q,
                String status, String policy, String label, java.time.Instant now);

        static native TemplateInstance detail(ServerView server, Map<UUID, String> policies,
                List<PolicyView> allPolicies, List<?> jobs, List<CommandView> commands, String message,
                java.time.Instant now, Object trend, String nav);

        static native TemplateInstance detail$activity(ServerView server, List<?> jobs, List<CommandView> commands,
                java.time.Instant now);
    }

    @Inject
    ServerService servers;

    @Inject
    dev.fleethook.fleet.service.ServerJobHistory jobs;

    @Inject
    PolicyService policies;

    @GET
    public TemplateInstance list(@QueryParam("q") String q, @QueryParam("status") String status,
            @QueryParam("policy") String policy, @QueryParam("label") String label,
            @QueryParam("page") @DefaultValue("0") int page, @RestHeader("HX-Request") String htmx) {
        UUID policyId = dev.fleethook.kernel.Uuids.parse("policy", policy);
        Page<ServerView> found = servers.list(new ServerService.Filter(q, status, policyId, label, page, PAGE_SIZE));
        if (htmx != null) {
            return Templates.list$table(found, servers.policyNames(), q, status, policy, label, java.time.Instant.now());
        }
        return Templates.list(found, servers.policyNames(), policies.list(), q, status, policy, label,
                java.time.Instant.now(), "servers");
    }

    @GET
    @Path("/{id}")
    public TemplateInstance detail(@PathParam("id") UUID id, @RestHeader("HX-Request") String htmx) {
        ServerView server = servers.get(id);
        if (htmx != null) {
            return Templates.detail$activity(server, recent(server), servers.pendingCommands(id), java.time.Instant.now());
        }
        return render(server, null);
    }

    @POST
    @Path("/{id}/backup-now")
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response backupNow(@PathParam("id") UUID id) {
        try {
            servers.backupNow(id);
            return Flash.redirect("/servers/" + id, "Backup Now sent to " + servers.get(id).hostname()
                    + ": the agent starts the job at its next poll; it appears below.");
        } catch (ConflictException e) {
            return Response.status(409).entity(render(servers.get(id), e.getMessage())).build();
        }
    }

    @POST
    @Path("/{id}/policy")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response assign(@PathParam("id") UUID id, @RestForm String policyId) {
        try {
            servers.assignPolicy(id, dev.fleethook.kernel.Uuids.parse("policyId", policyId));
        } catch (BadInputException e) {
            return Response.status(400).entity(render(servers.get(id), e.getMessage())).build();
        }
        ServerView server = servers.get(id);
        return Flash.redirect("/servers/" + id, "Policy " + servers.policyNames().getOrDefault(server.policyId(), "")
                + " assigned to " + server.hostname() + ": its agent takes it at its next poll.");
    }

    @POST
    @Path("/{id}/labels")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response labels(@PathParam("id") UUID id, @RestForm String labels) {
        try {
            servers.setLabels(id, labels == null || labels.isBlank() ? List.of()
                    : Arrays.stream(labels.split("[,\\s]+")).filter(s -> !s.isBlank()).toList());
        } catch (BadInputException e) {
            return Response.status(400).entity(render(servers.get(id), e.getMessage())).build();
        }
        return Flash.redirect("/servers/" + id, "Labels saved.");
    }

    @POST
    @Path("/{id}/status")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response status(@PathParam("id") UUID id, @RestForm String status) {
        Server.Status target;
        try {
            target = Server.Status.valueOf(status);
        } catch (RuntimeException e) {
            return Response.status(400).entity(render(servers.get(id), "Unknown status " + status)).build();
        }
        try {
            servers.setStatus(id, target);
        } catch (ConflictException e) {
            return Response.status(409).entity(render(servers.get(id), e.getMessage())).build();
        }
        return Flash.redirect("/servers/" + id, servers.get(id).hostname() + " is " + switch (target) {
            case ENABLED -> "enabled: it takes commands and runs its schedule again.";
            case DISABLED -> "disabled: it runs no jobs and takes no commands until enabled.";
            case REVOKED -> "revoked: its agent gets 401 and must enroll again.";
        });
    }

    @POST
    @Path("/{id}/delete")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("id") UUID id) {
        String hostname = servers.get(id).hostname();
        servers.delete(id);
        return Flash.redirect("/servers", "Server " + hostname + " and its job history deleted.");
    }

    private TemplateInstance render(ServerView server, String message) {
        return Templates.detail(server, servers.policyNames(), policies.list(), recent(server),
                servers.pendingCommands(server.id()), message, java.time.Instant.now(), jobs.trend(server.id()),
                "servers");
    }

    private List<?> recent(ServerView server) {
        return jobs.recent(server.id(), 20);
    }
}
