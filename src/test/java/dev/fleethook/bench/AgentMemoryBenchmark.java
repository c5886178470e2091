package dev.fleethook.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.fleethook.support.ItTenant;
import dev.fleethook.support.PackagedPortal;
import dev.fleethook.support.PolicyFixtures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * What each way of making the idle agent lighter saves, measured: the agent daemon (holding its poll against the
 * packaged portal, poll interval 5 s) under one JVM setting after another, each idle for 20 s, then its RSS (and
 * how much of it is anonymous memory and mapped files) and its thread count from {@code /proc/<pid>/status}.
 * The first row is the shipped unit's flags ({@link ShippedUnit}); each later row names its change against it.
 * {@code -Dit.test=AgentMemoryBenchmark}; writes {@code target/agent-memory-benchmark.md}. JDK 25 rows need
 * {@code -Dbench.jdk25=/path/to/jdk-25} (default: Temurin 25 where Debian puts it), skipped when absent.
 */
class AgentMemoryBenchmark {

    static final Path JDK17 = Path.of(System.getProperty("java.home"));
    static final Path JDK25 = Path.of(System.getProperty("bench.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    static final int IDLE_SECONDS = Integer.getInteger("bench.agent.idle", 20);

    @TempDir
    Path tmp;

    /** One JVM setting: the java home, extra environment, the flags, and a training run first (CDS archives). */
    record Variant(String name, Path javaHome, Map<String, String> env, List<String> flags, List<String> trainingFlags,
            Path jar) {
        Variant(String name, Path javaHome, Map<String, String> env, List<String> flags, List<String> trainingFlags) {
            this(name, javaHome, env, flags, trainingFlags, AgentBenchmark.AGENT);
        }
    }

    /** {@code -Dbench.agent.compare-jar=}: another build of the agent jar, measured with the shipped flags (before/after). */
    static final String COMPARE_JAR = System.getProperty("bench.agent.compare-jar", "");
    /** {@code -Dbench.agent.only=a,b}: only the rows whose name contains one of these (the first row always runs). */
    static final String ONLY = System.getProperty("bench.agent.only", "");

    record Measure(long rssKiB, long anonKiB, long fileKiB, int threads) {
    }

    @Test
    void idleMemoryByJvmSetting() throws Exception {
        ShippedUnit unit = ShippedUnit.read();
        List<String> base = unit.jvmFlags();
        Path jsa17 = tmp.resolve("agent-17.jsa");
        Path jsa25 = tmp.resolve("agent-25.jsa");
        List<Variant> variants = new ArrayList<>();
        Map<String, String> oneArena = new HashMap<>(unit.environment());
        oneArena.put("MALLOC_ARENA_MAX", "1");
        Map<String, String> twoArenas = new HashMap<>(unit.environment());
        twoArenas.put("MALLOC_ARENA_MAX", "2");
        variants.add(new Variant("shipped unit (" + (unit.appCds() ? "AppCDS archive, " : "") + String.join(" ", base)
                + ", " + unit.environment() + ")", JDK17, unit.environment(), unit.runFlags(jsa17),
                unit.appCds() ? unit.trainingFlags(jsa17) : null));
        if (unit.appCds()) {
            variants.add(new Variant("shipped flags without the AppCDS archive", JDK17, unit.environment(), base, null));
        }
        variants.add(new Variant("MALLOC_ARENA_MAX=2 (glibc: at most 2 malloc arenas)", JDK17, twoArenas, base, null));
        variants.add(new Variant("MALLOC_ARENA_MAX=1", JDK17, oneArena, base, null));
        variants.add(new Variant("+ -XX:-UsePerfData", JDK17, unit.environment(), with(base, "-XX:-UsePerfData"), null));
        variants.add(new Variant("-Xshare:off (no class data sharing at all)", JDK17, unit.environment(),
                with(base, "-Xshare:off"), null));
        if (!unit.appCds()) {
            variants.add(new Variant("+ AppCDS of the agent's classes (JDK 17: -XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile)",
                    JDK17, unit.environment(), with(base, "-XX:SharedArchiveFile=" + jsa17),
                    with(base, "-XX:ArchiveClassesAtExit=" + jsa17)));
        }
        variants.add(new Variant("+ -Xss256k", JDK17, unit.environment(), with(base, "-Xss256k"), null));
        variants.add(new Variant("+ -XX:ReservedCodeCacheSize=8m", JDK17, unit.environment(),
                with(base, "-XX:ReservedCodeCacheSize=8m"), null));
        variants.add(new Variant("+ -Xmx32m", JDK17, unit.environment(), with(base, "-Xmx32m"), null));
        variants.add(new Variant("+ -Xint (no JIT at all; for comparison)", JDK17, unit.environment(),
                with(base, "-Xint"), null));
        if (Files.isExecutable(JDK25.resolve("bin/java"))) {
            variants.add(new Variant("JDK 25, same flags", JDK25, unit.environment(), base, null));
            variants.add(new Variant("JDK 25 + -XX:+UseCompactObjectHeaders", JDK25, unit.environment(),
                    with(base, "-XX:+UseCompactObjectHeaders"), null));
            List<String> auto = with(base, "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + jsa25);
            variants.add(new Variant("JDK 25 + -XX:+AutoCreateSharedArchive (archive made by the first run)", JDK25,
                    unit.environment(), auto, auto));
        }

        if (!COMPARE_JAR.isBlank()) {
            Path other = tmp.resolve("compare.jsa");
            variants.add(1, new Variant("agent jar " + Path.of(COMPARE_JAR).getFileName() + ", shipped unit", JDK17,
                    unit.environment(), unit.runFlags(other), unit.appCds() ? unit.trainingFlags(other) : null,
                    Path.of(COMPARE_JAR)));
        }
        if (!ONLY.isBlank()) {
            List<String> only = List.of(ONLY.split(","));
            Variant first = variants.get(0);
            variants.removeIf(v -> v != first && only.stream().noneMatch(o -> v.name().contains(o)));
        }
        Map<String, Measure> results = new LinkedHashMap<>();
        try (EmbeddedPostgres pg = BenchPostgres.start();
                PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_EMAIL", "ops@mem.test",
                        "FLEETHOOK_OPERATOR_PASSWORD", "mem-operator-pw", "QUARKUS_LOG_LEVEL", "WARN",
                        "FLEETHOOK_FLEET_POLL_INTERVAL_SECONDS", "5"), "-Xmx1g")) {
            ItTenant tenant = ItTenant.create(portal.baseUrl, "ops@mem.test", "mem-operator-pw", "agentmem");
            Path state = tmp.resolve("state");
            Process enroll = start(new Variant("enroll", JDK17, unit.environment(), base, null), "enroll", "--portal",
                    portal.baseUrl, "--token", tenant.enrollmentToken(), "--hostname", "mem-fs", "--state-dir", state.toString());
            assertEquals(0, enroll.waitFor());
            ObjectNode config = (ObjectNode) AgentBenchmark.JSON.readTree(state.resolve("config.json").toFile());
            config.put("hooksEnabled", true);
            config.putArray("allowedRoots").add(tmp.toString());
            Files.writeString(state.resolve("config.json"), AgentBenchmark.JSON.writeValueAsString(config));
            Files.createDirectories(tmp.resolve("data"));
            Map<String, Object> spec = PolicyFixtures.spec("Memory");
            PolicyFixtures.set(spec, "schedule", Map.of("kind", "daily", "time", "03:00"));
            PolicyFixtures.set(spec, "backup", Map.of("engine", "archive", "sources", List.of(tmp.resolve("data").toString()),
                    "excludes", List.of(), "archive", Map.of("destination", tmp.resolve("archives").toString(), "retention", 2)));
            PolicyFixtures.set(spec, "scripts.linux.folder", tmp.resolve("scripts").toString());
            String policyId = tenant.admin().body(PolicyFixtures.save(spec, null)).post("/api/v1/policies").then()
                    .statusCode(201).extract().path("id");
            String serverId = tenant.admin().queryParam("q", "mem-fs").get("/api/v1/servers").then().extract()
                    .path("items[0].id");
            tenant.admin().body(Map.of("policyId", policyId)).put("/api/v1/servers/" + serverId + "/policy").then()
                    .statusCode(200);

            for (Variant v : variants) {
                if (v.trainingFlags() != null) {
                    idle(new Variant(v.name() + " (training)", v.javaHome(), v.env(), v.trainingFlags(), null, v.jar()), state);
                }
                results.put(v.name(), idle(v, state));
            }
        }
        long shipped = results.values().iterator().next().rssKiB();
        StringBuilder table = new StringBuilder(String.format(
                "%nAgent daemon memory, idle %d s after start, holding its poll (%d cores)%n%n", IDLE_SECONDS,
                Runtime.getRuntime().availableProcessors()));
        table.append("| JVM setting | RSS KiB | vs shipped | anonymous KiB | files KiB | threads |\n|---|---:|---:|---:|---:|---:|\n");
        results.forEach((name, m) -> table.append(String.format("| %s | %,d | %+,d | %,d | %,d | %d |%n", name, m.rssKiB(),
                m.rssKiB() - shipped, m.anonKiB(), m.fileKiB(), m.threads())));
        System.out.println(table);
        Files.writeString(Path.of("target", "agent-memory-benchmark.md"), table.toString(), StandardCharsets.UTF_8);
    }

    private static List<String> with(List<String> base, String... flags) {
        List<String> out = new ArrayList<>();
        for (String f : base) {
            String name = f.contains("=") ? f.substring(0, f.indexOf('=') + 1) : f.startsWith("-Xss") ? "-Xss"
                    : f.startsWith("-Xmx") ? "-Xmx" : f;
            boolean replaced = false;
            for (String g : flags) {
                if (g.startsWith(name) && (name.endsWith("=") || name.equals("-Xss") || name.equals("-Xmx"))) {
                    replaced = true;
                }
            }
            if (!replaced) {
                out.add(f);
            }
        }
        out.addAll(List.of(flags));
        return out;
    }

    /** Runs the daemon idle for {@link #IDLE_SECONDS}, measures it, stops it (SIGTERM: a CDS archive is written at exit). */
    private Measure idle(Variant v, Path state) throws Exception {
        Process daemon = start(v, "run", "--state-dir", state.toString());
        Thread.sleep(IDLE_SECONDS * 1000L);
        assertTrue(daemon.isAlive(), v.name() + ": " + Files.readString(tmp.resolve("agent.log")));
        Measure m = measure(daemon.pid());
        daemon.destroy();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        System.out.printf("%s: %,d KiB%n", v.name(), m.rssKiB());
        return m;
    }

    private Process start(Variant v, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(v.javaHome().resolve("bin/java").toString()));
        cmd.addAll(v.flags());
        cmd.addAll(List.of("-jar", v.jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("agent.log").toFile()));
        pb.environment().remove("MALLOC_ARENA_MAX");
        pb.environment().putAll(v.env());
        return pb.start();
    }

    static Measure measure(long pid) throws IOException {
        long rss = 0;
        long anon = 0;
        long file = 0;
        int threads = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            String digits = line.replaceAll("\\D", "");
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(digits);
            } else if (line.startsWith("RssAnon:")) {
                anon = Long.parseLong(digits);
            } else if (line.startsWith("RssFile:")) {
                file = Long.parseLong(digits);
            } else if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(digits);
            }
        }
        return new Measure(rss, anon, file, threads);
    }
}
