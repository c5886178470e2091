package dev.fleethook.fleet;

import static dev.fleethook.support.Agents.event;
import static dev.fleethook.support.Agents.result;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** "Test this hook now" in the pages: the server page's section, its form, the live list, the policy form's chooser. */
@QuarkusTest
class TestRunPagesTest {

    @Test
    void anOperatorRunsAHookTestFromTheServerPageAndSeesItsResultWhenTheAgentReports() {
        var t = Fixtures.newTenant("Test Pages");
        Agent agent = TestRunResourceTest.serverWithHooks(t, "pages-fs");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/servers/" + agent.serverId()).then().statusCode(200)
                .body(containsString("hx-get=\"/test-runs?server=" + agent.serverId() + "&amp;part=section\""));
        admin.request().header("HX-Request", "true").get("/test-runs?server=" + agent.serverId() + "&part=section").then()
                .statusCode(200).body(not(containsString("<html"))).body(containsString("data-testid=\"test-run-form\""))
                .body(containsString("Hook 0: before-backup, command (/etc/fleethook/hooks/snap)"))
                .body(not(containsString("Hook 1:"))) // the file-filter hook cannot be tested alone
                .body(containsString("No test runs yet."));

        String section = admin.request().header("HX-Request", "true").contentType(ContentType.URLENC)
                .formParam("csrf-token", admin.csrf).formParam("server", agent.serverId()).formParam("what", "hook-0")
                .formParam("preStatus", "0").formParam("backupStatus", "0").post("/test-runs").then().statusCode(200)
                .body(not(containsString("<html"))).body(containsString("data-status=\"pending\""))
                .body(containsString("hx-trigger=\"every 1s\"")).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(section.contains("hook 0 (before-backup)"), section);

        String id = agent.poll(null).then().extract().path("commands.find { it.kind == 'test-run' }.id");
        agent.send(List.of(event("test-run-finished", null, null, "commandId", id, "result", result(0, 0, "snapshot <made>"))))
                .then().statusCode(200);
        admin.request().header("HX-Request", "true").get("/test-runs?server=" + agent.serverId() + "&part=list").then()
                .statusCode(200).body(containsString("data-status=\"succeeded\""))
                .body(containsString("snapshot &lt;made&gt;")).body(not(containsString("hx-trigger")));

        // Without htmx the form redirects to the whole test page; a bad choice is shown, not a 500.
        admin.postForm("/test-runs", "server", agent.serverId(), "what", "pre-script").then().statusCode(303);
        admin.get("/test-runs?server=" + agent.serverId()).then().statusCode(200).body(containsString("<html"))
                .body(containsString("pages-fs"))
                .body(containsString("data-testid=\"flash\">Test run requested: pages-fs runs it at its next poll."));
        admin.postForm("/test-runs", "server", agent.serverId(), "what", "hook-9").then().statusCode(400)
                .body(containsString("has no hook 9"));
        admin.postForm("/test-runs", "server", agent.serverId(), "what", "hook-x").then().statusCode(400);
    }

    @Test
    void thePolicyFormOffersTheServersOfThePolicyAndViewersCannotRunTests() {
        var t = Fixtures.newTenant("Test Chooser");
        Agent agent = TestRunResourceTest.serverWithHooks(t, "chooser-fs");
        String policyId = t.admin().get("/api/v1/servers/" + agent.serverId()).then().extract().path("policyId");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/policies/" + policyId).then().statusCode(200)
                .body(containsString("hx-get=\"/test-runs/policy/" + policyId + "\""));
        admin.request().header("HX-Request", "true").get("/test-runs/policy/" + policyId).then().statusCode(200)
                .body(containsString("value=\"" + agent.serverId() + "\">chooser-fs<"));

        Fixtures.UserFixture viewer = Fixtures.newUser(t, "VIEWER");
        Browser v = Browser.signIn(viewer.email(), Fixtures.DEFAULT_PASSWORD);
        v.get("/test-runs?server=" + agent.serverId()).then().statusCode(200)
                .body(not(containsString("data-testid=\"test-run-form\"")));
        v.postForm("/test-runs", "server", agent.serverId(), "what", "pre-script").then().statusCode(403);

        var other = Fixtures.newTenant("Test Other");
        Browser stranger = Browser.signIn(other.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        stranger.get("/test-runs?server=" + agent.serverId()).then().statusCode(404);
        stranger.postForm("/test-runs", "server", agent.serverId(), "what", "pre-script").then().statusCode(404);
        t.admin().get("/api/v1/servers/" + agent.serverId() + "/test-runs").then().body("size()",
                org.hamcrest.Matchers.equalTo(0));
    }
}
