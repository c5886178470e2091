package dev.fleethook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.PackagedPortal;
import io.restassured.http.ContentType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The packaged portal ({@code java -jar target/quarkus-app/quarkus-run.jar}) in its production
 * profile: it refuses to start without a datasource, and with one it migrates a real PostgreSQL server,
 * reports ready and serves the API.
 */
class PackagedPortalIT {

    @Test
    void withoutADatasourceItStopsWithOneClearLine() throws Exception {
        Process p = PackagedPortal.command(Map.of()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the portal should stop by itself");
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(2, p.exitValue());
        assertEquals(1, stderr.lines().count(), stderr);
        assertTrue(stderr.contains("QUARKUS_DATASOURCE_JDBC_URL, QUARKUS_DATASOURCE_USERNAME, QUARKUS_DATASOURCE_PASSWORD"),
                stderr);
    }

    @Test
    void withADatasourceItMigratesAndServes() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start();
                PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_EMAIL", "ops@example.test",
                        "FLEETHOOK_OPERATOR_PASSWORD", "packaged-operator-password"))) {
            String base = portal.baseUrl;
            given().baseUri(portal.managementUrl).get("/q/health/ready").then().body("status", equalTo("UP"));
            String token = given().baseUri(base).auth().preemptive().basic("ops@example.test", "packaged-operator-password")
                    .contentType(ContentType.JSON).body(Map.of("name", "it")).post("/api/v1/me/tokens")
                    .then().statusCode(201).extract().path("token");
            given().baseUri(base).header("Authorization", "Bearer " + token).get("/api/v1/me").then()
                    .statusCode(200).body("kind", equalTo("OPERATOR"));
            given().baseUri(base).get("/sign-in").then().statusCode(200)
                    .cookie("fleethook-csrf", org.hamcrest.Matchers.notNullValue());
            assertTrue(!portal.log().contains("packaged-operator-password"), "the password must not be logged");

            // The packaged portal offers the agent jar the same build made (target/fleethook-agent.jar), signed in.
            var signInPage = given().baseUri(base).get("/sign-in");
            java.util.Map<String, String> cookies = new java.util.HashMap<>(signInPage.cookies());
            var signedIn = given().baseUri(base).redirects().follow(false).cookies(cookies)
                    .contentType(ContentType.URLENC).formParam("csrf-token", Fixtures.csrfOf(signInPage.asString()))
                    .formParam("email", "ops@example.test").formParam("password", "packaged-operator-password")
                    .post("/sign-in");
            assertEquals(303, signedIn.statusCode());
            cookies.putAll(signedIn.cookies());
            byte[] jar = given().baseUri(base).redirects().follow(false).cookies(cookies)
                    .get("/downloads/fleethook-agent.jar").then().statusCode(200).extract().asByteArray();
            assertEquals(-1L, java.nio.file.Files.mismatch(PackagedPortal.JAR.getParent().getParent()
                    .resolve("fleethook-agent.jar"), write(jar)), "the download is the built agent jar");
        }
    }

    private static java.nio.file.Path write(byte[] bytes) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("downloaded-agent", ".jar");
        file.toFile().deleteOnExit();
        return java.nio.file.Files.write(file, bytes);
    }
}
