package dev.fleethook.job;

import static dev.fleethook.support.Agents.event;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.fleethook.job.service.AbandonedJobDetector;
import dev.fleethook.protocol.AgentHeaders;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Issue 12, part 4: no job stays "running" forever. A job whose server was revoked or disabled, whose
 * agent says (in its polls) it no longer runs it, or whose agent went silent is closed as abandoned —
 * once, across racing detector passes, with an alert — and a late report from the agent still wins.
 */
@QuarkusTest
class AbandonedJobDetectorTest {

    @Inject
    AbandonedJobDetector detector;

    @Inject
    DataSource dataSource;

    private static TenantFixture tenant;

    static synchronized TenantFixture tenant() {
        if (tenant == null) {
            tenant = Fixtures.newTenant("Abandon");
        }
        return tenant;
    }

    void sql(String statement) throws Exception {
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    String started(Agent agent) {
        String jobId = UUID.randomUUID().toString();
        agent.send(List.of(event("job-started", jobId, null, "trigger", "manual", "maxAttempts", 1),
                event("attempt-started", jobId, 1))).then().statusCode(200);
        return jobId;
    }

    String status(String jobId) {
        return tenant().admin().get("/api/v1/jobs/" + jobId).then().statusCode(200).extract().path("job.status");
    }

    @Test
    void aRevokedServersRunningJobIsAbandonedOnceWithOneAlertAcrossRacingPasses() throws Exception {
        Agent agent = Agents.enrolled(tenant(), "revoked-fs");
        String jobId = started(agent);
        detector.check(); // leftovers of other test classes, so that the count below is this job's
        tenant().admin().post("/api/v1/servers/" + agent.serverId() + "/revoke").then().statusCode(200);
        List<CompletableFuture<Integer>> passes = List.of(CompletableFuture.supplyAsync(detector::check),
                CompletableFuture.supplyAsync(detector::check), CompletableFuture.supplyAsync(detector::check),
                CompletableFuture.supplyAsync(detector::check));
        int closedHere = 0;
        for (CompletableFuture<Integer> p : passes) {
            closedHere += p.join();
        }
        assertEquals(1, closedHere, "closed by exactly one pass");
        tenant().admin().get("/api/v1/jobs/" + jobId).then().body("job.status", equalTo("abandoned"))
                .body("job.statusReason", equalTo("The server was revoked while the job ran."))
                .body("job.backupStatusName", equalTo("N/A")).body("attempts[0].backup.status", equalTo("N/A"));
        tenant().admin().queryParam("server", agent.serverId()).queryParam("kind", "job-abandoned")
                .get("/api/v1/alerts").then().body("size()", equalTo(1)).body("[0].occurrences", equalTo(1))
                .body("[0].title", startsWith("Job abandoned on revoked-fs"));
        assertEquals(0, detector.check(), "a second pass finds nothing");
    }

    @Test
    void aJobTheAgentSaysItNoLongerRunsIsAbandonedAndALateReportStillWins() throws Exception {
        Agent agent = Agents.enrolled(tenant(), "crashed-fs");
        String jobId = started(agent);
        // The agent's polls say it runs this job: nothing happens, however old its last report is.
        agent.api().header(AgentHeaders.RUNNING_JOB, jobId).get("/api/agent/v1/policy").then().statusCode(200);
        sql("UPDATE job SET updated_at = now() - interval '10 minutes' WHERE id = '" + jobId + "'");
        Awaitility.await().until(() -> detector.check() == 0 && "running".equals(status(jobId))
                && jobId.equals(runningReported(agent)));
        // After a restart, the agent runs nothing: two minutes of grace, then the job is closed.
        agent.api().header(AgentHeaders.RUNNING_JOB, AgentHeaders.NONE).get("/api/agent/v1/policy").then()
                .statusCode(200);
        Awaitility.await().until(() -> runningReported(agent) == null);
        detector.check();
        tenant().admin().get("/api/v1/jobs/" + jobId).then().body("job.status", equalTo("abandoned"))
                .body("job.statusReason", startsWith("The agent no longer runs this job"));

        agent.send(List.of(event("job-finished", jobId, 1, "jobStatus", "failed", "backupStatus", 1))).then()
                .statusCode(200).body("accepted", equalTo(1));
        tenant().admin().get("/api/v1/jobs/" + jobId).then().body("job.status", equalTo("failed"))
                .body("job.statusReason", org.hamcrest.Matchers.nullValue());
        tenant().admin().queryParam("server", agent.serverId()).queryParam("kind", "job-abandoned")
                .get("/api/v1/alerts").then().body("[0].state", equalTo("resolved"));
    }

    @Test
    void aJobOfADisabledServerOrASilentAgentIsAbandonedButAnOldAgentStillPollingIsNot() throws Exception {
        Agent disabled = Agents.enrolled(tenant(), "disabled-fs");
        String disabledJob = started(disabled);
        tenant().admin().post("/api/v1/servers/" + disabled.serverId() + "/disable").then().statusCode(200);

        Agent silent = Agents.enrolled(tenant(), "silent-fs");
        String silentJob = started(silent);
        sql("UPDATE server SET last_seen_at = now() - interval '2 hours' WHERE id = '" + silent.serverId() + "'");
        sql("UPDATE job SET updated_at = now() - interval '2 hours' WHERE id = '" + silentJob + "'");

        // An agent that polls without saying which job it runs (older agents): its long job stays running.
        Agent old = Agents.enrolled(tenant(), "old-agent-fs");
        String longJob = started(old);
        old.poll(null).then().statusCode(200);
        sql("UPDATE job SET updated_at = now() - interval '30 minutes' WHERE id = '" + longJob + "'");

        detector.check();
        assertEquals("abandoned", status(disabledJob));
        tenant().admin().get("/api/v1/jobs/" + silentJob).then().body("job.status", equalTo("abandoned"))
                .body("job.statusReason", equalTo("The agent stopped reporting: not seen for more than 60 minutes."));
        assertEquals("running", status(longJob));
        tenant().admin().queryParam("status", "abandoned").queryParam("server", silent.serverId()).get("/api/v1/jobs")
                .then().body("total", equalTo(1));
    }

    @Test
    void deletingAServerTakesItsRunningJobsWithIt() {
        Agent agent = Agents.enrolled(tenant(), "deleted-fs");
        String jobId = started(agent);
        tenant().admin().delete("/api/v1/servers/" + agent.serverId()).then().statusCode(204);
        tenant().admin().get("/api/v1/jobs/" + jobId).then().statusCode(404);
        tenant().admin().queryParam("status", "running").get("/api/v1/jobs").then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(jobId)));
    }

    String runningReported(Agent agent) throws Exception {
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement();
                var r = s.executeQuery("SELECT running_reported_at IS NOT NULL, running_job_id FROM server WHERE id = '"
                        + agent.serverId() + "'")) {
            r.next();
            if (!r.getBoolean(1)) {
                return "unreported";
            }
            Object job = r.getObject(2);
            return job == null ? null : job.toString();
        }
    }
}
