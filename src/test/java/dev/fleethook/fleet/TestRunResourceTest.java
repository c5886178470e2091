package dev.fleethook.fleet;

import static dev.fleethook.support.Agents.event;
import static dev.fleethook.support.Agents.result;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Agents;
import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** "Test this hook now" through the API and the agent protocol: {@code /api/v1/servers/{id}/test-runs}. */
@QuarkusTest
class TestRunResourceTest {

    /** A server whose policy has a before-backup command hook (index 0) and a file-filter hook (index 1). */
    static Agent serverWithHooks(TenantFixture t, String hostname) {
        Agent agent = Agents.enrolled(t, hostname);
        Map<String, Object> spec = PolicyFixtures.spec(Fixtures.unique("Tested"));
        PolicyFixtures.set(spec, "hooks", PolicyFixtures.list(
                PolicyFixtures.hook("before-backup", "command", "command", List.of("/etc/fleethook/hooks/snap", "--now")),
                PolicyFixtures.hook("file-filter", "command", "command", List.of("/etc/fleethook/kiwi/on-file"))));
        String policyId = t.admin().body(PolicyFixtures.save(spec, null)).post("/api/v1/policies").then().statusCode(201)
                .extract().path("id");
        t.admin().body(Map.of("policyId", policyId)).put("/api/v1/servers/" + agent.serverId() + "/policy").then()
                .statusCode(200);
        // Its first poll says it runs test runs; written now rather than at the next heartbeat flush.
        agent.poll(null).then().statusCode(200);
        io.quarkus.arc.Arc.container().instance(dev.fleethook.fleet.service.HeartbeatWriter.class).get().flush();
        return agent;
    }

    @Test
    void anAgentThatDoesNotSayItRunsTestsGetsNone() {
        TenantFixture t = Fixtures.newTenant("Old Agent");
        Agent agent = serverWithHooks(t, "fs-old");
        // The same agent downgraded: its polls name no features. A test run would make it fail every poll.
        agent.api().get("/api/agent/v1/policy").then().statusCode(200);
        io.quarkus.arc.Arc.container().instance(dev.fleethook.fleet.service.HeartbeatWriter.class).get().flush();
        String base = "/api/v1/servers/" + agent.serverId() + "/test-runs";
        t.admin().body(Map.of("target", "pre-script")).post(base).then().statusCode(409)
                .body("detail", org.hamcrest.Matchers.containsString("has not said that it runs tests"));
        agent.poll(null).then().body("commands", hasSize(0));
        io.quarkus.arc.Arc.container().instance(dev.fleethook.fleet.service.HeartbeatWriter.class).get().flush();
        t.admin().body(Map.of("target", "pre-script")).post(base).then().statusCode(201);
    }

