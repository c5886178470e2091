package dev.fleethook.job;

import static dev.fleethook.support.Agents.event;
import static dev.fleethook.support.Agents.result;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Agents;
import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Issue 12, part 3: one bad event never silences a server. Whatever an agent sends in an event — NUL,
 * lone surrogates, control characters, over-long fields, unknown types, nested nulls, huge numbers —
 * the events endpoint never answers 500: text is stored and shown escaped, a malformed event is refused
 * alone with its id and reason, and the rest of the batch is taken.
 */
@QuarkusTest
class EventIngestionFuzzTest {

    static final String NUL_OUTPUT = "dump ok\u0000 trailing";

    private static TenantFixture tenant;

    static synchronized TenantFixture tenant() {
        if (tenant == null) {
            tenant = Fixtures.newTenant("Fuzz");
        }
        return tenant;
    }

    @Test
    void aPreScriptPrintingNulIsStoredEscapedAndLaterJobsStillShow() {
        Agent agent = Agents.enrolled(tenant(), "nul-fs");
        String jobId = UUID.randomUUID().toString();
        List<Map<String, Object>> events = new ArrayList<>(List.of(
                event("job-started", jobId, null, "trigger", "scheduled", "maxAttempts", 1),
                event("attempt-started", jobId, 1),
                event("script-finished", jobId, 1, "step", "pre", "result", result(0, 0, NUL_OUTPUT)),
                event("backup-finished", jobId, 1, "result", result(0, 0, "lone \ud800 surrogate \u001b[31m")),
                event("script-finished", jobId, 1, "step", "post", "result", result(0, 0, "post ok")),
                event("attempt-finished", jobId, 1, "finalAttempt", true),
                event("job-finished", jobId, 1, "jobStatus", "succeeded", "backupStatus", 0)));
        agent.send(events).then().statusCode(200).body("accepted", equalTo(7));
        tenant().admin().get("/api/v1/jobs/" + jobId).then().statusCode(200).body("job.status", equalTo("succeeded"))
                .body("attempts[0].pre.outputTail", equalTo("dump ok\u2400 trailing"))
                .body("attempts[0].backup.outputTail", equalTo("lone \ufffd surrogate \u241b[31m"));
        String page = Fixtures.Browser.signIn(tenant().adminEmail(), Fixtures.DEFAULT_PASSWORD).get("/jobs/" + jobId)
                .then().statusCode(200).extract().asString();
        assertTrue(page.contains("dump ok\u2400 trailing"), "the job page shows the NUL escaped");

        String next = UUID.randomUUID().toString();
        agent.send(Agents.job(next, 1, true)).then().statusCode(200);
        tenant().admin().queryParam("server", agent.serverId()).get("/api/v1/jobs").then()
                .body("total", equalTo(2));
    }

    @Test
    void eachOfIssue13sFieldsIsRefusedAloneWithTheReasonNeverA500() {
        Agent agent = Agents.enrolled(tenant(), "long-fields");
        String jobId = UUID.randomUUID().toString();
        Map<String, Object> longTrigger = event("job-started", jobId, null, "trigger", "t".repeat(17));
        Map<String, Object> longPath = event("hook-finished", jobId, 1, "phase", "before-folder", "hookIndex", 0,
                "sourcePath", "/" + "p".repeat(1024), "result", result(0, 0, "ok"));
        Map<String, Object> badBackup = event("job-finished", jobId, 1, "jobStatus", "failed", "backupStatus", 12345);
        Map<String, Object> fine = event("attempt-started", jobId, 1);
        Response r = agent.send(List.of(longTrigger, longPath, badBackup, fine));
        r.then().statusCode(200).body("accepted", equalTo(1)).body("rejected", hasSize(3))
                .body("rejected[0].eventId", equalTo(longTrigger.get("eventId")))
                .body("rejected[0].field", equalTo("trigger"))
                .body("rejected[0].reason", equalTo("must be at most 16 characters"))
                .body("rejected[1].field", equalTo("sourcePath"))
                .body("rejected[2].field", equalTo("backupStatus"))
                .body("rejected[2].reason", equalTo("must be a backup status code (0 to 5)"));
        tenant().admin().get("/api/v1/jobs/" + jobId).then().statusCode(200).body("job.status", equalTo("running"));
    }

