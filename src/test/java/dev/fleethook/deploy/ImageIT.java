package dev.fleethook.deploy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.build.ImageBuilder;
import dev.fleethook.support.PackagedPortal;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The container image, built by {@link ImageBuilder} from the packaged portal with no Docker daemon, is
 * an OCI tarball with the expected configuration; unpacked and started as its user 185 (chroot, the
 * image's own Java), the portal inside it becomes ready against a real PostgreSQL.
 * <p>
 * The base image comes from {@code FLEETHOOK_IMAGE_BASE} (a docker-archive tarball, built from Debian's
 * packages by {@code deployment/image/debian-jre-base.sh}, because no registry is reachable here). CI
 * builds it and sets {@code FLEETHOOK_REQUIRE_IMAGE}; elsewhere the test is skipped without a base.
 */
class ImageIT {

    static final ObjectMapper JSON = new ObjectMapper();

    static Path base;

    @TempDir
    Path tmp;

    @BeforeAll
    static void baseImage() {
        String b = System.getenv("FLEETHOOK_IMAGE_BASE");
        boolean present = b != null && Files.isRegularFile(Path.of(b));
        if (System.getenv("FLEETHOOK_REQUIRE_IMAGE") == null) {
            Assumptions.assumeTrue(present, "no base image tarball (FLEETHOOK_IMAGE_BASE)");
        }
        assertTrue(present, "FLEETHOOK_IMAGE_BASE must name the base image tarball: " + b);
        base = Path.of(b).toAbsolutePath();
    }

    JsonNode blob(Path layout, String digest) throws IOException {
        return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())).toFile());
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }

    @Test
    void theImageIsAnOciTarballThatRunsThePortalAsANonRootUser() throws Exception {
        Path tar = tmp.resolve("fleethook-image.tar");
        ImageBuilder.build(PackagedPortal.JAR.getParent(), "tar://" + base, "fleethook/fleethook:it", tar);

        Path layout = Files.createDirectories(tmp.resolve("layout"));
        run("tar", "-xf", tar.toString(), "-C", layout.toString());
        assertTrue(Files.exists(layout.resolve("oci-layout")), "an OCI image layout");
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = blob(layout, index.at("/manifests/0/digest").asText());
        JsonNode config = blob(layout, manifest.at("/config/digest").asText()).get("config");
        assertEquals("185", config.get("User").asText(), "runs as the non-root user 185");
        assertEquals("/deployments", config.get("WorkingDir").asText());
        List<String> entrypoint = new ArrayList<>();
        config.get("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
        assertEquals("/deployments/quarkus-run.jar", entrypoint.get(entrypoint.size() - 1));
        assertTrue(config.get("ExposedPorts").has("8080/tcp"));
        assertTrue(config.get("ExposedPorts").has("9000/tcp"), "the management port");
        assertTrue(entrypoint.stream().noneMatch(a -> a.startsWith("-XX:MaxRAM")),
                "no memory flag on the command line, where it would override JDK_JAVA_OPTIONS");
        assertEquals(6, manifest.get("layers").size(), "the base plus libraries, Quarkus, application, launcher, agent jar");

        // Unpack the layers in order, as a container runtime would, and start the entrypoint inside.
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        for (JsonNode layer : manifest.get("layers")) {
            String digest = layer.get("digest").asText().substring("sha256:".length());
            run("tar", "-xzf", layout.resolve("blobs/sha256/" + digest).toString(), "-C", rootfs.toString());
        }
        // The agent jar the Enrollment page offers, where the portal's default locations find it.
        assertEquals(-1L, Files.mismatch(PackagedPortal.JAR.getParent().getParent().resolve(ImageBuilder.AGENT_JAR),
                rootfs.resolve("deployments").resolve(ImageBuilder.AGENT_JAR)), "the image carries the built agent jar");
        Map<String, String> imageEnv = new HashMap<>();
        config.get("Env").forEach(n -> imageEnv.put(n.asText().substring(0, n.asText().indexOf('=')),
                n.asText().substring(n.asText().indexOf('=') + 1)));
        assertEquals("prod", imageEnv.get("QUARKUS_PROFILE"));
        assertEquals(ImageBuilder.DEFAULT_JAVA_OPTIONS, imageEnv.get("JDK_JAVA_OPTIONS"), "what the chart's javaOpts replaces");
        run("mount", "-t", "proc", "proc", rootfs.resolve("proc").toString());
        try (EmbeddedPostgres pg = EmbeddedPostgres.start();
                PackagedPortal portal = PackagedPortal.startWith(pg, Map.of(), env -> {
                    List<String> cmd = new ArrayList<>(List.of("chroot", "--userspec=185:0", rootfs.toString()));
                    cmd.addAll(entrypoint);
                    ProcessBuilder pb = new ProcessBuilder(cmd).directory(rootfs.toFile());
                    pb.environment().clear();
                    pb.environment().putAll(imageEnv);
                    pb.environment().putAll(env);
                    // The image has no /etc/hosts entry to rely on: reach the database by address.
                    pb.environment().computeIfPresent("QUARKUS_DATASOURCE_JDBC_URL", (k, v) -> v.replace("localhost", "127.0.0.1"));
                    return pb;
                })) {
            given().baseUri(portal.managementUrl).get("/q/health/ready").then().statusCode(200);
            given().baseUri(portal.baseUrl).get("/api/agent/v1/ping").then().statusCode(204);
            assertTrue(portal.log().contains("Picked up JDK_JAVA_OPTIONS: " + ImageBuilder.DEFAULT_JAVA_OPTIONS),
                    "the JVM read the image's JDK_JAVA_OPTIONS: " + portal.log());
            long javaPid = portal.process().descendants().findFirst().map(ProcessHandle::pid)
                    .orElse(portal.process().pid());
            String status = Files.readString(Path.of("/proc/" + javaPid + "/status"));
            assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+185\\s+185.*")), status);
        } finally {
            run("umount", rootfs.resolve("proc").toString());
        }
    }
}