    @Test
    void aTestRunReachesTheAgentInItsPollAndItsResultIsShownButNeverAsAJobOrAlert() {
        TenantFixture t = Fixtures.newTenant("Tests");
        Agent agent = serverWithHooks(t, "fs-test");
        String base = "/api/v1/servers/" + agent.serverId() + "/test-runs";

        String hookRun = t.admin().body(Map.of("target", "hook", "hookIndex", 0)).post(base).then().statusCode(201)
                .body("status", equalTo("pending")).body("target", equalTo("hook")).body("hookPhase", equalTo("before-backup"))
                .extract().path("id");
        String postRun = t.admin().body(Map.of("target", "post-script", "preStatus", 1, "backupStatus", 4)).post(base)
                .then().statusCode(201).extract().path("id");

        JsonPath poll = agent.poll(null).then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> commands = poll.getList("commands");
        Map<String, Object> hookCommand = commands.stream().filter(c -> hookRun.equals(c.get("id"))).findFirst().orElseThrow();
        org.junit.jupiter.api.Assertions.assertEquals("test-run", hookCommand.get("kind"));
        org.junit.jupiter.api.Assertions.assertEquals(Map.of("target", "hook", "hookIndex", 0), hookCommand.get("test"));
        Map<String, Object> postCommand = commands.stream().filter(c -> postRun.equals(c.get("id"))).findFirst().orElseThrow();
        org.junit.jupiter.api.Assertions.assertEquals(Map.of("target", "post-script", "preStatus", 1, "backupStatus", 4),
                postCommand.get("test"));

        Map<String, Object> refused = result(1, null, null);
        refused.put("detail", "refused: hooks are not enabled on this agent (local config)");
        agent.send(List.of(event("command-acknowledged", null, null, "commandId", hookRun),
                event("test-run-finished", null, null, "commandId", hookRun, "result", result(0, 0, "snapshot made\n")),
                event("command-acknowledged", null, null, "commandId", postRun),
                event("test-run-finished", null, null, "commandId", postRun, "result", refused)))
                .then().statusCode(200).body("accepted", equalTo(4)).body("rejected", nullValue());

        t.admin().get(base + "/" + hookRun).then().statusCode(200).body("status", equalTo("succeeded"))
                .body("exitCode", equalTo(0)).body("durationMs", equalTo(1234)).body("outputTail", equalTo("snapshot made\n"));
        t.admin().get(base).then().statusCode(200).body("", hasSize(2))
                .body("find { it.id == '" + postRun + "' }.status", equalTo("refused"))
                .body("find { it.id == '" + postRun + "' }.detail", equalTo("refused: hooks are not enabled on this agent (local config)"));
        // Acknowledged commands leave the poll answer; a test run is never a job, never an alert.
        agent.poll(null).then().body("commands", hasSize(0));
        t.admin().get("/api/v1/jobs?server=" + agent.serverId()).then().body("total", equalTo(0));
        t.admin().get("/api/v1/alerts?state=").then().body("size()", equalTo(0));
        t.admin().get("/api/v1/audit?targetType=server&targetId=" + agent.serverId()).then()
                .body("action", hasItem("server.test-run"));

        // A second report of the same test run changes nothing: a test run ends once.
        agent.send(List.of(event("test-run-finished", null, null, "commandId", hookRun, "result", result(1, 9, "late"))))
                .then().statusCode(200);
        t.admin().get(base + "/" + hookRun).then().body("status", equalTo("succeeded")).body("exitCode", equalTo(0));
    }

    @Test
    void badTestRunsAreRefusedNamingTheFieldAndOtherTenantsServersAreNotFound() {
        TenantFixture t = Fixtures.newTenant("Tests");
        Agent agent = serverWithHooks(t, "fs-bad");
        String base = "/api/v1/servers/" + agent.serverId() + "/test-runs";
        expect400(t, base, Map.of("target", "banana"), "target");
        expect400(t, base, Map.of(), "target");
        expect400(t, base, Map.of("target", "hook"), "hookIndex");
        expect400(t, base, Map.of("target", "hook", "hookIndex", 7), "hookIndex");
        expect400(t, base, Map.of("target", "hook", "hookIndex", 1), "hookIndex"); // the file-filter hook
        expect400(t, base, Map.of("target", "post-script", "preStatus", 9), "preStatus");
        expect400(t, base, Map.of("target", "post-script", "preStatus", 0, "backupStatus", 6), "backupStatus");
        t.admin().get(base).then().body("", hasSize(0));

        TenantFixture other = Fixtures.newTenant("Other");
        other.admin().body(Map.of("target", "pre-script")).post(base).then().statusCode(404);
        other.admin().get(base).then().statusCode(404);
        String run = t.admin().body(Map.of("target", "pre-script")).post(base).then().statusCode(201).extract().path("id");
        other.admin().get(base + "/" + run).then().statusCode(404);
        // A test run's id is not found under another server, nor does another server's agent finish it.
        Agent stranger = Agents.enrolled(t, "fs-stranger");
        t.admin().get("/api/v1/servers/" + stranger.serverId() + "/test-runs/" + run).then().statusCode(404);
        stranger.send(List.of(event("test-run-finished", null, null, "commandId", run, "result", result(0, 0, "x"))))
                .then().statusCode(200);
        t.admin().get(base + "/" + run).then().body("status", equalTo("pending"));

        Fixtures.UserFixture viewer = Fixtures.newUser(t, "VIEWER");
        viewer.api().contentType("application/json").body(Map.of("target", "pre-script")).post(base).then().statusCode(403);
        viewer.api().get(base).then().statusCode(200);

        t.admin().post("/api/v1/servers/" + agent.serverId() + "/disable").then().statusCode(200);
        t.admin().body(Map.of("target", "pre-script")).post(base).then().statusCode(409);
    }

    private static void expect400(TenantFixture t, String path, Map<String, Object> body, String field) {
        t.admin().body(body).post(path).then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo(field));
    }
}
