package dev.fleethook.fleet;

import static dev.fleethook.support.Agents.event;
import static dev.fleethook.support.Agents.result;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.fleethook.fleet.service.HeartbeatWriter;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@QuarkusTest
class FleetPagesTest {

    @Inject
    HeartbeatWriter heartbeats;

    @Test
    void anAdminCreatesAnEnrollmentTokenAndSeesTheCommandOnce() {
        var t = Fixtures.newTenant("Enroll Pages");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        // Post/redirect/get: 303 to the page; the secret crosses the redirect in a one-time cookie, never the URL.
        admin.postForm("/enrollment", "label", "Paris", "expiresInMinutes", "60", "maxUses", "2", "policyId", "")
                .then().statusCode(303).header("Location", org.hamcrest.Matchers.endsWith("/enrollment"))
                .header("Location", not(containsString("token")));
        String page = admin.get("/enrollment").then().statusCode(200)
                .body(containsString("data-testid=\"flash\">Created the enrollment token Paris."))
                .body(containsString("Token “Paris” created")).body(containsString("is not shown again"))
                .extract().asString();
        String command = page.replaceAll("(?s).*data-testid=\"command\">([^<]+)</pre>.*", "$1");
        String token = command.substring(command.indexOf("--token ") + 8).trim();
        // A reload shows neither the confirmation nor the command, and creates no second token.
        String reload = admin.get("/enrollment").then().statusCode(200).body(not(containsString("data-testid=\"flash\"")))
                .body(not(containsString("data-testid=\"command\""))).body(not(containsString(token)))
                .extract().asString();
        org.junit.jupiter.api.Assertions.assertEquals(1, reload.split("data-testid=\"token-row\"", -1).length - 1,
                "one token");
        Agents.enroll(token, "paris-fs-1").then().statusCode(200);
        admin.get("/enrollment").then().body(containsString("1 / 2")).body(not(containsString(token)));
        admin.get("/servers").then().statusCode(200).body(containsString("paris-fs-1"));
        admin.postForm("/enrollment", "label", "", "expiresInMinutes", "60", "maxUses", "0").then().statusCode(400)
                .body(containsString("id=\"e-label\">is required"));
        // A secret cookie that belongs to none of the tenant's tokens shows no command.
        admin.request().cookie(dev.fleethook.webkit.Flash.SECRET_COOKIE, "fhe_notatokenofthistenant").get("/enrollment")
                .then().statusCode(200).body(not(containsString("data-testid=\"command\"")))
                .body(not(containsString("notatokenofthistenant")));
        String id = t.admin().get("/api/v1/enrollment-tokens").then().extract().path("find { it.label == 'Paris' }.id");
        admin.postForm("/enrollment/" + id + "/revoke").then().statusCode(303);
        admin.get("/enrollment").then().body(containsString("data-testid=\"flash\">Revoked the enrollment token Paris"));
    }

    @Test
    void theServerPageShowsJobsAndRunsBackupNow() {
        var t = Fixtures.newTenant("Server Pages");
        Agent agent = Agents.enrolled(t, "lyon-fs-1");
        String jobId = UUID.randomUUID().toString();
        agent.send(Agents.job(jobId, 2, false)).then().statusCode(200);
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/servers/" + agent.serverId()).then().statusCode(200).body(containsString("lyon-fs-1"))
                .body(containsString("/jobs/" + jobId)).body(containsString(">failed<"));
        // Post/redirect/get: the action answers 303 to the server page, which confirms it once and shows
        // the command pending until the agent takes it.
        var sent = admin.postForm("/servers/" + agent.serverId() + "/backup-now");
        sent.then().statusCode(303).header("Location", org.hamcrest.Matchers.endsWith("/servers/" + agent.serverId()));
        admin.request().cookie(dev.fleethook.webkit.Flash.COOKIE, sent.getCookie(dev.fleethook.webkit.Flash.COOKIE))
                .get("/servers/" + agent.serverId()).then().statusCode(200)
                .body(containsString("Backup Now sent to lyon-fs-1"))
                .body(containsString("data-testid=\"pending-command\""));
        admin.request().header("HX-Request", "true").get("/servers/" + agent.serverId()).then().statusCode(200)
                .body(containsString("data-testid=\"pending-command\"")).body(not(containsString("<html")));
        agent.poll(null).then().body("commands[0].kind", org.hamcrest.Matchers.equalTo("backup-now"));
        admin.postForm("/servers/" + agent.serverId() + "/labels", "labels", "paris prod").then().statusCode(303);
        admin.request().header("HX-Request", "true").queryParam("label", "prod").get("/servers").then()
                .body(containsString("lyon-fs-1")).body(not(containsString("<html")));
        admin.request().header("HX-Request", "true").queryParam("label", "nope").get("/servers").then()
                .body(not(containsString("lyon-fs-1")));
    }

