package dev.fleethook.deploy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.fleethook.job.service.RetentionService;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.SmtpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Health, metrics and retention, as an operator of the platform sees them (the mail check needs a mail server). */
@QuarkusTest
@WithTestResource(SmtpServer.class)
class OperationsTest {

    @Inject
    DataSource dataSource;

    @Inject
    RetentionService retention;

    @Test
    void readinessAndLivenessIncludeNeitherTheDatabaseNorTheMailServerWhichAreWellnessChecks() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("Agent API"))
                .body("checks.name", not(hasItem(containsString("Database"))))
                .body("checks.name", not(hasItem("Mail")));
        given().get("/q/health/live").then().statusCode(200).body("checks.name",
                not(hasItem(containsString("Database"))));
        given().get("/q/health/well").then().statusCode(200)
                .body("checks.find { it.name == 'Database' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'Mail' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'Mail' }.data.smtpHost", equalTo("127.0.0.1"));
        given().get("/q/health").then().statusCode(200).body("checks.name", hasItem("Database"));
        SmtpServer.down();
        try {
            given().get("/q/health/ready").then().statusCode(200);
        } finally {
            SmtpServer.up();
        }
    }

    @Test
    void theOpenApiDocumentIsServedToSignedInUsersOnly() {
        var t = Fixtures.newTenant("OpenApi");
        t.admin().get("/api/v1/openapi").then().statusCode(200).contentType(containsString("json"))
                .body(containsString("/api/v1/policies")).body(containsString("/api/agent/v1/policy"));
        t.admin().queryParam("format", "yaml").get("/api/v1/openapi").then().statusCode(200)
                .body(containsString("openapi: 3"));
        given().get("/api/v1/openapi").then().statusCode(401);
        given().redirects().follow(false).get("/openapi").then().statusCode(org.hamcrest.Matchers.not(200));
    }

    @Test
    void productMetricsAreExposedForPrometheus() {
        var t = Fixtures.newTenant("Metrics");
        var agent = Agents.enrolled(t, "metrics-fs");
        String etag = agent.poll(null).header("ETag");
        agent.poll(etag).then().statusCode(304);
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, false)).then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("fleethook_polls_total{answer=\"304\"}"))
                .body(containsString("fleethook_polls_total{answer=\"200\"}"))
                .body(containsString("fleethook_events_total{result=\"accepted\"}"))
                .body(containsString("fleethook_jobs_finished_total{status=\"failed\"}"))
                .body(containsString("fleethook_outbox_backlog"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/agent/v1/policy"))
                .body(containsString("/api/v1/policies"));
    }

    @Test
    void jobHistoryOlderThanTheTenantsRetentionIsDeleted() throws Exception {
        var t = Fixtures.newTenant("Retention");
        var keeper = Fixtures.newTenant("Keeper");
        keeper.admin().body(Map.of("jobRetentionDays", 365)).patch("/api/v1/tenant").then().statusCode(200)
                .body("jobRetentionDays", equalTo(365));
        var agent = Agents.enrolled(t, "old-fs");
        var keptAgent = Agents.enrolled(keeper, "kept-fs");
        String old = UUID.randomUUID().toString();
        String recent = UUID.randomUUID().toString();
        String keptOld = UUID.randomUUID().toString();
        agent.send(Agents.job(old, 1, true)).then().statusCode(200);
        agent.send(Agents.job(recent, 1, true)).then().statusCode(200);
        keptAgent.send(Agents.job(keptOld, 1, true)).then().statusCode(200);
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE job SET finished_at = now() - interval '100 days' WHERE id IN ('" + old + "', '"
                    + keptOld + "')");
        }
        retention.purge();
        t.admin().get("/api/v1/jobs/" + old).then().statusCode(404);
        t.admin().get("/api/v1/jobs/" + recent).then().statusCode(200);
        keeper.admin().get("/api/v1/jobs/" + keptOld).then().statusCode(200);
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM job_event WHERE job_id = '" + old + "'")) {
            r.next();
            assertEquals(0, r.getInt(1), "the job's events go with it");
        }
    }

    @Test
    void eventsThatNameNoJobAreDeletedAfterTheRetentionToo() throws Exception {
        var t = Fixtures.newTenant("Jobless events");
        var agent = Agents.enrolled(t, "acking-fs");
        var oldAck = Agents.event("policy-accepted", null, null);
        var recentAck = Agents.event("policy-accepted", null, null);
        agent.send(java.util.List.of(oldAck, recentAck)).then().statusCode(200).body("accepted", equalTo(2));
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE job_event SET received_at = now() - interval '100 days' WHERE event_id = '"
                    + oldAck.get("eventId") + "'");
        }
        retention.purge();
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT event_id::text FROM job_event WHERE server_id = '" + agent.serverId()
                        + "'")) {
            assertTrue(r.next());
            assertEquals(recentAck.get("eventId"), r.getString(1), "only the recent one is kept");
            assertFalse(r.next());
        }
        // Kept 90 days, as the job history is: a replay inside that time is still a duplicate.
        agent.send(java.util.List.of(recentAck)).then().statusCode(200).body("duplicates", equalTo(1));
    }
}
