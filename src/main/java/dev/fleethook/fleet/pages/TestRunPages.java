package dev.fleethook.fleet.pages;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.fleet.Server;
import dev.fleethook.fleet.TestRun;
import dev.fleethook.fleet.service.ServerService;
import dev.fleethook.fleet.service.ServerView;
import dev.fleethook.fleet.service.TestRunView;
import dev.fleethook.fleet.service.TestRunService;
import dev.fleethook.identity.Role;
import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import dev.fleethook.webkit.Flash;
import dev.fleethook.kernel.Uuids;
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
import jakarta.ws.rs.core.Response;

/**
 * "Test this hook now" in the pages: the test section of a server ({@code /test-runs?server=…}, a whole page,
 * or with {@code part=section} the card the server page loads, or {@code part=list} the runs, which poll every
 * second while one is pending: htmx attributes, no script), its form, and the small chooser on the policy form
 * ({@code /test-runs/policy/{id}}: the servers of that policy). Logic is in {@link TestRunService}.
 */
@Path("/test-runs")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.TEXT_HTML)
public class TestRunPages {

    /** One entry of the "what to test" list: {@code value} pre-script, post-script or hook-N. */
    public record Option(String value, String label) {
    }

    /** A script or backup status code and its name, for the post-script's arguments. */
    public record Code(int code, String name) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance runs(ServerView server, Integer revision, List<Option> options,
                List<Code> scriptCodes, List<Code> backupCodes, List<TestRunView> runs, boolean pending, String message,
                String nav);

        static native TemplateInstance runs$section(ServerView server, Integer revision, List<Option> options,
                List<Code> scriptCodes, List<Code> backupCodes, List<TestRunView> runs, boolean pending, String message);

        static native TemplateInstance runs$list(ServerView server, List<TestRunView> runs, boolean pending);

        static native TemplateInstance chooser(UUID policyId, List<ServerView> servers);
    }

    @Inject
    ServerService servers;

    @Inject
    TestRunService testRuns;

    @Inject
    PolicyService policies;

    @GET
    public TemplateInstance page(@QueryParam("server") String serverId, @QueryParam("part") String part) {
        UUID id = Uuids.parse("server", serverId);
        if (id == null) {
            throw new BadInputException("server", "is required");
        }
        ServerView server = servers.get(id);
        if ("list".equals(part)) {
            List<TestRunView> runs = testRuns.list(id);
            return Templates.runs$list(server, runs, pending(runs));
        }
        return render(server, "section".equals(part), null);
    }

    /** The form: {@code what} is pre-script, post-script or hook-N; htmx gets the section back, a browser a redirect. */
    @POST
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@RestForm String server, @RestForm String what, @RestForm String preStatus,
            @RestForm String backupStatus, @RestHeader("HX-Request") String htmx) {
        UUID id = Uuids.parse("server", server);
        if (id == null) {
            throw new BadInputException("server", "is required");
        }
        ServerView s = servers.get(id);
        String target = what == null ? null : what.startsWith("hook-") ? "hook" : what;
        Integer hookIndex = null;
        try {
            if ("hook".equals(target)) {
                hookIndex = Integer.valueOf(what.substring(5));
            }
            Integer pre = "post-script".equals(target) ? integer("preStatus", preStatus) : null;
            Integer backup = "post-script".equals(target) ? integer("backupStatus", backupStatus) : null;
            testRuns.create(id, new TestRunService.Request(target, hookIndex, pre, backup));
        } catch (NumberFormatException e) {
            return Response.status(400).entity(render(s, htmx != null, "what: must be pre-script, post-script or hook-N"))
                    .build();
        } catch (BadInputException e) {
            return Response.status(400).entity(render(s, htmx != null, e.getMessage())).build();
        } catch (ConflictException e) {
            return Response.status(409).entity(render(s, htmx != null, e.getMessage())).build();
        }
        if (htmx != null) {
            return Response.ok(render(s, true, null)).build();
        }
        return Flash.redirect("/test-runs?server=" + id, "Test run requested: " + s.hostname()
                + " runs it at its next poll.");
    }

    /** The policy form's entry: the enabled servers this policy is assigned to, each one a test page away. */
    @GET
    @Path("/policy/{id}")
    public TemplateInstance chooser(@PathParam("id") UUID policyId) {
        List<ServerView> assigned = servers.list(new ServerService.Filter(null, null, policyId, null, 0, 100)).items()
                .stream().filter(s -> s.status() == Server.Status.ENABLED).toList();
        return Templates.chooser(policyId, assigned);
    }

    private static Integer integer(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(field, "must be a whole number");
        }
    }

    private TemplateInstance render(ServerView server, boolean section, String message) {
        List<TestRunView> runs = testRuns.list(server.id());
        List<Option> options = new ArrayList<>();
        Integer revision = null;
        if (server.policyId() != null) {
            PolicyDocument doc = policies.document(server.policyId(), TargetOs.fromWire(server.os())).document();
            revision = doc.revision();
            PolicyDocument.Scripts scripts = doc.scripts();
            options.add(new Option("pre-script", "Pre-script" + (scripts == null || scripts.preScript() == null ? ""
                    : " (" + scripts.preScript() + ")")));
            options.add(new Option("post-script", "Post-script" + (scripts == null || scripts.postScript() == null ? ""
                    : " (" + scripts.postScript() + ")")));
            if (doc.hooks() != null) {
                java.util.Set<Integer> seen = new java.util.HashSet<>();
                for (PolicyDocument.Hook h : doc.hooks()) {
                    if (h.phase() != HookPhase.FILE_FILTER && seen.add(h.index())) {
                        options.add(new Option("hook-" + h.index(), "Hook " + h.index() + ": " + h.phase().wire() + ", "
                                + h.source().wire() + describe(h)));
                    }
                }
            }
        }
        List<Code> scriptCodes = java.util.Arrays.stream(ScriptStatus.values()).map(c -> new Code(c.code(), c.label()))
                .toList();
        List<Code> backupCodes = java.util.Arrays.stream(BackupStatus.values()).map(c -> new Code(c.code(), c.label()))
                .toList();
        if (section) {
            return Templates.runs$section(server, revision, options, scriptCodes, backupCodes, runs, pending(runs), message);
        }
        return Templates.runs(server, revision, options, scriptCodes, backupCodes, runs, pending(runs), message, "servers");
    }

    private static String describe(PolicyDocument.Hook h) {
        String what = h.path() != null ? h.path() : h.command() != null && !h.command().isEmpty() ? h.command().get(0)
                : null;
        return what == null ? "" : " (" + what + ")";
    }

    private static boolean pending(List<TestRunView> runs) {
        return runs.stream().anyMatch(r -> r.status() == TestRun.Status.PENDING);
    }
}
