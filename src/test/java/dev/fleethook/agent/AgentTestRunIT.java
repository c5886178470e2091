package dev.fleethook.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.support.ItTenant;
import dev.fleethook.support.PackagedPortal;
import dev.fleethook.support.PolicyFixtures;
import io.restassured.path.json.JsonPath;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * "Test this hook now" end to end: the packaged portal on a real PostgreSQL and real agent daemons holding
 * their polls (interval 30 s). A test run of the pre-script, of a hook and of the post-script with chosen
 * statuses reaches the agent through the command channel and comes back within seconds with the real exit
 * code and output (the scripts see {@code FLEETHOOK_TEST=1} and the test run id as job id); on an agent whose
 * local config leaves hooks off the same test is shown refused. No job and no alert is created.
 */
class AgentTestRunIT {

    @TempDir
    Path tmp;

    @Test
    void testRunsComeBackWithExitCodeAndOutputOrRefusedAndAreNeverJobs() throws Exception {
        AgentProcesses processes = new AgentProcesses(tmp);
        Map<String, String> env = Map.of("FLEETHOOK_OPERATOR_EMAIL", "ops@testrun.test", "FLEETHOOK_OPERATOR_PASSWORD",
                "testrun-it-operator", "FLEETHOOK_FLEET_POLL_INTERVAL_SECONDS", "30");
        List<Process> agents = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(); PackagedPortal portal = PackagedPortal.start(pg, env)) {
            ItTenant tenant = ItTenant.create(portal.baseUrl, "ops@testrun.test", "testrun-it-operator", "testrun");
            exe(tmp.resolve("scripts/pre_script.sh"), "echo \"pre $1 test=$FLEETHOOK_TEST job=$FLEETHOOK_JOB_ID\"; exit 3");
            exe(tmp.resolve("scripts/post_script.sh"), "echo \"post pre=$2 backup=$3 test=$FLEETHOOK_TEST\"");
            exe(tmp.resolve("hooks/snap.sh"), "echo \"hook test=$FLEETHOOK_TEST action=$FLEETHOOK_ACTION\"");
            String policyId = tenant.admin().body(PolicyFixtures.save(policy(), null)).post("/api/v1/policies").then()
                    .statusCode(201).extract().path("id");
            String open = processes.enroll(tenant, portal.baseUrl, "open-fs", policyId, true);
            String locked = processes.enroll(tenant, portal.baseUrl, "locked-fs", policyId, false);
            agents.add(processes.daemon("open-fs"));
            agents.add(processes.daemon("locked-fs"));
            await("both agents have the policy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> processes.policyCached("open-fs", "Tested") && processes.policyCached("locked-fs", "Tested"));

            long asked = System.nanoTime();
            JsonPath pre = finished(tenant, open, start(tenant, open, Map.of("target", "pre-script")));
            long seconds = (System.nanoTime() - asked) / 1_000_000_000L;
            assertEquals("failed", pre.getString("status"));
            assertEquals(3, pre.getInt("exitCode"));
            String id = pre.getString("id");
            assertTrue(pre.getString("outputTail").contains("pre " + id + " test=1 job=" + id), pre.getString("outputTail"));
            assertTrue(seconds < 15, "answered through the held poll in " + seconds + " s (poll interval 30 s)");

            JsonPath hook = finished(tenant, open, start(tenant, open, Map.of("target", "hook", "hookIndex", 0)));
            assertEquals("succeeded", hook.getString("status"));
            assertEquals(0, hook.getInt("exitCode"));
            assertTrue(hook.getString("outputTail").contains("hook test=1 action=before-backup"), hook.getString("outputTail"));

            JsonPath post = finished(tenant, open, start(tenant, open,
                    Map.of("target", "post-script", "preStatus", 1, "backupStatus", 4)));
            assertEquals("succeeded", post.getString("status"));
            assertTrue(post.getString("outputTail").contains("post pre=1 backup=4 test=1"), post.getString("outputTail"));

            JsonPath refused = finished(tenant, locked, start(tenant, locked, Map.of("target", "hook", "hookIndex", 0)));
            assertEquals("refused", refused.getString("status"));
            assertTrue(refused.getString("detail").contains("not enabled on this agent"), refused.getString("detail"));

            for (String server : List.of(open, locked)) {
                assertEquals(0, tenant.admin().queryParam("server", server).get("/api/v1/jobs").then().statusCode(200)
                        .extract().jsonPath().getInt("total"), "a test run is never a job");
            }
            assertEquals(0, tenant.admin().get("/api/v1/alerts?state=").then().statusCode(200).extract().jsonPath()
                    .getList("").size(), "a failed test run raises no alert");
        } finally {
            for (Process p : agents) {
                p.destroy();
                p.waitFor(20, TimeUnit.SECONDS);
            }
            for (String host : List.of("open-fs", "locked-fs")) {
                Path log = tmp.resolve(host + ".log");
                if (Files.exists(log)) {
                    System.out.println("--- " + host + " log\n" + Files.readString(log));
                }
            }
        }
    }

    /** Starts a test run; 409 only until the agent's first poll (which names its features) is written. */
    private static String start(ItTenant tenant, String server, Map<String, Object> body) {
        String[] id = new String[1];
        await("test run accepted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            var r = tenant.admin().body(body).post("/api/v1/servers/" + server + "/test-runs");
            if (r.statusCode() == 409) {
                return false;
            }
            id[0] = r.then().statusCode(201).extract().path("id");
            return true;
        });
        return id[0];
    }

    /** The test run once the agent has reported it. */
    private static JsonPath finished(ItTenant tenant, String server, String id) {
        String path = "/api/v1/servers/" + server + "/test-runs/" + id;
        await("test run " + id).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !"pending".equals(tenant.admin().get(path).then().statusCode(200).extract().path("status")));
        return tenant.admin().get(path).then().extract().jsonPath();
    }

    private Map<String, Object> policy() throws IOException {
        Files.createDirectories(tmp.resolve("data"));
        Map<String, Object> spec = PolicyFixtures.spec("Tested");
        PolicyFixtures.set(spec, "schedule", Map.of("kind", "manual"));
        PolicyFixtures.set(spec, "retry", Map.of("count", 0, "intervalMinutes", 1));
        PolicyFixtures.set(spec, "scripts.linux.folder", tmp.resolve("scripts").toString());
        PolicyFixtures.set(spec, "scripts.timeoutSeconds", 60);
        PolicyFixtures.set(spec, "backup", Map.of("engine", "archive", "sources", List.of(tmp.resolve("data").toString()),
                "excludes", List.of(), "archive", Map.of("destination", tmp.resolve("archives").toString(), "retention", 3)));
        PolicyFixtures.set(spec, "hooks", PolicyFixtures.list(PolicyFixtures.hook("before-backup", "command", "command",
                List.of(tmp.resolve("hooks/snap.sh").toString()), "timeoutSeconds", 30)));
        return spec;
    }

    private static void exe(Path p, String body) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
