package dev.fleethook.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.fleethook.job.service.MissedWindowDetector;
import dev.fleethook.policy.service.Schedules;
import dev.fleethook.protocol.ScheduledJobs;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * Scheduled starts an agent never reported are recorded as missed once their window closes — once, even
 * with four detectors racing (as four replicas would) — and a late report of the agent takes the job over.
 */
@QuarkusTest
class MissedWindowDetectorTest {

    @Inject
    MissedWindowDetector detector;

    /** A server whose policy starts every 5 minutes with a 5-minute window; returns when the policy changed. */
    static Instant everyFiveMinutes(Fixtures.TenantFixture tenant, Agents.Agent agent) {
        String policyId = tenant.admin().get("/api/v1/servers/" + agent.serverId()).then().extract().path("policyId");
        Map<String, Object> spec = PolicyFixtures.spec("Default");
        PolicyFixtures.set(spec, "schedule", Map.of("kind", "cron", "cron", "*/5 * * * *"));
        PolicyFixtures.set(spec, "windowMinutes", 5);
        PolicyFixtures.set(spec, "scripts.timeoutSeconds", 60);
        tenant.admin().body(PolicyFixtures.save(spec, 1)).put("/api/v1/policies/" + policyId).then().statusCode(200);
        return Instant.now();
    }

    @Test
    void silentStartsBecomeMissedJobsOnceAndALateReportTakesOver() throws Exception {
        var tenant = Fixtures.newTenant("Missed");
        var agent = Agents.enrolled(tenant, "silent-fs");
        Instant saved = everyFiveMinutes(tenant, agent);

        // Half an hour later (as far as the detector knows): the starts whose 5-minute window has closed.
        Instant later = saved.plus(Duration.ofMinutes(30));
        ZoneId paris = ZoneId.of("Europe/Paris");
        List<Instant> starts = Schedules.nextRuns("*/5 * * * *", paris, saved.atZone(paris), 5).stream()
                .map(ZonedDateTime::toInstant).toList();
        assertTrue(starts.get(4).plus(Duration.ofMinutes(5)).compareTo(later) <= 0);

        // The agent did report the first start, one minute into its window.
        UUID serverId = UUID.fromString(agent.serverId());
        String reported = ScheduledJobs.id(serverId, starts.get(0)).toString();
        agent.send(List.of(Agents.event("job-started", reported, null, "trigger", "scheduled", "maxAttempts", 1,
                "time", starts.get(0).plusSeconds(60).toString()))).then().statusCode(200);

        // Four detectors at once, as on four replicas.
        List<CompletableFuture<Integer>> passes = java.util.stream.IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> detector.check(later))).toList();
        int recorded = 0;
        for (var pass : passes) {
            recorded += pass.get();
        }
        assertEquals(4, recorded, "each silent start recorded once");
        assertEquals(0, detector.check(later), "a later pass finds nothing new");

        JsonPath jobs = tenant.admin().queryParam("server", agent.serverId()).queryParam("size", 20).get("/api/v1/jobs")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(5, jobs.getInt("total"));
        assertEquals(4, jobs.getList("items.findAll { it.status == 'skipped' }").size());
        JsonPath missed = tenant.admin().get("/api/v1/jobs/" + ScheduledJobs.id(serverId, starts.get(1))).then()
                .statusCode(200).extract().jsonPath();
        assertEquals("skipped", missed.getString("job.status"));
        assertEquals(true, missed.getBoolean("job.missed"));
        assertEquals("scheduled", missed.getString("job.trigger"));

        // The agent was only cut off: its report of the second start arrives late and takes the job over.
        String late = ScheduledJobs.id(serverId, starts.get(1)).toString();
        agent.send(List.of(Agents.event("job-started", late, null, "trigger", "scheduled", "maxAttempts", 1),
                Agents.event("job-finished", late, 1, "jobStatus", "succeeded", "backupStatus", 0))).then().statusCode(200);
        JsonPath taken = tenant.admin().get("/api/v1/jobs/" + late).then().statusCode(200).extract().jsonPath();
        assertEquals("succeeded", taken.getString("job.status"));
        assertEquals(false, taken.getBoolean("job.missed"));
        assertEquals(5, tenant.admin().queryParam("server", agent.serverId()).get("/api/v1/jobs").then().extract()
                .jsonPath().getInt("total"), "still one job per start");
    }

    @Test
    void anotherTenantNeverSeesMissedJobs() {
        var mine = Fixtures.newTenant("MissedMine");
        var other = Fixtures.newTenant("MissedOther");
        var agent = Agents.enrolled(mine, "mine-fs");
        everyFiveMinutes(mine, agent);
        detector.check(Instant.now().plus(Duration.ofMinutes(20)));
        String id = mine.admin().queryParam("server", agent.serverId()).get("/api/v1/jobs").then().extract()
                .path("items[0].id");
        other.admin().get("/api/v1/jobs/" + id).then().statusCode(404);
    }
}
