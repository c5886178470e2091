package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.fleethook.support.ItTenant;
import dev.fleethook.support.PackagedPortal;
import dev.fleethook.support.PolicyFixtures;
import io.restassured.path.json.JsonPath;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * End to end, nothing simulated: the packaged portal on a port and a real PostgreSQL; the agent jar as a
 * separate process enrolled with a token; a policy written through the API; Backup Now pressed through the
 * API (and once with {@code backup-now} in the foreground); real pre/post shell scripts; the statuses read
 * back through {@code /api/v1/jobs}. Then the agent is
 * killed with SIGKILL in the middle of a backup and restarted: the post-script still runs and the job is
 * reported Failed.
 */
class AgentJobIT {

    @TempDir
    Path tmp;

    Path exe(String name, String body) throws Exception {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    Process daemon(Path state) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", AgentEnrollIT.AGENT.toString(), "run", "--state-dir", state.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("agent.log").toFile())).start();
    }

    /** The first non-null value of {@code probe}, within 90 s. */
    static <T> T await(String what, Supplier<T> probe) {
        return org.awaitility.Awaitility.await(what).atMost(java.time.Duration.ofSeconds(90))
                .pollInterval(java.time.Duration.ofMillis(250)).until(probe::get, java.util.Objects::nonNull);
    }

    /** The newest job of the server once it has left "running", or null. */
    JsonPath finishedJob(ItTenant tenant, String serverId, int expectedJobs) {
        JsonPath list = tenant.admin().queryParam("server", serverId).get("/api/v1/jobs").then().statusCode(200)
                .extract().jsonPath();
        if (list.getList("items").size() < expectedJobs || "running".equals(list.getString("items[0].status"))) {
            return null;
        }
        return tenant.admin().get("/api/v1/jobs/" + list.getString("items[0].id")).then().statusCode(200).extract()
                .jsonPath();
    }

