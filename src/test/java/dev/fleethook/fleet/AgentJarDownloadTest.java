package dev.fleethook.fleet;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.fleethook.protocol.Sha256;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Enrollment page offers the agent jar from the portal itself: the download answers the jar's bytes with
 * their SHA-256 (also shown on the page, for {@code sha256sum}), only to signed-in people; a portal without a
 * jar says how to build it instead of offering a broken link. The test profile looks for the jar at
 * {@code target/test-downloads/fleethook-agent.jar} (application.properties), where this test writes one.
 */
@QuarkusTest
class AgentJarDownloadTest {

    static final Path JAR = Path.of("target", "test-downloads", "fleethook-agent.jar");

    @AfterEach
    void removeJar() throws Exception {
        Files.deleteIfExists(JAR);
    }

    static byte[] jar(String version) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.fleethook.agent.AgentMain");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            out.putNextEntry(new ZipEntry("VERSION"));
            out.write(version.getBytes());
        }
        return bytes.toByteArray();
    }

    @Test
    void signedInPeopleDownloadTheJarWithItsSha256() throws Exception {
        byte[] jar = jar("1");
        Files.createDirectories(JAR.getParent());
        Files.write(JAR, jar);
        String sha256 = Sha256.hex(jar);
        var t = Fixtures.newTenant("Agent Download");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);

        admin.get("/enrollment").then().statusCode(200)
                .body(containsString("href=\"/downloads/fleethook-agent.jar\" download=\"fleethook-agent.jar\""))
                .body(containsString("data-testid=\"agent-sha256\">" + sha256 + "</pre>"))
                .body(containsString("sha256sum fleethook-agent.jar"))
                .body(not(containsString("data-testid=\"agent-missing\"")));
        byte[] downloaded = admin.get("/downloads/fleethook-agent.jar").then().statusCode(200)
                .contentType("application/java-archive")
                .header("Content-Disposition", "attachment; filename=\"fleethook-agent.jar\"")
                .header("Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)) + ":")
                .extract().asByteArray();
        assertArrayEquals(jar, downloaded);
        // The command line to paste uses the downloaded file's name.
        admin.postForm("/enrollment", "label", "Paris", "expiresInMinutes", "60", "maxUses", "1").then().statusCode(303);
        admin.get("/enrollment").then().statusCode(200)
                .body(containsString("java -jar fleethook-agent.jar enroll --portal "));

        // Any signed-in role may download; a rebuilt jar is offered with its new digest, without a restart.
        var viewer = Fixtures.newUser(t, "VIEWER");
        byte[] rebuilt = jar("2");
        Files.write(JAR, rebuilt);
        Files.setLastModifiedTime(JAR, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertArrayEquals(rebuilt, Browser.signIn(viewer.email(), Fixtures.DEFAULT_PASSWORD)
                .get("/downloads/fleethook-agent.jar").then().statusCode(200).extract().asByteArray());
        admin.get("/enrollment").then().body(containsString(Sha256.hex(rebuilt)));

        // Signed out: the sign-in page, which brings the browser back to the download.
        given().redirects().follow(false).get("/downloads/fleethook-agent.jar").then().statusCode(302)
                .header("Location", endsWith("/sign-in?next=%2Fdownloads%2Ffleethook-agent.jar"));
        // API tokens are for the API: no download with one.
        given().redirects().follow(false).header("Authorization", "Bearer " + t.adminToken())
                .get("/downloads/fleethook-agent.jar").then().statusCode(302);
    }

    @Test
    void withoutAJarThePageSaysHowToBuildIt() {
        var t = Fixtures.newTenant("No Agent Jar");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/enrollment").then().statusCode(200)
                .body(containsString("data-testid=\"agent-missing\""))
                .body(containsString("./mvnw package -DskipTests"))
                .body(not(containsString("href=\"/downloads/fleethook-agent.jar\"")));
        admin.get("/downloads/fleethook-agent.jar").then().statusCode(404);
    }
}
