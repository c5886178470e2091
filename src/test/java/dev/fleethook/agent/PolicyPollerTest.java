package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.Backoff;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The agent's polling against the real portal: 304 while nothing changed, the cache on disk, backoff. */
@QuarkusTest
class PolicyPollerTest {

    @TestHTTPResource("/")
    URL portal;

    @TempDir
    Path dir;

    @Test
    void pollsAreConditionalAndThePolicyIsCachedOnDiskForOutages() throws Exception {
        var tenant = Fixtures.newTenant("Poller");
        var agent = Agents.enrolled(tenant, "poller-fs");
        AgentState state = new AgentState(dir.resolve("state"));
        state.save(new AgentState.Config(portal.toString(), agent.serverId(), "poller-fs", 30, false, false, List.of()),
                agent.secret());
        PolicyPoller poller = new PolicyPoller(state, new PortalClient(portal.toString()),
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5)));

        var first = poller.pollOnce();
        assertTrue(first.changed());
        assertEquals("Default", first.policy().orElseThrow().answer().policy().policyName());
        assertTrue(first.next().compareTo(Duration.ofSeconds(24)) >= 0 && first.next().compareTo(Duration.ofSeconds(36)) <= 0,
                "30 s ± 20 %: " + first.next());
        var second = poller.pollOnce();
        assertFalse(second.changed(), "304: nothing changed");

        String policyId = first.policy().orElseThrow().answer().policy().policyId();
        tenant.admin().body(PolicyFixtures.save(PolicyFixtures.spec("Default"), 1)).put("/api/v1/policies/" + policyId)
                .then().statusCode(200);
        var third = poller.pollOnce();
        assertTrue(third.changed());
        assertEquals(2, third.policy().orElseThrow().answer().policy().revision());

        // The portal goes away: the cached policy keeps serving, and the next attempt backs off.
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        PolicyPoller offline = new PolicyPoller(new AgentState(dir.resolve("state")),
                new PortalClient("http://127.0.0.1:" + closed), new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5)));
        var down = offline.pollOnce();
        assertNotNull(down.problem());
        assertEquals(2, down.policy().orElseThrow().answer().policy().revision(), "cached revision survives");
        assertTrue(down.next().compareTo(Duration.ofSeconds(2)) <= 0);
    }
}
