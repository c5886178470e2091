package dev.fleethook.fleet;

import static dev.fleethook.support.Agents.event;
import static dev.fleethook.support.Agents.result;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.sql.DataSource;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.fleethook.fleet.service.HeartbeatWriter;
import dev.fleethook.fleet.service.PollCache;
import dev.fleethook.protocol.PollWait;

import dev.fleethook.support.Agents;
import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/** Contract tests of the agent protocol: enroll, policy polling, events. */
@QuarkusTest
class AgentProtocolTest {

    @Inject
    HeartbeatWriter heartbeats;

    @Inject
    DataSource dataSource;

    @Inject
    PollCache pollCache;

    static TenantFixture tenant;

    static TenantFixture tenant() {
        if (tenant == null) {
            tenant = Fixtures.newTenant("Fleet");
        }
        return tenant;
    }

    /**
     * A held poll beats again when it ends, saying nothing about jobs; written together before the flush, it
     * must not erase what the poll itself said (the running job, the rejected count).
     */
    @Test
    void theEndOfAHeldPollKeepsWhatThePollSaid() {
        TenantFixture t = Fixtures.newTenant("Held Beat");
        Agent agent = Agents.enrolled(t, "held-fs");
        UUID server = UUID.fromString(agent.serverId());
        String job = UUID.randomUUID().toString();
        heartbeats.record(server, job, "2", true);
        heartbeats.record(server);
        heartbeats.flush();
        t.admin().get("/api/v1/servers/" + agent.serverId()).then().statusCode(200)
                .body("runningJobId", org.hamcrest.Matchers.equalTo(job)).body("rejectedEvents", org.hamcrest.Matchers.equalTo(2));
        heartbeats.record(server, "none", "0", true);
        heartbeats.record(server);
        heartbeats.flush();
        t.admin().get("/api/v1/servers/" + agent.serverId()).then().statusCode(200)
                .body("runningJobId", org.hamcrest.Matchers.nullValue()).body("rejectedEvents", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void aTokenEnrollsOneServerAndIsThenUsedUp() {
        String token = Agents.token(tenant(), Map.of("label", "one server"));
        Response r = Agents.enroll(token, "fs-01");
        r.then().statusCode(200).body("serverId", notNullValue()).body("agentSecret", startsWith("fha_"))
                .body("pollIntervalSeconds", equalTo(30));
        assertTrue(((String) r.path("agentSecret")).length() >= 4 + 43, "256-bit secret");
        Agents.enroll(token, "fs-02").then().statusCode(401).contentType("application/problem+json");
        tenant().admin().get("/api/v1/servers/" + r.path("serverId")).then().statusCode(200)
                .body("hostname", equalTo("fs-01")).body("presence", equalTo("never-seen"))
                .body("policyName", equalTo("Default"));
        tenant().admin().get("/api/v1/enrollment-tokens").then()
                .body("find { it.label == 'one server' }.state", equalTo("used up"));
    }

    @Test
    void maxUsesExpiryAndRevocationAreEnforced() throws Exception {
        String multi = Agents.token(tenant(), Map.of("label", "two", "maxUses", 2));
        Agents.enroll(multi, "a").then().statusCode(200);
        Agents.enroll(multi, "b").then().statusCode(200);
        Agents.enroll(multi, "c").then().statusCode(401);

        String revoked = Agents.token(tenant(), Map.of("label", "revoked"));
        String id = tenant().admin().get("/api/v1/enrollment-tokens").then().extract()
                .path("find { it.label == 'revoked' }.id");
        tenant().admin().delete("/api/v1/enrollment-tokens/" + id).then().statusCode(200).body("state", equalTo("revoked"));
        Agents.enroll(revoked, "d").then().statusCode(401);

        String expired = Agents.token(tenant(), Map.of("label", "expired"));
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE enrollment_token SET expires_at = now() - interval '1 second' WHERE label = 'expired'");
        }
        Agents.enroll(expired, "e").then().statusCode(401);
        Agents.enroll("fhe_not-a-real-token", "f").then().statusCode(401);

        tenant().admin().body(Map.of("label", "too long", "expiresInMinutes", 43_201)).post("/api/v1/enrollment-tokens")
                .then().statusCode(400).body("errors[0].field", equalTo("expiresInMinutes"));
        tenant().admin().body(Map.of("label", "no uses", "maxUses", 0)).post("/api/v1/enrollment-tokens")
                .then().statusCode(400).body("errors[0].field", equalTo("maxUses"));
    }

    @Test
    void reEnrollingAHostnameGivesANewIdentityUnlessTheAdminChoseToReplace() {
        Agent first = Agents.enrolled(tenant(), "same-host");
        tenant().admin().body(Map.of("labels", List.of("paris"))).patch("/api/v1/servers/" + first.serverId()).then()
                .statusCode(200);
        Agent again = Agents.enrolled(tenant(), "same-host");
        assertNotEquals(first.serverId(), again.serverId());
        tenant().admin().get("/api/v1/servers/" + again.serverId()).then().body("labels", empty());
        first.poll(null).then().statusCode(200);

        String replacing = Agents.token(tenant(), Map.of("label", "replace", "replaceServerId", first.serverId()));
        Response r = Agents.enroll(replacing, "same-host");
        r.then().statusCode(200);
        tenant().admin().get("/api/v1/servers/" + r.path("serverId")).then().body("labels", equalTo(List.of("paris")))
                .body("replacedServerId", equalTo(first.serverId()));
        tenant().admin().get("/api/v1/servers/" + first.serverId()).then().body("status", equalTo("revoked"));
        first.poll(null).then().statusCode(401);
    }

    @Test
    void aNewTokenComesWithTheCommandLineOnce() {
        tenant().admin().body(Map.of("label", "with command")).post("/api/v1/enrollment-tokens").then().statusCode(201)
                .body("command", startsWith("java -jar fleethook-agent.jar enroll --portal http"))
                .body("command", containsString("--token fhe_"))
                .body("expiresAt", notNullValue());
        tenant().admin().get("/api/v1/enrollment-tokens").then().body("token", org.hamcrest.Matchers.everyItem(
                org.hamcrest.Matchers.nullValue()));
    }

    @Test
    void malformedEnrollmentsAreRefusedWithTheField() {
        given().contentType(ContentType.JSON).body(Map.of("token", "x", "hostname", "h")).post("/api/agent/v1/enroll")
                .then().statusCode(400).body("errors[0].field", equalTo("os"));
        given().contentType(ContentType.JSON).body(Map.of("token", "x", "hostname", "h", "os", "beos"))
                .post("/api/agent/v1/enroll").then().statusCode(400).body("errors[0].field", equalTo("os"));
        given().contentType(ContentType.JSON).body("{").post("/api/agent/v1/enroll").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void pollingAnswers304UntilThePolicyOrCommandsChange() {
        Agent agent = Agents.enrolled(tenant(), "poller");
        Response first = agent.poll(null);
        first.then().statusCode(200).header("ETag", notNullValue()).body("serverId", equalTo(agent.serverId()))
                .body("policy.policyName", equalTo("Default")).body("policy.scripts.preScript",
                        equalTo("/etc/fleethook/scripts/pre_script.sh"))
                .body("commands", empty());
        String etag = first.header("ETag");
        agent.poll(etag).then().statusCode(304).body(equalTo(""));

        // The admin changes the policy: the next poll gets the new revision.
        String policyId = first.path("policy.policyId");
        Map<String, Object> spec = PolicyFixtures.spec("Default");
        tenant().admin().body(PolicyFixtures.save(spec, currentRevision(policyId))).put("/api/v1/policies/" + policyId)
                .then().statusCode(200);
        Response changed = agent.poll(etag);
        changed.then().statusCode(200).body("policy.scripts.folder", equalTo(PolicyFixtures.DEFAULT_LINUX_FOLDER));
        assertNotEquals(etag, changed.header("ETag"));

        // Backup Now appears in the answer until the agent acknowledges it.
        String commandId = tenant().admin().post("/api/v1/servers/" + agent.serverId() + "/backup-now").then()
                .statusCode(202).extract().path("id");
        Response withCommand = agent.poll(changed.header("ETag"));
        withCommand.then().statusCode(200).body("commands", hasSize(1)).body("commands[0].kind", equalTo("backup-now"))
                .body("commands[0].id", equalTo(commandId));
        agent.send(List.of(event("command-acknowledged", null, null, "commandId", commandId))).then().statusCode(200);
        agent.poll(withCommand.header("ETag")).then().statusCode(200).body("commands", empty());
    }

    @Test
    void aHeldPollAnswersAtOnceWhenBackupNowIsPressedAnd304WhenTheTimeIsUp() throws Exception {
        Agent agent = Agents.enrolled(tenant(), "held-poller");
        Response first = agent.poll(null);
        String etag = first.header("ETag");
        assertEquals(null, first.header(PollWait.HEADER), "a plain poll is not held and says nothing about it");

        // Nothing changes: the portal holds the poll for the time asked, then answers 304.
        long started = System.nanoTime();
        agent.api().header("If-None-Match", etag).queryParam("wait", 2).get("/api/agent/v1/policy").then()
                .statusCode(304).header(PollWait.HEADER, "2");
        assertTrue(System.nanoTime() - started >= 1_900_000_000L, "held about 2 s");

        // A held poll, then Backup Now: the answer comes at once with the command.
        CompletableFuture<Response> held = CompletableFuture.supplyAsync(() -> agent.api()
                .header("If-None-Match", etag).queryParam("wait", 25).get("/api/agent/v1/policy"));
        await().atMost(Duration.ofSeconds(10)).until(() -> pollCache.watching() > 0);
        long pressed = System.nanoTime();
        String commandId = tenant().admin().post("/api/v1/servers/" + agent.serverId() + "/backup-now").then()
                .statusCode(202).extract().path("id");
        Response answer = held.get(10, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - pressed) / 1_000_000;
        answer.then().statusCode(200).body("commands[0].id", equalTo(commandId)).header(PollWait.HEADER, "25");
        assertTrue(millis < 3_000, "Backup Now reached the held poll in " + millis + " ms");

        // A stale ETag is answered at once (nothing to wait for); a malformed wait names the field.
        agent.api().header("If-None-Match", etag).queryParam("wait", 25).get("/api/agent/v1/policy").then()
                .statusCode(200).header(PollWait.HEADER, "0").body("commands", hasSize(1));
        for (String bad : List.of("soon", "-1", "1.5")) {
            agent.api().queryParam("wait", bad).get("/api/agent/v1/policy").then().statusCode(400)
                    .contentType("application/problem+json").body("errors[0].field", equalTo("wait"));
        }
    }

    private Integer currentRevision(String policyId) {
        return tenant().admin().get("/api/v1/policies/" + policyId).then().extract().path("currentRevision");
    }

    @Test
    void assigningAnotherPolicyChangesTheAnswer() {
        Agent agent = Agents.enrolled(tenant(), "reassigned");
        String etag = agent.poll(null).header("ETag");
        String other = tenant().admin().body(PolicyFixtures.save(PolicyFixtures.spec(Fixtures.unique("other")), null))
                .post("/api/v1/policies").then().statusCode(201).extract().path("id");
        tenant().admin().body(Map.of("policyId", other)).put("/api/v1/servers/" + agent.serverId() + "/policy").then()
                .statusCode(200);
        agent.poll(etag).then().statusCode(200).body("policy.policyId", equalTo(other));
        tenant().admin().delete("/api/v1/policies/" + other).then().statusCode(409);
    }

    @Test
    void revokedAndDisabledAgentsAreRefusedAtTheirNextPoll() {
        Agent revoked = Agents.enrolled(tenant(), "to-revoke");
        revoked.poll(null).then().statusCode(200);
        tenant().admin().post("/api/v1/servers/" + revoked.serverId() + "/revoke").then().statusCode(200);
        revoked.poll(null).then().statusCode(401).contentType("application/problem+json");
        revoked.send(List.of(event("policy-refused", null, null, "reason", "x"))).then().statusCode(401);

        Agent disabled = Agents.enrolled(tenant(), "to-disable");
        String etag = disabled.poll(null).header("ETag");
        tenant().admin().post("/api/v1/servers/" + disabled.serverId() + "/disable").then().statusCode(200);
        disabled.poll(etag).then().statusCode(401);
        tenant().admin().post("/api/v1/servers/" + disabled.serverId() + "/enable").then().statusCode(200);
        disabled.poll(etag).then().statusCode(304);
        given().header("Authorization", "Bearer fha_unknown").get("/api/agent/v1/policy").then().statusCode(401);
        given().get("/api/agent/v1/policy").then().statusCode(401);
    }

    @Test
    void pollsAreAnsweredFromMemoryWhileTheDatabaseIsDown() throws Exception {
        Agent cached = Agents.enrolled(tenant(), "survivor");
        String etag = cached.poll(null).header("ETag");
        Agent cold = Agents.enrolled(tenant(), "cold");
        String database;
        try (Connection c = dataSource.getConnection()) {
            database = c.getCatalog();
        }
        try (Connection admin = adminConnection(); Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS false");
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database
                    + "' AND pid <> pg_backend_pid()");
            try {
                for (int i = 0; i < 3; i++) {
                    cached.poll(etag).then().statusCode(304);
                }
                cached.poll(null).then().statusCode(200).body("serverId", equalTo(cached.serverId()));
                // A server whose credential was never cached cannot be checked now: not a 500.
                int status = cold.poll(null).statusCode();
                assertTrue(status == 401 || status == 503, "status " + status);
            } finally {
                s.execute("ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS true");
            }
        }
        cold.poll(null).then().statusCode(200);
    }

    private Connection adminConnection() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            String url = c.getMetaData().getURL().replaceAll("/[^/?]+(\\?|$)", "/template1$1");
            return java.sql.DriverManager.getConnection(url, dev.fleethook.support.Database.SUPERUSER, dev.fleethook.support.Database.SUPERUSER);
        }
    }

    @Test
    void eventsAreIdempotentAndProjectedInAnyOrder() {
        Agent agent = Agents.enrolled(tenant(), "reporter");
        String jobId = UUID.randomUUID().toString();
        List<Map<String, Object>> events = Agents.job(jobId, 2, true);
        List<Map<String, Object>> reversed = new ArrayList<>(events);
        java.util.Collections.reverse(reversed);
        agent.send(reversed).then().statusCode(200).body("accepted", equalTo(events.size()))
                .body("duplicates", equalTo(0));
        agent.send(events).then().statusCode(200).body("accepted", equalTo(0)).body("duplicates", equalTo(events.size()));

        tenant().admin().get("/api/v1/jobs/" + jobId).then().statusCode(200)
                .body("job.status", equalTo("succeeded")).body("job.attempts", equalTo(2))
                .body("job.backupStatusName", equalTo("Successful")).body("job.hostname", equalTo("reporter"))
                .body("attempts", hasSize(2))
                .body("attempts[0].backup.status", equalTo("Failed")).body("attempts[0].backup.statusCode", equalTo(1))
                .body("attempts[0].backup.exitCode", equalTo(2)).body("attempts[0].backup.outputTail", equalTo("disk full"))
                .body("attempts[1].backup.status", equalTo("Successful")).body("attempts[1].finalAttempt", equalTo(true))
                .body("attempts[0].pre.status", equalTo("Successful"));
        tenant().admin().queryParam("server", agent.serverId()).get("/api/v1/jobs").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].id", equalTo(jobId));
    }

    @Test
    void aBatchOfSeveralJobsRaisesEachJobsAttemptCountToItsOwnHighestAttemptAndNeverLowersOne() {
        Agent agent = Agents.enrolled(tenant(), "counter");
        String early = UUID.randomUUID().toString();
        String plain = UUID.randomUUID().toString();
        String untouched = UUID.randomUUID().toString();
        // The end of job "early" arrives first and says 4 attempts; "untouched" ran 2 attempts in an earlier batch.
        agent.send(List.of(Agents.event("job-finished", early, 4, "jobStatus", "failed", "backupStatus", 1)))
                .then().statusCode(200).body("accepted", equalTo(1));
        agent.send(Agents.job(untouched, 2, true)).then().statusCode(200);
        // One batch: attempts 1 and 2 of "early", 1 to 3 of "plain" (interleaved), and an event repeated in the batch.
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int a = 1; a <= 3; a++) {
            if (a <= 2) {
                batch.add(Agents.event("attempt-started", early, a));
                batch.add(Agents.event("attempt-finished", early, a, "finalAttempt", false));
            }
            batch.add(Agents.event("attempt-started", plain, a));
        }
        batch.add(batch.get(0));
        agent.send(batch).then().statusCode(200).body("accepted", equalTo(batch.size() - 1)).body("duplicates", equalTo(1));
        tenant().admin().get("/api/v1/jobs/" + early).then().statusCode(200).body("job.attempts", equalTo(4))
                .body("job.status", equalTo("failed"));
        tenant().admin().get("/api/v1/jobs/" + plain).then().statusCode(200).body("job.attempts", equalTo(3))
                .body("job.status", equalTo("running")).body("attempts", hasSize(3));
        tenant().admin().get("/api/v1/jobs/" + untouched).then().statusCode(200).body("job.attempts", equalTo(2))
                .body("job.status", equalTo("succeeded"));
    }

    @Test
    void anEventIdCountsPerServerSoNoAgentCanMakeAnothersEventsDuplicates() {
        Agent first = Agents.enrolled(tenant(), "first");
        Agent second = Agents.enrolled(tenant(), "second");
        List<Map<String, Object>> events = Agents.job(UUID.randomUUID().toString(), 1, true);
        first.send(events).then().statusCode(200).body("accepted", equalTo(events.size()));
        // The same event ids from another server, about a job of its own: taken, then duplicates on a replay.
        String secondJob = UUID.randomUUID().toString();
        List<Map<String, Object>> sameIds = new ArrayList<>();
        for (Map<String, Object> e : events) {
            Map<String, Object> copy = new java.util.LinkedHashMap<>(e);
            copy.put("jobId", secondJob);
            sameIds.add(copy);
        }
        second.send(sameIds).then().statusCode(200).body("accepted", equalTo(events.size())).body("duplicates", equalTo(0));
        second.send(sameIds).then().statusCode(200).body("accepted", equalTo(0)).body("duplicates", equalTo(events.size()));
        tenant().admin().get("/api/v1/jobs/" + secondJob).then().statusCode(200).body("job.status", equalTo("succeeded"))
                .body("job.hostname", equalTo("second"));
    }

    @Test
    void deletingAServerDeletesItsReceivedEventsThroughAnIndex() throws Exception {
        Agent agent = Agents.enrolled(tenant(), "retired");
        Agent other = Agents.enrolled(tenant(), "staying");
        String jobId = UUID.randomUUID().toString();
        agent.send(Agents.job(jobId, 1, true)).then().statusCode(200);
        other.send(Agents.job(UUID.randomUUID().toString(), 1, true)).then().statusCode(200);
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement()) {
            // The statement the foreign key's cascade runs, as planned on this table: by the server's index, not by
            // reading every event of the tenant (V15; since V17 the key, which starts with server_id). Planned twice:
            // as on a young table, and once the other server has a history and the table statistics (autovacuum's
            // ANALYZE, which also runs during the test suite), where PostgreSQL prefers a plain index scan.
            s.execute("SET enable_seqscan = off");
            String cascade = "EXPLAIN SELECT 1 FROM job_event WHERE tenant_id = '" + tenant().id() + "' AND server_id = '"
                    + agent.serverId() + "'";
            for (boolean analysed : new boolean[] { false, true }) {
                if (analysed) {
                    s.execute("INSERT INTO job_event (event_id, tenant_id, server_id, type, occurred_at)"
                            + " SELECT gen_random_uuid(), '" + tenant().id() + "', '" + other.serverId()
                            + "', 'policy-accepted', now() FROM generate_series(1, 2000)");
                    s.execute("ANALYZE job_event");
                }
                StringBuilder plan = new StringBuilder();
                try (var r = s.executeQuery(cascade)) {
                    while (r.next()) {
                        plan.append(r.getString(1)).append('\n');
                    }
                }
                // An index scan, or a bitmap scan of the index: either way no event of another server is read.
                assertTrue(dev.fleethook.support.Plans.scansIndex(plan.toString(), "job_event_pkey"), plan.toString());
            }
        }
        tenant().admin().delete("/api/v1/servers/" + agent.serverId()).then().statusCode(204);
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement();
                var r = s.executeQuery("SELECT server_id = '" + other.serverId() + "', count(*) FROM job_event"
                        + " WHERE server_id IN ('" + agent.serverId() + "', '" + other.serverId() + "') GROUP BY 1")) {
            assertTrue(r.next());
            assertTrue(r.getBoolean(1), "only the staying server's events are left");
            assertTrue(r.getLong(2) > 0);
            assertFalse(r.next());
        }
    }

    @Test
    void ingestionsGenericPlansEndWithItsTransaction() throws Exception {
        // EventIngestion sets plan_cache_mode for its own transaction only (SET LOCAL): no pooled connection keeps it.
        Agent agent = Agents.enrolled(tenant(), "generic-plans");
        for (int i = 0; i < 3; i++) {
            agent.send(Agents.job(UUID.randomUUID().toString(), 1, i % 2 == 0)).then().statusCode(200);
        }
        List<Connection> borrowed = new java.util.ArrayList<>();
        try {
            // Every connection the pool holds (max-size 20), the ones that ingested included.
            for (int i = 0; i < 20; i++) {
                Connection c = dataSource.getConnection();
                borrowed.add(c);
                try (Statement s = c.createStatement(); var r = s.executeQuery("SHOW plan_cache_mode")) {
                    r.next();
                    assertEquals("auto", r.getString(1), "connection " + i);
                }
            }
        } finally {
            for (Connection c : borrowed) {
                c.close();
            }
        }
    }

    @Test
    void stepsNeverReportedShowAsNotAvailable() {
        Agent agent = Agents.enrolled(tenant(), "partial");
        String jobId = UUID.randomUUID().toString();
        agent.send(List.of(event("job-started", jobId, null, "trigger", "manual"),
                event("script-finished", jobId, 1, "step", "pre", "result", result(1, 7, "pre failed")),
                event("hook-finished", jobId, 1, "phase", "before-backup", "hookIndex", 0,
                        "result", result(3, null, "slow hook")))).then().statusCode(200);
        tenant().admin().get("/api/v1/jobs/" + jobId).then().statusCode(200).body("job.status", equalTo("running"))
                .body("job.backupStatusName", equalTo("N/A"))
                .body("attempts[0].pre.status", equalTo("Failed")).body("attempts[0].pre.exitCode", equalTo(7))
                .body("attempts[0].backup.status", equalTo("N/A")).body("attempts[0].post.status", equalTo("N/A"))
                .body("attempts[0].hooks[0].result.status", equalTo("TimedOut"))
                .body("attempts[0].hooks[0].result.timedOut", equalTo(true));
    }

    @Test
    void concurrentDuplicateBatchesStoreEachEventOnce() throws Exception {
        Agent agent = Agents.enrolled(tenant(), "duplicator");
        String jobId = UUID.randomUUID().toString();
        List<Map<String, Object>> events = Agents.job(jobId, 3, false);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<CompletableFuture<Integer>> sends = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                sends.add(CompletableFuture.supplyAsync(() -> agent.send(events).then().statusCode(200).extract()
                        .<Integer> path("accepted"), pool));
            }
            int accepted = sends.stream().mapToInt(CompletableFuture::join).sum();
            assertEquals(events.size(), accepted, "each event accepted exactly once across the six batches");
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement();
                var r = s.executeQuery("SELECT count(*) FROM job_event WHERE job_id = '" + jobId + "'")) {
            r.next();
            assertEquals(events.size(), r.getInt(1));
        }
        tenant().admin().get("/api/v1/jobs/" + jobId).then().body("job.status", equalTo("failed"))
                .body("job.attempts", equalTo(3));
    }

    @Test
    void oversizeAndMalformedBatchesAreRefused() {
        Agent agent = Agents.enrolled(tenant(), "noisy");
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            many.add(event("policy-refused", null, null, "reason", "x"));
        }
        agent.send(many).then().statusCode(413).contentType("application/problem+json");
        // A malformed event is refused alone, with its index, field and reason; the rest is taken.
        Map<String, Object> good = event("policy-refused", null, null, "reason", "x");
        Map<String, Object> unknown = event("exploded", UUID.randomUUID().toString(), 1);
        agent.send(List.of(Map.of("type", "job-started"), unknown, good)).then().statusCode(200)
                .body("accepted", equalTo(1)).body("rejected.size()", equalTo(2))
                .body("rejected[0].index", equalTo(0)).body("rejected[0].field", equalTo("eventId"))
                .body("rejected[1].index", equalTo(1)).body("rejected[1].eventId", equalTo(unknown.get("eventId")))
                .body("rejected[1].field", equalTo("type"))
                .body("rejected[1].reason", org.hamcrest.Matchers.startsWith("must be one of job-started"));
        // Output longer than 16 KiB is cut to its last 16 KiB, not refused.
        String job = UUID.randomUUID().toString();
        agent.send(List.of(event("script-finished", job, 1, "step", "pre",
                "result", result(0, 0, "x".repeat(16 * 1024 + 1) + "END")))).then().statusCode(200)
                .body("accepted", equalTo(1)).body("rejected", org.hamcrest.Matchers.nullValue());
        String tail = tenant().admin().get("/api/v1/jobs/" + job).then().statusCode(200).extract()
                .path("attempts[0].pre.outputTail");
        assertEquals(16 * 1024, tail.length());
        assertTrue(tail.endsWith("END"));
        agent.api().body("{\"events\": [").post("/api/agent/v1/events").then().statusCode(400);
        agent.api().body("{\"events\": 3}").post("/api/agent/v1/events").then().statusCode(400)
                .body("errors[0].field", equalTo("events"));
    }

    @Test
    void anAgentCannotTouchAnotherServersJobs() {
        Agent owner = Agents.enrolled(tenant(), "owner");
        Agent intruder = Agents.enrolled(tenant(), "intruder");
        String jobId = UUID.randomUUID().toString();
        owner.send(List.of(event("job-started", jobId, null))).then().statusCode(200);
        Map<String, Object> theft = event("job-finished", jobId, 1, "jobStatus", "canceled");
        intruder.send(List.of(theft)).then().statusCode(200).body("accepted", equalTo(0))
                .body("rejected[0].eventId", equalTo(theft.get("eventId"))).body("rejected[0].field", equalTo("jobId"))
                .body("rejected[0].reason", equalTo("no such job on this server"));
        tenant().admin().get("/api/v1/jobs/" + jobId).then().body("job.status", equalTo("running"));
    }

    @Test
    void cancelIsDeliveredForARunningJobOnly() {
        Agent agent = Agents.enrolled(tenant(), "cancellable");
        String running = UUID.randomUUID().toString();
        agent.send(List.of(event("job-started", running, null))).then().statusCode(200);
        tenant().admin().post("/api/v1/jobs/" + running + "/cancel").then().statusCode(202);
        agent.poll(null).then().body("commands[0].kind", equalTo("cancel")).body("commands[0].jobId", equalTo(running));
        String done = UUID.randomUUID().toString();
        agent.send(Agents.job(done, 1, true)).then().statusCode(200);
        tenant().admin().post("/api/v1/jobs/" + done + "/cancel").then().statusCode(409);
        var viewer = Fixtures.newUser(tenant(), "VIEWER");
        viewer.api().post("/api/v1/jobs/" + running + "/cancel").then().statusCode(403);
        viewer.api().post("/api/v1/servers/" + agent.serverId() + "/backup-now").then().statusCode(403);
    }

    @Test
    void heartbeatsMakeAServerOnline() throws Exception {
        Agent agent = Agents.enrolled(tenant(), "heartbeat");
        agent.poll(null).then().statusCode(200);
        // Write the batch the timer would write (the timer may be writing it already, hence the short wait).
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            heartbeats.flush();
            return "online".equals(tenant().admin().get("/api/v1/servers/" + agent.serverId()).then().extract()
                    .path("presence"));
        });
        tenant().admin().queryParam("status", "online").queryParam("q", "heartbeat").get("/api/v1/servers").then()
                .body("total", equalTo(1));
        tenant().admin().queryParam("status", "sideways").get("/api/v1/servers").then().statusCode(400)
                .body("errors[0].field", equalTo("status"));
    }
}
