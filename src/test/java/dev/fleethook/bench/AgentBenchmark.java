package dev.fleethook.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.fleethook.agent.EventSpool;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.support.ItTenant;
import dev.fleethook.support.PackagedPortal;
import dev.fleethook.support.PolicyFixtures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * {@code ./mvnw -Pbenchmark verify}: the agent jar as a process against the packaged portal on a real
 * PostgreSQL, all on loopback. Measures what a server owner pays for the agent: memory while idle and
 * while replaying a backlog, how fast events are spooled durably and replayed after an outage, and the
 * overhead of a job with trivial scripts. Prints a table and writes {@code target/agent-benchmark.md}.
 */
class AgentBenchmark {

    static final int EVENTS = Integer.getInteger("bench.agent.events", 20_000);
    static final int JOBS = Integer.getInteger("bench.agent.jobs", 5);
    /** {@code -Dbench.agent.jvm="…"}: other JVM flags than the shipped unit's (then no AppCDS archive). */
    static final String JVM_OVERRIDE = System.getProperty("bench.agent.jvm");
    static final Path AGENT = PackagedPortal.JAR.toAbsolutePath().getParent().getParent().resolve("fleethook-agent.jar");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Row(String measure, String value, String note) {
    }

    /** The agent's JVM flags, as in deployment/agent/fleethook-agent.service (with its AppCDS archive, once trained). */
    List<String> jvm() throws Exception {
        if (JVM_OVERRIDE != null) {
            return List.of(JVM_OVERRIDE.split(" "));
        }
        ShippedUnit unit = ShippedUnit.read();
        return Files.exists(archive()) ? unit.runFlags(archive()) : unit.jvmFlags();
    }

    Path archive() {
        return tmp.resolve("agent.jsa");
    }

    Process agent(String... args) throws Exception {
        return agent(jvm(), args);
    }

    Process agent(List<String> jvm, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", AGENT.toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("agent.log").toFile()));
        if (JVM_OVERRIDE == null) {
            pb.environment().putAll(ShippedUnit.read().environment());
        }
        return pb.start();
    }