    @Test
    void theJobsPolicyIsTheServersOwnAssignmentNotTheAgentsWord() {
        TenantFixture other = Fixtures.newTenant("Fuzz other");
        Agents.enrolled(other, "other-fs");
        String foreignPolicy = other.admin().get("/api/v1/policies").then().statusCode(200).extract().path("[0].id");
        Agent agent = Agents.enrolled(tenant(), "liar");
        String ownPolicy = tenant().admin().get("/api/v1/servers/" + agent.serverId()).then().extract().path("policyId");
        String jobId = UUID.randomUUID().toString();
        agent.send(List.of(event("job-started", jobId, null, "policyId", foreignPolicy, "policyRevision", 1)))
                .then().statusCode(200).body("accepted", equalTo(1));
        String recorded = tenant().admin().get("/api/v1/jobs/" + jobId).then().statusCode(200).extract()
                .path("job.policyId");
        assertNotEquals(foreignPolicy, recorded);
        assertEquals(ownPolicy, recorded);
    }

    /** Every string field with NUL, lone surrogates and controls; nested nulls; huge numbers; unknown types. */
    @Test
    void fuzzedBatchesNeverAnswer500() {
        Agent agent = Agents.enrolled(tenant(), "fuzzed");
        Random random = new Random(12);
        String[] nasty = { "\u0000", "a\u0000b", "\ud800", "\udfff x", "\u0007\u001f\u007f", "x".repeat(5000),
                "\ud83d\ude00 ok", "", "NaN", "{\"json\": null}", "'; DROP TABLE job; --" };
        Object[] odd = { null, Map.of(), List.of(), 99999999999L, -1, 1e308, "1e400", Long.MIN_VALUE, true,
                new java.math.BigInteger("9".repeat(300)) };
        String[] types = { "job-started", "attempt-started", "script-finished", "hook-finished", "backup-finished",
                "attempt-finished", "job-finished", "command-acknowledged", "policy-refused", "policy-accepted",
                "exploded", "JOB_FINISHED" };
        String[] fields = { "trigger", "step", "phase", "sourcePath", "reason", "jobStatus", "policyId", "commandId",
                "jobId", "time", "type", "eventId", "attempt", "maxAttempts", "hookIndex", "backupStatus",
                "policyRevision", "finalAttempt", "result" };
        int accepted = 0;
        int rejected = 0;
        for (int round = 0; round < 40; round++) {
            List<Map<String, Object>> batch = new ArrayList<>();
            String jobId = UUID.randomUUID().toString();
            for (int i = 0; i < 12; i++) {
                Map<String, Object> e = event(types[random.nextInt(types.length)], jobId, 1 + random.nextInt(2),
                        "step", "pre", "phase", "after-backup", "hookIndex", 0, "jobStatus", "failed",
                        "commandId", UUID.randomUUID().toString(), "reason", nasty[random.nextInt(nasty.length)]);
                Map<String, Object> res = new HashMap<>(result(random.nextInt(2), 1, nasty[random.nextInt(nasty.length)]));
                res.put("detail", nasty[random.nextInt(nasty.length)]);
                Map<String, Object> stats = new HashMap<>();
                stats.put(nasty[random.nextInt(nasty.length)], odd[random.nextInt(odd.length)]);
                stats.put("nested", java.util.Collections.singletonMap("deeper", null));
                res.put("stats", stats);
                e.put("result", res);
                String field = fields[random.nextInt(fields.length)];
                e.put(field, random.nextBoolean() ? nasty[random.nextInt(nasty.length)] : odd[random.nextInt(odd.length)]);
                batch.add(e);
            }
            Response r = agent.send(batch);
            assertEquals(200, r.statusCode(), "round " + round + ": " + r.asString());
            accepted += r.jsonPath().getInt("accepted") + r.jsonPath().getInt("duplicates");
            rejected += r.jsonPath().getList("rejected") == null ? 0 : r.jsonPath().getList("rejected").size();
        }
        assertEquals(40 * 12, accepted + rejected, "every event is either taken or refused with a reason");
        assertTrue(accepted > 0 && rejected > 0, "the fuzz hit both: " + accepted + " taken, " + rejected + " refused");
        // Raw bodies JSON can express but a record cannot hold.
        agent.api().body("{\"events\": [null, 5, \"x\", [], {\"eventId\": \"" + UUID.randomUUID()
                + "\", \"type\": \"policy-accepted\", \"time\": \"2026-01-01T00:00:00Z\", \"attempt\": 1e999}]}")
                .post("/api/agent/v1/events").then().statusCode(200).body("rejected", hasSize(5));
        agent.api().body("{\"events\": [{\"eventId\": \"" + UUID.randomUUID()
                + "\", \"type\": \"policy-refused\", \"time\": \"+999999999-12-31T23:59:59Z\", \"reason\": \"\\u0000\"}]}")
                .post("/api/agent/v1/events").then().statusCode(200).body("rejected[0].field", equalTo("time"));
    }
}
