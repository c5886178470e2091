package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.support.Agents;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A policy that asks for more than the agent allows: the daemon tells the portal (the server page shows
 * the refusal) instead of running anything. The policy enables pre/post-scripts; this agent has not
 * opted in to scripts locally.
 */
@QuarkusTest
class AgentRefusalTest {

    @TestHTTPResource("/")
    URL portal;

    @TempDir
    Path dir;

    @Test
    void theDaemonReportsWhatItRefusesAndTheServerShowsIt() throws Exception {
        var tenant = Fixtures.newTenant("Refusal");
        var agent = Agents.enrolled(tenant, "refusing-fs");
        String policyId = tenant.admin().get("/api/v1/servers/" + agent.serverId()).then().extract().path("policyId");
        tenant.admin().body(PolicyFixtures.save(PolicyFixtures.spec("Default"), 1)).put("/api/v1/policies/" + policyId)
                .then().statusCode(200);
        AgentState state = new AgentState(dir.resolve("state"));
        state.save(new AgentState.Config(portal.toString(), agent.serverId(), "refusing-fs", 30, false, false, List.of()),
                agent.secret());
        try (AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1))) {
            daemon.start();
            String refusal = org.awaitility.Awaitility.await("the refusal reported").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> tenant.admin().get("/api/v1/servers/" + agent.serverId()).then().statusCode(200)
                            .extract().<String>path("lastRefusal"), java.util.Objects::nonNull);
            assertTrue(refusal.contains("scripts are not enabled on this agent"), "refusal: " + refusal);
        }

        // The server's administrator opts in locally: the next start reports the policy accepted.
        state.save(new AgentState.Config(portal.toString(), agent.serverId(), "refusing-fs", 30, true, false,
                List.of(PolicyFixtures.DEFAULT_LINUX_FOLDER)), agent.secret());
        try (AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1))) {
            daemon.start();
            org.awaitility.Awaitility.await("the refusal is cleared").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> tenant.admin().get("/api/v1/servers/" + agent.serverId()).then().statusCode(200)
                            .extract().<String>path("lastRefusal"), org.hamcrest.Matchers.nullValue());
        }
    }
}
