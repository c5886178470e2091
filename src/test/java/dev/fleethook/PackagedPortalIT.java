package dev.fleethook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The packaged portal ({@code java -jar target/quarkus-app/quarkus-run.jar}) in its production
 * profile: it refuses to start without a datasource, and with one it migrates a real PostgreSQL server,
 * reports ready and serves the API.
 */
class PackagedPortalIT {

    static final Path JAR = Path.of(System.getProperty("fleethook.app.jar", "target/quarkus-app/quarkus-run.jar"));
    static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void withoutADatasourceItStopsWithOneClearLine() throws Exception {
        Process p = portal(Map.of()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the portal should stop by itself");
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(2, p.exitValue());
        assertEquals(1, stderr.lines().count(), stderr);
        assertTrue(stderr.contains("QUARKUS_DATASOURCE_JDBC_URL, QUARKUS_DATASOURCE_USERNAME, QUARKUS_DATASOURCE_PASSWORD"),
                stderr);
    }

    @Test
    void withADatasourceItMigratesAndServes() throws Exception {
        int port = freePort();
        Path log = Files.createTempFile("fleethook-portal", ".log");
        Process p = portal(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", postgres.getJdbcUrl("postgres", "postgres"),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "QUARKUS_HTTP_PORT", Integer.toString(port),
                "FLEETHOOK_OPERATOR_EMAIL", "ops@example.test",
                "FLEETHOOK_OPERATOR_PASSWORD", "packaged-operator-password"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String base = "http://127.0.0.1:" + port;
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            while (true) {
                assertTrue(p.isAlive(), () -> "portal exited: " + read(log));
                try {
                    if (given().baseUri(base).get("/q/health/ready").statusCode() == 200) {
                        break;
                    }
                } catch (Exception notYet) {
                    // still starting
                }
                assertTrue(Instant.now().isBefore(deadline), () -> "not ready in time: " + read(log));
                Thread.sleep(500);
            }
            given().baseUri(base).get("/q/health/ready").then().body("status", equalTo("UP"));
            String token = given().baseUri(base).auth().preemptive().basic("ops@example.test", "packaged-operator-password")
                    .contentType(ContentType.JSON).body(Map.of("name", "it")).post("/api/v1/me/tokens")
                    .then().statusCode(201).extract().path("token");
            given().baseUri(base).header("Authorization", "Bearer " + token).get("/api/v1/me").then()
                    .statusCode(200).body("kind", equalTo("OPERATOR"));
            // Production cookies are Secure.
            given().baseUri(base).get("/sign-in").then().statusCode(200)
                    .cookie("fleethook-csrf", org.hamcrest.Matchers.notNullValue());
            assertTrue(!read(log).contains("packaged-operator-password"), "the password must not be logged");
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static ProcessBuilder portal(Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("FLEETHOOK_"));
        pb.environment().putAll(env);
        return pb;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
