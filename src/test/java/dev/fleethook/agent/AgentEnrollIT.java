package dev.fleethook.agent;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.support.ItTenant;
import dev.fleethook.support.PackagedPortal;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** The agent jar as its own process enrolls with a token against the packaged portal on a real PostgreSQL. */
class AgentEnrollIT {

    static final Path AGENT = PackagedPortal.JAR.toAbsolutePath().getParent().getParent().resolve("fleethook-agent.jar");

    @TempDir
    Path tmp;

    record Run(int exit, String out) {
    }

    static Run agent(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", AGENT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    @Test
    void theAgentJarCarriesNoPortalOrQuarkusClasses() throws Exception {
        try (var jar = new java.util.jar.JarFile(AGENT.toFile())) {
            List<String> names = jar.stream().map(java.util.jar.JarEntry::getName).toList();
            assertTrue(names.contains("dev/fleethook/agent/AgentMain.class"));
            assertTrue(names.stream().noneMatch(n -> n.startsWith("io/quarkus/") || n.startsWith("dev/fleethook/fleet/")
                    || n.startsWith("dev/fleethook/policy/") || n.startsWith("org/hibernate/")), "agent jar is portal-free");
            assertEquals("dev.fleethook.agent.AgentMain", jar.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }

    @Test
    void theAgentEnrollsKeepsItsSecretPrivateAndTheServerAppears() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start();
                PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_EMAIL", "ops@agent.test",
                        "FLEETHOOK_OPERATOR_PASSWORD", "agent-it-operator"))) {
            String base = portal.baseUrl;
            ItTenant tenant = ItTenant.create(base, "ops@agent.test", "agent-it-operator", "agentco");
            String token = tenant.enrollmentToken();

            Path state = tmp.resolve("state");
            Run enroll = agent("enroll", "--portal", base, "--token", token, "--hostname", "agent-it-fs",
                    "--state-dir", state.toString());
            assertEquals(0, enroll.exit(), enroll.out());
            assertTrue(enroll.out().contains("Enrolled as agent-it-fs"), enroll.out());
            assertTrue(enroll.out().contains("Next: scripts and hooks stay off on this server until you allow them in"),
                    enroll.out());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("secret"))));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
            assertTrue(Files.readString(state.resolve("secret")).startsWith("fha_"));

            Run status = agent("status", "--state-dir", state.toString());
            assertEquals(0, status.exit());
            assertTrue(status.out().contains("disabled (enable in config.json)"), status.out());
            tenant.admin().queryParam("q", "agent-it-fs").get("/api/v1/servers").then().body("total", equalTo(1));

            Run again = agent("enroll", "--portal", base, "--token", token, "--state-dir", tmp.resolve("other").toString());
            assertEquals(1, again.exit());
            assertTrue(again.out().contains("The token was refused"), again.out());
            assertEquals(2, agent("enroll", "--portal", base, "--token", token, "--state-dir", state.toString()).exit());
        }
    }

}
