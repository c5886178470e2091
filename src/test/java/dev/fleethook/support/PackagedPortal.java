package dev.fleethook.support;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The packaged portal ({@code target/quarkus-app/quarkus-run.jar}) as its own process, in its production
 * profile, on a real PostgreSQL: what the integration tests and the benchmark run against. Health, metrics and
 * OpenAPI are on its management port ({@link #managementUrl}), as in production; pages and APIs on {@link #baseUrl}.
 */
public final class PackagedPortal implements AutoCloseable {

    public static final Path JAR = Path.of(System.getProperty("fleethook.app.jar", "target/quarkus-app/quarkus-run.jar"));

    public final String baseUrl;
    /** The management interface: {@code /q/health}, {@code /q/metrics}, {@code /q/openapi}. */
    public final String managementUrl;
    private final Process process;
    private final Path log;

    private PackagedPortal(String baseUrl, String managementUrl, Process process, Path log) {
        this.baseUrl = baseUrl;
        this.managementUrl = managementUrl;
        this.process = process;
        this.log = log;
    }

    /** The java command for the portal, with the environment cleared of QUARKUS_* and FLEETHOOK_*, then {@code env}. */
    public static ProcessBuilder command(Map<String, String> env, String... jvmArgs) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("FLEETHOOK_"));
        pb.environment().putAll(env);
        return pb;
    }

    /** Starts a portal on a free loopback port against {@code pg} and waits until it reports ready. */
    public static PackagedPortal start(EmbeddedPostgres pg, Map<String, String> env, String... jvmArgs)
            throws IOException, InterruptedException {
        return startWith(pg, env, all -> command(all, jvmArgs));
    }

    /** As {@link #start}, launched by {@code launcher} (given the full environment), e.g. inside an image's root. */
    public static PackagedPortal startWith(EmbeddedPostgres pg, Map<String, String> env,
            java.util.function.Function<Map<String, String>, ProcessBuilder> launcher) throws IOException, InterruptedException {
        int port = freePort();
        int managementPort = freePort();
        Map<String, String> all = new HashMap<>(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", pg.getJdbcUrl("postgres", "postgres"),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "QUARKUS_HTTP_PORT", Integer.toString(port),
                "QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort)));
        all.putAll(env);
        Path log = Files.createTempFile("fleethook-portal", ".log");
        Process p = launcher.apply(all).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PackagedPortal portal = new PackagedPortal("http://127.0.0.1:" + port, "http://127.0.0.1:" + managementPort, p, log);
        portal.awaitReady(Duration.ofSeconds(120));
        return portal;
    }

    private void awaitReady(Duration limit) {
        try {
            org.awaitility.Awaitility.await("portal ready").atMost(limit).pollInterval(Duration.ofMillis(300))
                    .ignoreExceptions() // connection refused while it starts
                    .failFast("portal exited", () -> !process.isAlive())
                    .until(() -> given().baseUri(managementUrl).get("/q/health/ready").statusCode() == 200);
        } catch (org.awaitility.core.ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            throw new IllegalStateException(e.getMessage() + ": " + log(), e);
        }
    }

    /** Everything the portal printed so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** The process that runs the portal (or its launcher). */
    public Process process() {
        return process;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
