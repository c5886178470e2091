package dev.fleethook;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import dev.fleethook.support.Agents;
import dev.fleethook.support.PackagedPortal;
import dev.fleethook.support.PolicyFixtures;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.mail.internet.MimeMessage;

/**
 * Two packaged portals in their production profile on one PostgreSQL and one SMTP server: each
 * scheduled task's work is done once (every email sent once, one offline alert), and a change made on
 * one replica reaches the other's poll cache.
 */
class TwoReplicasIT {

    @Test
    void scheduledWorkIsDoneOnceAndCachesFollowChangesAcrossReplicas() throws Exception {
        int smtp = PackagedPortal.freePort();
        GreenMail mail = new GreenMail(new ServerSetup(smtp, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start();
                PackagedPortal replicaA = PackagedPortal.start(pg, replicaEnv(smtp));
                PackagedPortal replicaB = PackagedPortal.start(pg, replicaEnv(smtp))) {
            String a = replicaA.baseUrl;
            String b = replicaB.baseUrl;

            String operator = token(a, "ops@two.test", "two-replicas-operator");
            given().baseUri(a).header("Authorization", "Bearer " + operator).contentType(ContentType.JSON)
                    .body(Map.of("name", "Two", "slug", "two", "adminEmail", "admin@two.test", "adminName", "A",
                            "adminPassword", "two-replicas-admin"))
                    .post("/api/v1/operator/tenants").then().statusCode(201);
            String admin = token(b, "admin@two.test", "two-replicas-admin");
            List<String> recipients = List.of("r1@two.test", "r2@two.test", "r3@two.test");
            api(a, admin).body(Map.of("recipients", recipients)).put("/api/v1/alert-settings").then().statusCode(200);
            String enroll = api(a, admin).body(Map.of("label", "two")).post("/api/v1/enrollment-tokens").then()
                    .statusCode(201).extract().path("token");
            Response enrolled = given().baseUri(b).contentType(ContentType.JSON)
                    .body(Map.of("token", enroll, "hostname", "replicated-fs", "os", "linux")).post("/api/agent/v1/enroll");
            String serverId = enrolled.path("serverId");
            String secret = enrolled.path("agentSecret");

            // A change on replica A reaches replica B's cached poll answer (LISTEN/NOTIFY).
            Response first = agent(b, secret).get("/api/agent/v1/policy");
            String etag = first.header("ETag");
            agent(b, secret).header("If-None-Match", etag).get("/api/agent/v1/policy").then().statusCode(304);
            String policyId = first.path("policy.policyId");
            api(a, admin).body(PolicyFixtures.save(PolicyFixtures.spec("Default"), 1)).put("/api/v1/policies/" + policyId)
                    .then().statusCode(200);
            await(() -> agent(b, secret).header("If-None-Match", etag).get("/api/agent/v1/policy").statusCode() == 200,
                    "replica B sees replica A's policy change");

            // Ten failed jobs reported alternately to both replicas: one open alert counting ten jobs, and
            // one email (the first failure's) to each of the 3 recipients.
            for (int i = 0; i < 10; i++) {
                agent(i % 2 == 0 ? a : b, secret).body(Map.of("events", Agents.job(UUID.randomUUID().toString(), 1, false)))
                        .post("/api/agent/v1/events").then().statusCode(200);
            }
            await(() -> mail.getReceivedMessages().length >= 3, "3 emails");
            api(a, admin).queryParam("kind", "job-failed").get("/api/v1/alerts").then().body("size()",
                    org.hamcrest.Matchers.equalTo(1)).body("[0].occurrences", org.hamcrest.Matchers.equalTo(10));

            // The server goes silent: both replicas' offline detectors run, one alert results. First the
            // heartbeat of a last poll (only replica B was polled; it keeps the newest beat per server) must
            // be written, so that it does not bring the server back to life.
            Instant lastPoll = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            agent(b, secret).get("/api/agent/v1/policy").then().statusCode(200);
            await(() -> lastSeen(pg, serverId).compareTo(lastPoll) >= 0, "the last poll's heartbeat written");
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE server SET last_seen_at = now() - interval '2 hours' WHERE id = '" + serverId + "'");
            }
            await(() -> offlineAlerts(a, admin) == 1 && mail.getReceivedMessages().length >= 6, "the offline alert");
            // Each detector runs every 500 ms in another process: over 3 s both ran several times, and the
            // count must hold the whole time.
            Awaitility.await("one offline alert, whichever replica detects").during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> offlineAlerts(b, admin) == 1 && mail.getReceivedMessages().length == 6);

            MimeMessage[] received = mail.getReceivedMessages();
            assertEquals(6, received.length, "every email once: the job alert and the offline alert, to 3 recipients");
            Set<String> distinct = new HashSet<>();
            for (MimeMessage m : received) {
                distinct.add(m.getAllRecipients()[0] + " " + m.getMessageID());
            }
            assertEquals(6, distinct.size());
            List<Map<String, Object>> outbox = api(a, admin).get("/api/v1/outbox").then().extract().path("$");
            assertTrue(outbox.stream().allMatch(e -> "sent".equals(e.get("status")) && ((Integer) e.get("attempts")) == 1),
                    "each email delivered in one attempt");
            assertNotEquals(a, b);
        } finally {
            mail.stop();
        }
    }

    private static int offlineAlerts(String base, String admin) {
        List<?> alerts = api(base, admin).queryParam("kind", "agent-offline").get("/api/v1/alerts").then().extract()
                .path("$");
        return alerts.size();
    }

    private static Map<String, String> replicaEnv(int smtp) {
        return Map.ofEntries(
                Map.entry("FLEETHOOK_OPERATOR_EMAIL", "ops@two.test"),
                Map.entry("FLEETHOOK_OPERATOR_PASSWORD", "two-replicas-operator"),
                Map.entry("QUARKUS_MAILER_HOST", "127.0.0.1"), Map.entry("QUARKUS_MAILER_PORT", Integer.toString(smtp)),
                Map.entry("QUARKUS_MAILER_START_TLS", "DISABLED"), Map.entry("QUARKUS_MAILER_TLS", "false"),
                Map.entry("FLEETHOOK_ALERTS_SENDER_INTERVAL", "200ms"),
                Map.entry("FLEETHOOK_ALERTS_OFFLINE_CHECK", "500ms"),
                Map.entry("FLEETHOOK_FLEET_HEARTBEAT_FLUSH", "300ms"));
    }

    private static String token(String base, String email, String password) {
        return given().baseUri(base).auth().preemptive().basic(email, password).contentType(ContentType.JSON)
                .body(Map.of("name", "it")).post("/api/v1/me/tokens").then().statusCode(201).extract().path("token");
    }

    private static RequestSpecification api(String base, String token) {
        return given().baseUri(base).header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    private static RequestSpecification agent(String base, String secret) {
        return api(base, secret);
    }

    private static void await(BooleanSupplier condition, String what) {
        Awaitility.await(what).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(condition::getAsBoolean);
    }

    private static Instant lastSeen(EmbeddedPostgres pg, String serverId) {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT last_seen_at FROM server WHERE id = '" + serverId + "'")) {
            r.next();
            java.sql.Timestamp t = r.getTimestamp(1);
            return t == null ? Instant.EPOCH : t.toInstant();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
