package dev.fleethook.agent;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.fleethook.job.service.AbandonedJobDetector;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import dev.fleethook.support.PolicyFixtures;
import dev.fleethook.support.SmtpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Issue 12 with a real agent: the agent runs as its own JVM process (the test's class path, so no
 * packaging is needed) with real shell scripts and the archive engine, against this test's portal and
 * a real SMTP server. A post-script exiting 3 after a successful archive gives a warning job, its alert
 * and one email per recipient; an event the portal refuses is set aside in {@code spool/rejected/}
 * without holding back the job's events, counted by {@code status} and in the poll; the agent's polls
 * say which job runs, and a job of a killed agent whose server is then revoked is closed as abandoned.
 */
@QuarkusTest
@WithTestResource(SmtpServer.class)
class AgentOutcomesProcessTest {

    @TestHTTPResource("/")
    URL portal;

    @TempDir
    Path tmp;

    @Inject
    DataSource dataSource;

    @Inject
    AbandonedJobDetector detector;

    static final String HOST = "proc-fs";

    List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AgentMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    String run(String... args) throws Exception {
        Process p = new ProcessBuilder(java(args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    Process daemon(Path state) throws Exception {
        return new ProcessBuilder(java("run", "--state-dir", state.toString())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("agent.log").toFile())).start();
    }

    void exe(Path p, String body) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    String log() {
        try {
            return Files.readString(tmp.resolve("agent.log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }

    @Test
    void aRealAgentsWarningJobRefusedEventAndAbandonedJob() throws Exception {
        String ops = Fixtures.unique("proc") + "@alerts.test";
        TenantFixture t = Fixtures.newTenant("Process");
        t.admin().body(Map.of("recipients", List.of(ops))).put("/api/v1/alert-settings").then().statusCode(200);
        Path state = tmp.resolve("state");
        String token = Agents.token(t, Map.of("label", "process test"));
        run("enroll", "--portal", portal.toString(), "--token", token, "--hostname", HOST, "--state-dir",
                state.toString());
        ObjectNode config = (ObjectNode) AgentState.JSON.readTree(state.resolve("config.json").toFile());
        config.put("hooksEnabled", true);
        config.putArray("allowedRoots").add(tmp.toString());
        Files.writeString(state.resolve("config.json"), AgentState.JSON.writeValueAsString(config));
        String serverId = config.get("serverId").asText();
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE server SET poll_interval_seconds = 5 WHERE id = '" + serverId + "'");
        }

        Path scripts = tmp.resolve("scripts");
        exe(scripts.resolve("pre_script.sh"), "echo \"pre for job $1\"");
        exe(scripts.resolve("post_script.sh"), "echo \"post: cannot release the snapshot (backup status $3)\" >&2\nexit 3");
        Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("data/ledger.csv"), "1,2,3\n");
        Map<String, Object> spec = PolicyFixtures.spec("Process");
        PolicyFixtures.set(spec, "schedule", Map.of("kind", "manual"));
        PolicyFixtures.set(spec, "retry", Map.of("count", 0, "intervalMinutes", 1));
        PolicyFixtures.set(spec, "backup", Map.of("engine", "archive", "sources", List.of(tmp.resolve("data").toString()),
                "excludes", List.of(), "archive", Map.of("destination", tmp.resolve("archives").toString(), "retention", 3)));
        PolicyFixtures.set(spec, "scripts.linux.folder", scripts.toString());
        PolicyFixtures.set(spec, "scripts.skipBackupIfPreScriptFails", false);
        String policyId = t.admin().body(PolicyFixtures.save(spec, null)).post("/api/v1/policies").then()
                .statusCode(201).extract().path("id");
        t.admin().body(Map.of("policyId", policyId)).put("/api/v1/servers/" + serverId + "/policy").then()
                .statusCode(200);

        // An event an older, buggy agent left in the spool: the portal refuses it (trigger over 16 characters).
        UUID badEvent = UUID.randomUUID();
        JobEvent bad = JobEvent.of(EventType.JOB_STARTED).eventId(badEvent).job(UUID.randomUUID())
                .trigger("a-trigger-far-too-long").maxAttempts(1).build();
        Files.createDirectories(state.resolve("spool"));
        Files.write(state.resolve("spool").resolve("00000000000000000001-" + badEvent + ".json"),
                AgentState.JSON.writeValueAsBytes(bad));

        t.admin().post("/api/v1/servers/" + serverId + "/backup-now").then().statusCode(202);
        Process agent = daemon(state);
        List<ProcessHandle> children = new ArrayList<>();
        try {
            String jobId = Awaitility.await("the warning job (agent log: see agent.log)").atMost(Duration.ofSeconds(90))
                    .until(() -> t.admin().queryParam("server", serverId).queryParam("status", "warning")
                            .get("/api/v1/jobs").then().extract().path("items[0].id"), id -> id != null);
            t.admin().get("/api/v1/jobs/" + jobId).then().body("job.backupStatusName", equalTo("Successful"))
                    .body("attempts[0].post.status", equalTo("Failed")).body("attempts[0].post.exitCode", equalTo(3));
            t.admin().get("/api/v1/alerts").then().body("size()", equalTo(1))
                    .body("[0].kind", equalTo("post-script-failed"));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> SmtpServer.countFor(ops) == 1);

            // The refused event is set aside, the agent says so in its polls.
            Path rejected = state.resolve("spool").resolve("rejected");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(rejected.resolve(
                    "00000000000000000001-" + badEvent + ".json")));
            assertTrue(Files.readString(rejected.resolve("00000000000000000001-" + badEvent + ".reason.txt"))
                    .contains("trigger: must be at most 16 characters"));
            assertTrue(log().contains("refused by the portal and set aside"), log());
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Integer.valueOf(1).equals(
                    t.admin().get("/api/v1/servers/" + serverId).then().extract().path("rejectedEvents")));

            // A slow job: the agent's polls name it while it runs; then the agent is killed and the server revoked.
            exe(scripts.resolve("pre_script.sh"), "echo \"pre: waiting\"\nsleep 300");
            t.admin().post("/api/v1/servers/" + serverId + "/backup-now").then().statusCode(202);
            String slowJob = Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> t.admin()
                    .queryParam("server", serverId).queryParam("status", "running").get("/api/v1/jobs").then().extract()
                    .path("items[0].id"), id -> id != null);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> slowJob.equals(
                    t.admin().get("/api/v1/servers/" + serverId).then().extract().path("runningJobId")));
            children.addAll(agent.descendants().toList());
            agent.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            t.admin().post("/api/v1/servers/" + serverId + "/revoke").then().statusCode(200);
            detector.check();
            t.admin().get("/api/v1/jobs/" + slowJob).then().body("job.status", equalTo("abandoned"))
                    .body("job.statusReason", equalTo("The server was revoked while the job ran."));
            t.admin().queryParam("kind", "job-abandoned").get("/api/v1/alerts").then().body("size()", equalTo(1));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> SmtpServer.countFor(ops) == 2);
        } finally {
            children.addAll(agent.descendants().toList());
            agent.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            // The killed agent's pre-script outlives it (a SIGKILL leaves no time to stop it): end it by its id.
            children.forEach(ProcessHandle::destroyForcibly);
        }
        String status = run("status", "--state-dir", state.toString());
        assertTrue(status.contains("Rejected: 1 events refused by the portal"), status);
    }
}