    @Test
    void anEnrolledAgentRunsBackupNowWithRealScriptsAndFinishesAJobInterruptedByAKill() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start();
                PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_EMAIL", "ops@e2e.test",
                        "FLEETHOOK_OPERATOR_PASSWORD", "e2e-it-operator", "FLEETHOOK_FLEET_POLL_INTERVAL_SECONDS", "5"))) {
            ItTenant tenant = ItTenant.create(portal.baseUrl, "ops@e2e.test", "e2e-it-operator", "e2e");

            // The administrator pastes the enroll command on the server, then opts in to scripts locally.
            Path state = tmp.resolve("state");
            AgentEnrollIT.Run enroll = AgentEnrollIT.agent("enroll", "--portal", portal.baseUrl, "--token",
                    tenant.enrollmentToken(), "--hostname", "e2e-fs", "--state-dir", state.toString());
            assertEquals(0, enroll.exit(), enroll.out());
            ObjectNode config = (ObjectNode) AgentState.JSON.readTree(state.resolve("config.json").toFile());
            config.put("hooksEnabled", true);
            config.putArray("allowedRoots").add(tmp.toString());
            Files.writeString(state.resolve("config.json"), AgentState.JSON.writeValueAsString(config));

            Path scripts = tmp.resolve("scripts");
            exe("scripts/pre_script.sh", "echo \"pre for job $1\"");
            exe("scripts/post_script.sh", "echo \"post pre=$2 backup=$3\" | tee -a " + tmp.resolve("post.log"));
            Files.createDirectories(tmp.resolve("data"));
            Files.writeString(tmp.resolve("data/ledger.csv"), "1,2,3\n");

            Map<String, Object> spec = PolicyFixtures.spec("E2E");
            PolicyFixtures.set(spec, "schedule", Map.of("kind", "manual"));
            PolicyFixtures.set(spec, "retry", Map.of("count", 0, "intervalMinutes", 1));
            PolicyFixtures.set(spec, "backup", Map.of("engine", "archive", "sources", List.of(tmp.resolve("data").toString()),
                    "excludes", List.of(), "archive", Map.of("destination", tmp.resolve("archives").toString(), "retention", 3)));
            PolicyFixtures.set(spec, "scripts.linux.folder", scripts.toString());
            String policyId = tenant.admin().body(PolicyFixtures.save(spec, null)).post("/api/v1/policies").then()
                    .statusCode(201).extract().path("id");
            String serverId = tenant.admin().queryParam("q", "e2e-fs").get("/api/v1/servers").then().statusCode(200)
                    .extract().path("items[0].id");
            tenant.admin().body(Map.of("policyId", policyId)).put("/api/v1/servers/" + serverId + "/policy").then()
                    .statusCode(200);

            // backup-now: one job in the foreground, as an administrator would try it first.
            AgentEnrollIT.Run foreground = AgentEnrollIT.agent("backup-now", "--state-dir", state.toString());
            assertEquals(0, foreground.exit(), foreground.out());
            assertTrue(foreground.out().contains("script-finished attempt 1 pre: status 0, exit 0")
                    && foreground.out().trim().matches("(?s).*Job [0-9a-f-]{36} succeeded"), foreground.out());
            JsonPath first = finishedJob(tenant, serverId, 1);
            assertEquals("succeeded", first.getString("job.status"));
            // backup-now prints the job id and where to see it in the portal (case 12 of issue 11).
            String firstId = first.getString("job.id");
            assertTrue(foreground.out().contains("Job " + firstId + " started; in the portal: ")
                    && foreground.out().contains("/jobs/" + firstId), foreground.out());
            assertEquals("post pre=0 backup=0", first.getString("attempts[0].post.outputTail").trim());
            Files.delete(tmp.resolve("post.log"));

            Process agent = daemon(state);
            try {
                await("the daemon to start", () -> {
                    try {
                        return Files.readString(tmp.resolve("agent.log")).contains("started") ? true : null;
                    } catch (java.io.IOException e) {
                        return null;
                    }
                });
                AgentEnrollIT.Run refused = AgentEnrollIT.agent("backup-now", "--state-dir", state.toString());
                assertEquals(2, refused.exit(), refused.out());
                assertTrue(refused.out().contains("another agent is running"), refused.out());
                tenant.admin().post("/api/v1/servers/" + serverId + "/backup-now").then().statusCode(202);
                JsonPath job = await("the Backup Now job", () -> finishedJob(tenant, serverId, 2));
                assertEquals("succeeded", job.getString("job.status"), job.prettify());
                assertEquals("manual", job.getString("job.trigger"));
                String jobId = job.getString("job.id");
                assertEquals(0, job.getInt("attempts[0].pre.exitCode"));
                assertEquals("pre for job " + jobId, job.getString("attempts[0].pre.outputTail").trim());
                assertEquals(0, job.getInt("attempts[0].backup.statusCode"));
                assertEquals(1, job.getInt("attempts[0].backup.stats.files"));
                assertEquals("post pre=0 backup=0", job.getString("attempts[0].post.outputTail").trim());
                assertEquals(true, job.getBoolean("attempts[0].finalAttempt"));
                try (var archives = Files.list(tmp.resolve("archives"))) {
                    assertEquals(2, archives.filter(p -> p.toString().endsWith(".tar.gz")).count());
                }

                // A slow backup, killed with the agent (SIGKILL) while it runs: pre ran, post pending.
                Path pidFile = tmp.resolve("backup.pid");
                Path slow = exe("slow-backup.sh", "echo $$ > " + pidFile + "; sleep 300");
                PolicyFixtures.set(spec, "backup", Map.of("engine", "command", "sources", List.of(tmp.resolve("data").toString()),
                        "command", List.of(slow.toString())));
                tenant.admin().body(PolicyFixtures.save(spec, 1)).put("/api/v1/policies/" + policyId).then().statusCode(200);
                await("the agent to poll revision 2", () -> {
                    try {
                        var cached = AgentState.JSON.readTree(state.resolve("policy.json").toFile());
                        return cached.at("/answer/policy/revision").asInt() == 2 ? true : null;
                    } catch (java.io.IOException e) {
                        return null;
                    }
                });
                tenant.admin().post("/api/v1/servers/" + serverId + "/backup-now").then().statusCode(202);
                await("the slow backup to start", () -> Files.exists(pidFile) ? true : null);
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroyForcibly);
                assertEquals(List.of("post pre=0 backup=0"), Files.readAllLines(tmp.resolve("post.log")),
                        "the kill came before the post-script");

                agent = daemon(state);
                JsonPath interrupted = await("the interrupted job", () -> finishedJob(tenant, serverId, 3));
                assertEquals("failed", interrupted.getString("job.status"), interrupted.prettify());
                assertEquals(2, interrupted.getInt("job.policyRevision"));
                assertTrue(interrupted.getString("attempts[0].backup.detail").contains("interrupted"));
                assertEquals("post pre=0 backup=1", interrupted.getString("attempts[0].post.outputTail").trim());
                assertEquals(List.of("post pre=0 backup=0", "post pre=0 backup=1"),
                        Files.readAllLines(tmp.resolve("post.log")));

                // Cancel from the portal during the backup: the engine is stopped, the post-script runs.
                Files.delete(pidFile);
                tenant.admin().post("/api/v1/servers/" + serverId + "/backup-now").then().statusCode(202);
                await("the third backup to start", () -> Files.exists(pidFile) ? true : null);
                String running = await("the running job", () -> {
                    JsonPath list = tenant.admin().queryParam("server", serverId).queryParam("status", "running")
                            .get("/api/v1/jobs").then().statusCode(200).extract().jsonPath();
                    return list.getList("items").isEmpty() ? null : list.getString("items[0].id");
                });
                tenant.admin().post("/api/v1/jobs/" + running + "/cancel").then().statusCode(202);
                JsonPath canceled = await("the canceled job", () -> finishedJob(tenant, serverId, 4));
                assertEquals("canceled", canceled.getString("job.status"), canceled.prettify());
                assertEquals(2, canceled.getInt("attempts[0].backup.statusCode"));
                assertEquals("post pre=0 backup=2", canceled.getString("attempts[0].post.outputTail").trim());
                assertTrue(!AttemptRunnerTest.running(Long.parseLong(Files.readString(pidFile).trim())),
                        "the backup process was stopped");
            } finally {
                agent.destroy();
                agent.waitFor(20, TimeUnit.SECONDS);
                System.out.println("--- agent log\n" + Files.readString(tmp.resolve("agent.log")));
            }
        }
    }
}
