package dev.fleethook.deploy;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.ItTenant;
import dev.fleethook.support.PackagedPortal;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The packaged portal in its production profile, as Kubernetes and an operator see it: {@code /q/*} only on the
 * management port; readiness that survives a stopped PostgreSQL while agents keep being answered; and mail that
 * is never mocked, so an install without an SMTP host keeps its emails in the outbox and says so.
 */
class ProductionHealthIT {

    static final String OPERATOR = "ops@health.test";
    static final String PASSWORD = "health-it-operator";

    @TempDir
    Path tmp;

    static EmbeddedPostgres postgres(Path data, int port) throws java.io.IOException {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
    }

    @Test
    void aStoppedDatabaseLeavesThePortalReadyAndAgentsAnsweredFromThePollCache() throws Exception {
        Path data = tmp.resolve("pgdata");
        int pgPort = PackagedPortal.freePort();
        EmbeddedPostgres pg = postgres(data, pgPort);
        // Mail configured (no server needs to listen: nothing is sent here), so only the database can be DOWN.
        try (PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_EMAIL", OPERATOR,
                "FLEETHOOK_OPERATOR_PASSWORD", PASSWORD, "QUARKUS_MAILER_HOST", "127.0.0.1",
                "QUARKUS_MAILER_PORT", Integer.toString(PackagedPortal.freePort())))) {
            String base = portal.baseUrl;
            String mgmt = portal.managementUrl;

            // /q/* lives on the management port only.
            for (String path : List.of("/q/health", "/q/health/ready", "/q/metrics", "/q/openapi", "/q/swagger-ui/")) {
                given().baseUri(base).redirects().follow(false).get(path).then().statusCode(404);
            }
            given().baseUri(mgmt).get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/policies"));
            given().baseUri(mgmt).get("/q/swagger-ui/").then().statusCode(200);

            ItTenant tenant = ItTenant.create(base, OPERATOR, PASSWORD, "outage");
            tenant.admin().get("/api/v1/openapi").then().statusCode(200).body(containsString("/api/v1/policies"));
            String secret = given().baseUri(base).contentType(ContentType.JSON)
                    .body(Map.of("token", tenant.enrollmentToken(), "hostname", "outage-fs", "os", "linux",
                            "agentVersion", "it"))
                    .post("/api/agent/v1/enroll").then().statusCode(200).extract().path("agentSecret");
            String unpolled = given().baseUri(base).contentType(ContentType.JSON)
                    .body(Map.of("token", tenant.enrollmentToken(), "hostname", "outage-new-fs", "os", "linux",
                            "agentVersion", "it"))
                    .post("/api/agent/v1/enroll").then().statusCode(200).extract().path("agentSecret");
            Map<String, String> session = signIn(base, "admin@outage.test", "outage-it-admin-pw");
            Response first = poll(base, secret, null);
            first.then().statusCode(200);
            String etag = first.header("ETag");
            given().baseUri(mgmt).get("/q/metrics").then().statusCode(200).body(containsString("fleethook_polls_total{answer=\"200\"}"));

            pg.close();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().baseUri(mgmt).get("/q/health/well")
                    .then().statusCode(503).body("checks.find { it.name == 'Database' }.status", equalTo("DOWN")));
            given().baseUri(mgmt).get("/q/health").then().statusCode(503)
                    .body("checks.find { it.name == 'Mail' }.status", equalTo("UP"));

            // What Kubernetes sees stays ready through the outage, so the Service keeps every replica.
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    given().baseUri(mgmt).get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
            given().baseUri(mgmt).get("/q/health/live").then().statusCode(200);

            // Agents: answered from the cache; events refused for a retry, which the agent keeps in its spool.
            poll(base, secret, etag).then().statusCode(304);
            Response again = poll(base, secret, null);
            again.then().statusCode(200);
            assertEquals(etag, again.header("ETag"));
            given().baseUri(base).header("Authorization", "Bearer " + secret).contentType(ContentType.JSON)
                    .body(Map.of("events", List.of(jobStarted()))).post("/api/agent/v1/events")
                    .then().statusCode(503).header("Retry-After", notNullValue());
            given().baseUri(base).contentType(ContentType.JSON).body(Map.of("token", "fhe_whatever", "hostname", "x",
                    "os", "linux", "agentVersion", "it")).post("/api/agent/v1/enroll")
                    .then().statusCode(503).header("Retry-After", notNullValue());
            // People are told the database is unavailable, not shown an internal error.
            tenant.admin().get("/api/v1/servers").then().statusCode(503)
                    .body("detail", containsString("database cannot be reached"));
            // A page: the session cannot be checked, so it is sent to sign in (today the cookie is dropped too),
            // and signing in says the database is unavailable. Never an internal error.
            int page = given().baseUri(base).redirects().follow(false).cookies(session).get("/servers").statusCode();
            assertTrue(page == 302 || page == 503, "a page during the outage answered " + page);
            Response signInPage = given().baseUri(base).get("/sign-in");
            given().baseUri(base).redirects().follow(false).cookies(signInPage.cookies()).contentType(ContentType.URLENC)
                    .formParam("csrf-token", Fixtures.csrfOf(signInPage.asString()))
                    .formParam("email", "admin@outage.test").formParam("password", "outage-it-admin-pw").post("/sign-in")
                    .then().statusCode(503).contentType(containsString("html"))
                    .body(containsString("database cannot be reached"));
            given().baseUri(base).get("/api/agent/v1/ping").then().statusCode(204);
            // An agent this replica has never answered: nothing cached, so it is asked to come back.
            poll(base, unpolled, null).then().statusCode(503).header("Retry-After", notNullValue());

            pg = postgres(data, pgPort);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().baseUri(mgmt).get("/q/health/well")
                    .then().statusCode(200).body("checks.find { it.name == 'Database' }.status", equalTo("UP")));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().baseUri(base)
                    .header("Authorization", "Bearer " + secret).contentType(ContentType.JSON)
                    .body(Map.of("events", List.of(jobStarted()))).post("/api/agent/v1/events").then().statusCode(200));
        } finally {
            pg.close();
        }
    }

    @Test
    void withoutAnSmtpHostEvenWithTheMailerMockEmailsWaitInTheOutboxAndThePortalSaysSo() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start();
                PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_EMAIL", OPERATOR,
                        "FLEETHOOK_OPERATOR_PASSWORD", PASSWORD, "QUARKUS_MAILER_MOCK", "true"))) {
            String base = portal.baseUrl;
            ItTenant tenant = ItTenant.create(base, OPERATOR, PASSWORD, "nomail");
            tenant.admin().body(Map.of("recipient", "ops@nomail.test")).post("/api/v1/alert-settings/test-email")
                    .then().statusCode(202).body("queued", equalTo(1));

            // The sender runs every 2 s: over 6 s nothing may be sent, failed or even attempted.
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    tenant.admin().get("/api/v1/outbox").then().statusCode(200)
                            .body("size()", equalTo(1)).body("[0].status", equalTo("pending"))
                            .body("[0].attempts", equalTo(0)));

            given().baseUri(portal.managementUrl).get("/q/health").then().statusCode(503)
                    .body("checks.find { it.name == 'Mail' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'Mail' }.data.reason", containsString("QUARKUS_MAILER_MOCK"));
            given().baseUri(portal.managementUrl).get("/q/health/ready").then().statusCode(200);
            assertTrue(portal.log().contains("Mail is not configured"), portal.log());

            // The outbox page, signed in as the tenant's admin.
            given().baseUri(base).cookies(signIn(base, "admin@nomail.test", "nomail-it-admin-pw"))
                    .get("/alerts/outbox").then().statusCode(200)
                    .body(containsString("Mail is not configured"))
                    .body(containsString("QUARKUS_MAILER_MOCK=true is refused in production"));
        }
    }

    /** Signs in through the sign-in form, as a browser does; returns the cookies of the session. */
    static Map<String, String> signIn(String base, String email, String password) {
        Response signInPage = given().baseUri(base).get("/sign-in");
        Map<String, String> cookies = new java.util.HashMap<>(signInPage.cookies());
        Response signedIn = given().baseUri(base).redirects().follow(false).cookies(cookies)
                .contentType(ContentType.URLENC).formParam("csrf-token", Fixtures.csrfOf(signInPage.asString()))
                .formParam("email", email).formParam("password", password).post("/sign-in");
        assertEquals(303, signedIn.statusCode(), signedIn.asString());
        cookies.putAll(signedIn.cookies());
        return cookies;
    }

    static Response poll(String base, String secret, String etag) {
        var request = given().baseUri(base).header("Authorization", "Bearer " + secret);
        if (etag != null) {
            request = request.header("If-None-Match", etag);
        }
        return request.get("/api/agent/v1/policy");
    }

    static Map<String, Object> jobStarted() {
        return Map.of("eventId", UUID.randomUUID().toString(), "type", "job-started", "time", java.time.Instant.now().toString(),
                "jobId", UUID.randomUUID().toString());
    }
}
