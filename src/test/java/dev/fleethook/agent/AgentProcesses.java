package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.fleethook.support.ItTenant;

/**
 * Real agent processes for the integration tests, each with its own state directory {@code root/<host>} and
 * log {@code root/<host>.log}: enrolled with the packaged agent jar, given the local opt-ins the test needs,
 * assigned a policy, and run as a daemon.
 */
final class AgentProcesses {

    private final Path root;

    AgentProcesses(Path root) {
        this.root = root;
    }

    /**
     * Enrolls {@code host} at {@code portal} with the tenant's enrollment token, lets its scripts and hooks run
     * under {@code root} ({@code hooksEnabled} as given; null keeps what
     * {@code enroll} wrote), assigns {@code policyId}; returns the server id.
     */
    String enroll(ItTenant tenant, String portal, String host, String policyId, Boolean hooksEnabled) throws Exception {
        Path state = root.resolve(host);
        AgentEnrollIT.Run enroll = AgentEnrollIT.agent("enroll", "--portal", portal, "--token", tenant.enrollmentToken(),
                "--hostname", host, "--state-dir", state.toString());
        assertEquals(0, enroll.exit(), enroll.out());
        ObjectNode config = (ObjectNode) AgentState.JSON.readTree(state.resolve("config.json").toFile());
        if (hooksEnabled != null) {
            config.put("hooksEnabled", hooksEnabled);
        }
        config.putArray("allowedRoots").add(root.toString());
        Files.writeString(state.resolve("config.json"), AgentState.JSON.writeValueAsString(config));
        String serverId = tenant.admin().queryParam("q", host).get("/api/v1/servers").then().statusCode(200).extract()
                .path("items[0].id");
        tenant.admin().body(Map.of("policyId", policyId)).put("/api/v1/servers/" + serverId + "/policy").then()
                .statusCode(200);
        return serverId;
    }

    /** Whether {@code host}'s agent has cached the policy named {@code policyName} (false before its first poll). */
    boolean policyCached(String host, String policyName) {
        try {
            return AgentState.JSON.readTree(root.resolve(host).resolve("policy.json").toFile())
                    .at("/answer/policy/policyName").asText().equals(policyName);
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts {@code host}'s agent daemon ({@code run}), its output appended to {@code root/<host>.log}. */
    Process daemon(String host) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                AgentEnrollIT.AGENT.toString(), "run", "--state-dir", root.resolve(host).toString());
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve(host + ".log").toFile())).start();
    }
}