    static long rssKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    static Path exe(Path p, String body) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void agent() throws Exception {
        List<Row> rows = new ArrayList<>();
        try (EmbeddedPostgres pg = BenchPostgres.start();
                PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_EMAIL", "ops@bench.test",
                        "FLEETHOOK_OPERATOR_PASSWORD", "bench-operator-pw", "QUARKUS_LOG_LEVEL", "WARN",
                        "FLEETHOOK_FLEET_POLL_INTERVAL_SECONDS", "5"), "-Xmx1g")) {
            ItTenant tenant = ItTenant.create(portal.baseUrl, "ops@bench.test", "bench-operator-pw", "agentbench");
            Path state = tmp.resolve("state");
            Process enroll = agent("enroll", "--portal", portal.baseUrl, "--token", tenant.enrollmentToken(),
                    "--hostname", "bench-fs", "--state-dir", state.toString());
            assertEquals(0, enroll.waitFor());
            ObjectNode config = (ObjectNode) JSON.readTree(state.resolve("config.json").toFile());
            config.put("hooksEnabled", true);
            config.putArray("allowedRoots").add(tmp.toString());
            Files.writeString(state.resolve("config.json"), JSON.writeValueAsString(config));

            // A job with trivial scripts and a 10 MB folder of 1,000 files, archived.
            exe(tmp.resolve("scripts/pre_script.sh"), "true");
            exe(tmp.resolve("scripts/post_script.sh"), "true");
            byte[] block = new byte[10 * 1024];
            new java.util.Random(1).nextBytes(block);
            for (int i = 0; i < 1000; i++) {
                Files.createDirectories(tmp.resolve("data/d" + i % 10));
                Files.write(tmp.resolve("data/d" + i % 10 + "/f" + i), block);
            }
            Map<String, Object> spec = PolicyFixtures.spec("Bench");
            PolicyFixtures.set(spec, "schedule", Map.of("kind", "manual"));
            PolicyFixtures.set(spec, "retry", Map.of("count", 0, "intervalMinutes", 1));
            PolicyFixtures.set(spec, "backup", Map.of("engine", "archive", "sources", List.of(tmp.resolve("data").toString()),
                    "excludes", List.of(), "archive", Map.of("destination", tmp.resolve("archives").toString(), "retention", 2)));
            PolicyFixtures.set(spec, "scripts.linux.folder", tmp.resolve("scripts").toString());
            String policyId = tenant.admin().body(PolicyFixtures.save(spec, null)).post("/api/v1/policies").then()
                    .statusCode(201).extract().path("id");
            String serverId = tenant.admin().queryParam("q", "bench-fs").get("/api/v1/servers").then().extract()
                    .path("items[0].id");
            tenant.admin().body(Map.of("policyId", policyId)).put("/api/v1/servers/" + serverId + "/policy").then()
                    .statusCode(200);

            long[] wall = new long[JOBS];
            for (int i = 0; i < JOBS; i++) {
                long start = System.nanoTime();
                Process p = agent("backup-now", "--state-dir", state.toString());
                assertTrue(p.waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("agent.log")));
                wall[i] = (System.nanoTime() - start) / 1_000_000;
            }
            Arrays.sort(wall);
            List<Long> durations = new ArrayList<>();
            for (Object id : tenant.admin().get("/api/v1/jobs?size=50").then().extract().jsonPath().getList("items.id")) {
                var job = tenant.admin().get("/api/v1/jobs/" + id).then().extract().jsonPath();
                durations.add(job.getLong("attempts[0].backup.durationMs"));
            }
            durations.sort(Long::compare);
            rows.add(new Row("backup-now, whole command (JVM start, poll, pre, 10 MB archive, post, report)",
                    String.format("%,d ms median", wall[JOBS / 2]), "min " + wall[0] + " ms, max " + wall[JOBS - 1] + " ms, "
                            + JOBS + " runs"));
            rows.add(new Row("archive engine, 1,000 files / 10 MB", String.format("%,d ms median", durations.get(durations.size() / 2)),
                    "tar.gz with commons-compress"));

            // The unit's first start writes the AppCDS archive when the daemon stops; later starts map it.
            ShippedUnit unit = ShippedUnit.read();
            if (JVM_OVERRIDE == null && unit.appCds()) {
                Process training = agent(unit.trainingFlags(archive()), "run", "--state-dir", state.toString());
                Thread.sleep(20_000);
                training.destroy();
                assertTrue(training.waitFor(60, TimeUnit.SECONDS));
                assertTrue(Files.size(archive()) > 0, "the first run wrote the archive");
            }
            String jvm = String.join(" ", jvm());
            // Idle daemon: holding its poll (interval 5 s), nothing to do.
            Process daemon = agent("run", "--state-dir", state.toString());
            Thread.sleep(20_000);
            long idle = rssKiB(daemon.pid());
            rows.add(new Row("daemon RSS, idle after 20 s", String.format("%,d KiB", idle), jvm));
            daemon.destroy();
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));

            // An outage's backlog: events written durably to the spool, then replayed by the daemon.
            EventSpool spool = new EventSpool(state.resolve("spool"));
            long spoolStart = System.nanoTime();
            int written = 0;
            for (int j = 0; written < EVENTS; j++) {
                UUID job = UUID.randomUUID();
                for (JobEvent e : job(job)) {
                    spool.append(e);
                    written++;
                }
            }
            double spoolSeconds = (System.nanoTime() - spoolStart) / 1e9;
            rows.add(new Row("spool append (one fsynced file per event)", String.format("%,.0f events/s", written / spoolSeconds),
                    String.format("%,d events in %.1f s", written, spoolSeconds)));
            long replayStart = System.nanoTime();
            daemon = agent("run", "--state-dir", state.toString());
            long peak = 0;
            while (spool.size() > 0) {
                peak = Math.max(peak, rssKiB(daemon.pid()));
                Thread.sleep(100);
                assertTrue(daemon.isAlive(), Files.readString(tmp.resolve("agent.log")));
            }
            double replaySeconds = (System.nanoTime() - replayStart) / 1e9;
            daemon.destroy();
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
            rows.add(new Row("replay after an outage (daemon start to empty spool)",
                    String.format("%,.0f events/s", written / replaySeconds),
                    String.format("%,d events in %.1f s, batches of 500, acknowledged by the portal", written, replaySeconds)));
            rows.add(new Row("daemon RSS, peak during the replay", String.format("%,d KiB", peak), jvm));
            long stored = tenant.admin().get("/api/v1/jobs?size=1").then().extract().jsonPath().getLong("total");
            assertTrue(stored >= written / 10, "replayed jobs reached the portal: " + stored);
        }
        StringBuilder table = new StringBuilder(String.format("%nAgent benchmark: %d cores, Java %s, loopback%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        table.append("| measure | value | note |\n|---|---:|---|\n");
        rows.forEach(r -> table.append("| ").append(r.measure()).append(" | ").append(r.value()).append(" | ")
                .append(r.note()).append(" |\n"));
        System.out.println(table);
        Files.writeString(Path.of("target", "agent-benchmark.md"), table.toString(), StandardCharsets.UTF_8);
    }

    static final int FILTER_FILES = Integer.getInteger("bench.filter.files", 100_000);

    /**
     * Kiwi's on_file as a file-filter hook: what filtering costs per 100,000 files, in the agent's JVM
     * (no portal needed: {@code ./mvnw -o test -Dtest=AgentBenchmark#fileFilter}). Measures the walk alone
     * (what the filter adds to before the engine), {@code cat} as a filter that keeps everything (the
     * protocol's own cost: batches out and back), and a bash filter that drops *.tmp (a realistic script),
     * each the median of three runs. Writes {@code target/agent-benchmark-file-filter.md}.
     */
    @Test
    void fileFilter() throws Exception {
        Path data = tmp.resolve("many");
        for (int d = 0; d < FILTER_FILES / 1000; d++) {
            Path dir = Files.createDirectories(data.resolve("d" + d));
            for (int f = 0; f < 1000; f++) {
                Files.createFile(dir.resolve((f % 10 == 0 ? "cache-" + f + ".tmp" : "file-" + f + ".txt")));
            }
        }
        Path bash = tmp.resolve("drop-tmp");
        Files.writeString(bash, """
                #!/bin/bash
                while IFS= read -r -d '' path; do
                  if [ -z "$path" ]; then printf '\\0'; continue; fi
                  case "$path" in *.tmp) ;; *) printf '%s\\0' "$path" ;; esac
                done
                """);
        Files.setPosixFilePermissions(bash, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Row> rows = new ArrayList<>();
        long walk = median(() -> {
            try (var files = Files.walk(data)) {
                assertEquals(FILTER_FILES, files.filter(Files::isRegularFile).count());
            }
        });
        rows.add(new Row("walk alone (listing the files)", perHundredThousand(walk), FILTER_FILES + " files"));
        long cat = median(() -> {
            try (var f = dev.fleethook.agent.FileFilter.start(filterLaunch(Path.of("/bin/cat")), Map.of(), java.time.Duration.ofMinutes(1))) {
                assertEquals(0, f.filter(data, List.of()).dropped());
            }
        });
        rows.add(new Row("file filter: cat (keeps all; protocol cost)", perHundredThousand(cat),
                "batches of " + dev.fleethook.agent.FileFilter.BATCH + ", NUL-separated, one process"));
        long script = median(() -> {
            try (var f = dev.fleethook.agent.FileFilter.start(filterLaunch(bash), Map.of(),
                    java.time.Duration.ofMinutes(1))) {
                assertEquals(FILTER_FILES / 10, f.filter(data, List.of()).dropped());
            }
        });
        rows.add(new Row("file filter: bash script dropping *.tmp", perHundredThousand(script), "drops 10 %"));
        StringBuilder table = new StringBuilder(String.format("%nFile-filter benchmark: %d cores, Java %s%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        table.append("| measure | per 100,000 files | note |\n|---|---:|---|\n");
        rows.forEach(r -> table.append("| ").append(r.measure()).append(" | ").append(r.value()).append(" | ")
                .append(r.note()).append(" |\n"));
        System.out.println(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "agent-benchmark-file-filter.md"), table.toString(), StandardCharsets.UTF_8);
    }

    interface Timed {
        void run() throws Exception;
    }

    static long median(Timed timed) throws Exception {
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            timed.run();
            ms.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        ms.sort(null);
        return ms.get(1);
    }

    static String perHundredThousand(long ms) {
        return String.format("%,d ms", ms * 100_000L / FILTER_FILES);
    }

    /** Ten events of one job, as an agent reports them. */
    static List<JobEvent> job(UUID job) {
        StepResult ok = new StepResult(0, 0, 12, false, "ok\n", null, null);
        List<JobEvent> events = new ArrayList<>();
        events.add(event(EventType.JOB_STARTED, job, null, null, null, null, null));
        events.add(event(EventType.ATTEMPT_STARTED, job, 1, null, null, null, null));
        events.add(event(EventType.SCRIPT_FINISHED, job, 1, "pre", null, null, ok));
        for (int h = 0; h < 4; h++) {
            events.add(event(EventType.HOOK_FINISHED, job, 1, null, HookPhase.BEFORE_BACKUP, h, ok));
        }
        events.add(event(EventType.BACKUP_FINISHED, job, 1, null, null, null, ok));
        events.add(event(EventType.SCRIPT_FINISHED, job, 1, "post", null, null, ok));
        events.add(JobEvent.of(EventType.JOB_FINISHED).job(job).attempt(1).outcome(JobStatus.SUCCEEDED, 0).build());
        return events;
    }

    static JobEvent event(EventType type, UUID job, Integer attempt, String step, HookPhase phase, Integer hook,
            StepResult result) {
        return JobEvent.of(type).job(job).attempt(attempt).trigger(type == EventType.JOB_STARTED ? "scheduled" : null)
                .maxAttempts(type == EventType.JOB_STARTED ? 1 : null).step(step).hook(phase, hook, null).result(result)
                .build();
    }

    /** A file-filter program as the agent's gate allows it (its real folder the allowed root). */
    private static dev.fleethook.agent.ProcessGate.Launch filterLaunch(Path program) throws java.io.IOException {
        var gate = new dev.fleethook.agent.ProcessGate(new dev.fleethook.agent.HookRunner.Permissions(true, false,
                List.of(program.toRealPath().getParent())));
        return gate.policyProgram(List.of(program.toString()), 0, null).launch();
    }
}