    @Test
    void theJobTimelineShowsEveryStepWithNotAvailableForTheMissingOnes() {
        var t = Fixtures.newTenant("Timeline");
        Agent agent = Agents.enrolled(t, "timeline-fs");
        String jobId = UUID.randomUUID().toString();
        agent.send(List.of(event("job-started", jobId, null, "trigger", "manual"),
                event("script-finished", jobId, 1, "step", "pre", "result", result(1, 3, "<b>pre broke</b>")),
                event("hook-finished", jobId, 1, "phase", "before-folder", "hookIndex", 0, "sourcePath", "/srv",
                        "result", result(0, 0, "snapshot ok")),
                event("backup-finished", jobId, 1, "result", withStats(result(0, 0, "done"),
                        Map.of("snapshot_id", "<i>4f2a</i>", "files_new", 12))))).then().statusCode(200);
        Browser viewer = Browser.signIn(Fixtures.newUser(t, "VIEWER").email(), Fixtures.DEFAULT_PASSWORD);
        viewer.get("/jobs/" + jobId).then().statusCode(200)
                .body(containsString("Pre-script")).body(containsString("text-bg-danger\">Failed</span>"))
                .body(containsString("small\" title=\"The status code a post-script receives\">(1)</span>"))
                .body(containsString("&lt;b&gt;pre broke&lt;/b&gt;")).body(not(containsString("<b>pre broke</b>")))
                .body(containsString("Hook 1 · before-folder (/srv)"))
                .body(containsString("files_new: 12")).body(containsString("snapshot_id: &lt;i&gt;4f2a&lt;/i&gt;"))
                .body(containsString(">N/A<")).body(not(containsString("Cancel job")));
        viewer.get("/jobs").then().body(containsString("timeline-fs"));
    }

    /**
     * The live job page: the step the agent said began, with the output it reported so far; a stale output
     * report (older than the one shown) changes nothing; the htmx poll gets the fragment only, and a
     * finished job's fragment carries no poll.
     */
    @Test
    void aRunningJobShowsItsCurrentStepAndOutputUntilItEnds() {
        var t = Fixtures.newTenant("Live Job Page");
        Agent agent = Agents.enrolled(t, "live-fs");
        String jobId = UUID.randomUUID().toString();
        java.time.Instant now = java.time.Instant.now();
        agent.send(List.of(event("job-started", jobId, null, "trigger", "manual", "maxAttempts", 1),
                event("attempt-started", jobId, 1),
                event("step-started", jobId, 1, "step", "pre", "time", now.minusSeconds(65).toString()),
                event("step-output", jobId, 1, "step", "pre", "output", "dumping <db>\nline 2\n", "time", now.toString()),
                event("step-output", jobId, 1, "step", "pre", "output", "stale", "time", now.minusSeconds(30).toString())))
                .then().statusCode(200).body("accepted", org.hamcrest.Matchers.equalTo(5));
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.request().header("HX-Request", "true").get("/jobs/" + jobId).then().statusCode(200)
                .body(not(containsString("<html"))).body(containsString("hx-trigger=\"every 2s\""))
                .body(containsString("Running now: <strong>Pre-script</strong>"))
                .body(containsString("for <span data-testid=\"live-elapsed\">1 min"))
                .body(containsString("dumping &lt;db&gt;")).body(not(containsString("stale")));
        agent.send(List.of(event("script-finished", jobId, 1, "step", "pre", "result", result(0, 0, "done")),
                event("step-started", jobId, 1, "step", "hook", "phase", "before-backup"))).then().statusCode(200);
        admin.get("/jobs/" + jobId).then().body(containsString("Running now: <strong>before-backup hooks</strong>"));
        // Cancel redirects back to the job, which says "cancel requested" until the agent takes it.
        admin.postForm("/jobs/" + jobId + "/cancel").then().statusCode(303);
        admin.get("/jobs/" + jobId).then().body(containsString("Cancel requested by " + t.adminEmail()))
                .body(not(containsString(">Cancel job<")));
        String command = agent.poll(null).then().extract().path("commands[0].id");
        agent.send(List.of(event("command-acknowledged", null, null, "commandId", command))).then().statusCode(200);
        admin.get("/jobs/" + jobId).then().body(containsString("Cancel received by the agent"));
        agent.send(List.of(event("backup-finished", jobId, 1, "result", result(0, 0, "ok")),
                event("attempt-finished", jobId, 1, "finalAttempt", true),
                event("job-finished", jobId, 1, "jobStatus", "succeeded", "backupStatus", 0))).then().statusCode(200);
        admin.request().header("HX-Request", "true").get("/jobs/" + jobId).then().statusCode(200)
                .body(not(containsString("hx-trigger"))).body(not(containsString("Running now")))
                .body(containsString("data-status=\"succeeded\""));
        // A step report without its field is refused alone, naming the field.
        agent.send(List.of(event("step-output", jobId, 1, "step", "pre"))).then().statusCode(200)
                .body("rejected[0].field", org.hamcrest.Matchers.equalTo("output"));
    }

    static Map<String, Object> withStats(Map<String, Object> result, Map<String, Object> stats) {
        result.put("stats", stats);
        return result;
    }

    @Test
    void theDashboardCountsServersAndJobs() {
        var t = Fixtures.newTenant("Dashboard");
        Agent online = Agents.enrolled(t, "up-1");
        online.poll(null).then().statusCode(200);
        // Heartbeats are written in batches: write them now instead of waiting for the timer (which may be
        // writing this very batch, hence the short wait).
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            heartbeats.flush();
            return "online".equals(t.admin().get("/api/v1/servers/" + online.serverId()).then().extract().path("presence"));
        });
        Agents.enrolled(t, "never-1");
        Agent failing = Agents.enrolled(t, "bad-1");
        failing.send(Agents.job(UUID.randomUUID().toString(), 1, false)).then().statusCode(200);
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/").then().statusCode(200).body(containsString("data-testid=\"never-seen\">2<"))
                .body(containsString("data-testid=\"online\">1<"))
                .body(containsString("bad-1</a> — 1 failed"));
        admin.request().header("HX-Request", "true").get("/").then().statusCode(200)
                .body(not(containsString("<html"))).body(containsString("id=\"stats\""));
    }
}
