package dev.fleethook.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.support.PackagedPortal;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The fleet simulator: a real PostgreSQL, the packaged portal in its production profile, N enrolled
 * agents, and timed load on loopback. Prints a table (and writes target/benchmark.md). Not part of
 * {@code ./mvnw verify}; run it with {@code ./mvnw -Pbenchmark verify}. Tunables (system properties):
 * {@code bench.agents} (200), {@code bench.concurrency} (8), {@code bench.seconds} (15 per scenario).
 * Every scenario first runs 5 s unmeasured so the JIT has compiled the paths being measured.
 */
class FleetBenchmark {

    static final int AGENTS = Integer.getInteger("bench.agents", 200);
    static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 8);
    static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    static final int BATCH = 50;
    /**
     * Warm-up of the events scenario, seconds: a fresh JVM's JIT compiles the ingest path for about 20 s under
     * this load, and compiling is not what a portal that has run for a day spends its CPU on.
     */
    static final int EVENTS_WARM_UP = Integer.getInteger("bench.events.warmup", 20);
    /** Extra JVM options for the portal, space-separated (e.g. a JFR recording: {@code -XX:StartFlightRecording=...}). */
    static final String PORTAL_JVM = System.getProperty("bench.portal.jvm", "");
    /** Only the event scenario (d): for profiling ingestion. */
    static final boolean EVENTS_ONLY = Boolean.getBoolean("bench.events.only");
    /**
     * {@code -Dbench.statements=true}: PostgreSQL loads pg_stat_statements (nested statements too: triggers and
     * foreign-key checks) and the report lists where its time went after the warm-up, per 1,000 events.
     */
    static final boolean STATEMENTS = Boolean.getBoolean("bench.statements");
    static final ObjectMapper JSON = new ObjectMapper();

    record Agent(String serverId, String secret, String etag) {
    }

    record Row(String scenario, long requests, double perSecond, double p50, double p99, double p999, long errors,
            String note) {
    }

    String cpuNote = "";

    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
            .build();
    String base;
    static final String HOST = "127.0.0.1";
    /** The portal's HTTP port on loopback. */
    int port;
    /** The load generator of the measured scenarios ({@link #drive}): one event loop, closed with the portal. */
    Vertx loadVertx;
    HttpClient loadClient;

    @Test
    void fleet() throws Exception {
        try (EmbeddedPostgres pg = (STATEMENTS ? BenchPostgres.durableWithStatements() : BenchPostgres.durable()).start();
                PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_PASSWORD", "bench-operator-pw",
                        "QUARKUS_LOG_LEVEL", "WARN"), portalJvm())) {
            base = portal.baseUrl;
            port = URI.create(base).getPort();
            loadVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
            loadClient = loadVertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(CONCURRENCY));
            try {
                List<Agent> agents = setUp();
                IntFunction<Call> ping = i -> get("/api/agent/v1/ping", null, null);
                IntFunction<Call> notModified = i -> {
                    Agent a = agents.get(i % agents.size());
                    return get("/api/agent/v1/policy", a.secret(), a.etag());
                };
                IntFunction<Call> full = i -> {
                    Agent a = agents.get(i % agents.size());
                    return get("/api/agent/v1/policy", a.secret(), null);
                };
                List<Row> rows = new ArrayList<>();
                if (!EVENTS_ONLY) {
                    // Warm every path (server and load generator) before measuring any of them.
                    drive(ping, 204, 5, null);
                    drive(notModified, 304, 5, null);
                    drive(full, 200, 5, null);
                    rows.add(run("(a) baseline GET /api/agent/v1/ping", ping, 204));
                    rows.add(run("(b) poll, 304 Not Modified", notModified, 304));
                    rows.add(run("(c) poll, 200 with document", full, 200));
                }
                if (STATEMENTS) {
                    execute(pg, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                }
                long portalPid = portal.process().pid();
                long self = ProcessHandle.current().pid();
                // CPU of the measured window only: after the warm-up (the JIT's compiling, each server's first alert
                // email) the steady state; CPU per event holds when other work shares the machine, unlike events/s.
                double[] warm = new double[4];
                Row events = run("(d) events, batches of " + BATCH, i -> {
                    Agent a = agents.get(i % agents.size());
                    return post("/api/agent/v1/events", a.secret(), batch());
                }, 200, EVENTS_WARM_UP, () -> {
                    // As autovacuum would within a minute on a live portal: statistics for the tables the warm-up
                    // filled. Without them every pooled connection keeps the plans it made for empty tables (a
                    // sequential scan of job and server in each foreign-key check) through the whole measure.
                    execute(pg, "ANALYZE");
                    warm[0] = cpuSeconds(List.of(portalPid));
                    warm[1] = cpuSeconds(postgresPids(pg.getPort()));
                    warm[2] = count(pg, "SELECT count(*) FROM job_event");
                    warm[3] = cpuSeconds(List.of(self));
                    if (STATEMENTS) {
                        execute(pg, "SELECT pg_stat_statements_reset()");
                    }
                });
                long persisted = count(pg, "SELECT count(*) FROM job_event") - (long) warm[2];
                double portalCpu = cpuSeconds(List.of(portalPid)) - warm[0];
                double pgCpu = cpuSeconds(postgresPids(pg.getPort())) - warm[1];
                double loadCpu = cpuSeconds(List.of(self)) - warm[3];
                cpuNote = String.format("CPU per 1,000 events persisted in the measured %d s (after a %d s warm-up): portal %.0f ms, "
                        + "PostgreSQL %.0f ms, load generator (this JVM) %.0f ms. On 2 cores the portal and PostgreSQL alone "
                        + "would persist about %,.0f events/s; with the load generator on the same cores, about %,.0f.%n",
                        SECONDS, EVENTS_WARM_UP, 1e6 * portalCpu / persisted, 1e6 * pgCpu / persisted, 1e6 * loadCpu / persisted,
                        2 * persisted / (portalCpu + pgCpu), 2 * persisted / (portalCpu + pgCpu + loadCpu));
                double eventsPerSecond = persisted / (double) SECONDS;
                rows.add(new Row(events.scenario(), events.requests(), events.perSecond(), events.p50(), events.p99(),
                        events.p999(), events.errors(), String.format("%,.0f events/s persisted (%,d committed rows); target >= 10,000/s",
                                eventsPerSecond, persisted)));
                String durability = String.format("PostgreSQL ran with fsync = %s, synchronous_commit = %s.%n",
                        setting(pg, "fsync"), setting(pg, "synchronous_commit"));
                String table = table(rows, agents.size()) + cpuNote + "\n" + durability + (STATEMENTS ? statements(pg, persisted) : "");
                System.out.println(table);
                Files.writeString(Path.of("target", "benchmark.md"), table);
                assertTrue(persisted > 0, "events were persisted");
            } finally {
                loadVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    static String[] portalJvm() {
        List<String> args = new ArrayList<>(List.of("-Xmx1g"));
        for (String a : PORTAL_JVM.trim().split("\\s+")) {
            if (!a.isEmpty()) {
                args.add(a);
            }
        }
        return args.toArray(String[]::new);
    }

    private List<Agent> setUp() throws Exception {
        String opToken = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/me/tokens"))
                .header("Authorization", basic("operator@fleethook.local", "bench-operator-pw"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\"}")).build()).body()).get("token").asText();
        String tenant = "{\"name\":\"Bench\",\"slug\":\"bench\",\"adminEmail\":\"admin@bench.test\",\"adminName\":\"B\","
                + "\"adminPassword\":\"bench-admin-password\"}";
        send(json("/api/v1/operator/tenants", opToken, tenant));
        String admin = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/me/tokens"))
                .header("Authorization", basic("admin@bench.test", "bench-admin-password"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\"}")).build()).body()).get("token").asText();
        String token = JSON.readTree(send(json("/api/v1/enrollment-tokens", admin,
                "{\"label\":\"bench\",\"maxUses\":" + AGENTS + ",\"expiresInMinutes\":60}")).body()).get("token").asText();
        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            JsonNode enrolled = JSON.readTree(send(json("/api/agent/v1/enroll", null, "{\"token\":\"" + token
                    + "\",\"hostname\":\"bench-" + i + "\",\"os\":\"linux\",\"agentVersion\":\"bench\"}")).body());
            String secret = enrolled.get("agentSecret").asText();
            HttpResponse<String> first = send(HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/policy"))
                    .header("Authorization", "Bearer " + secret).GET().build());
            agents.add(new Agent(enrolled.get("serverId").asText(), secret, first.headers().firstValue("ETag").orElseThrow()));
        }
        return agents;
    }

    /** Runs {@code request} from {@link #CONCURRENCY} lanes ({@link #drive}): 5 s warm-up, then {@link #SECONDS} s measured. */
    private Row run(String name, IntFunction<Call> request, int expected) throws Exception {
        return run(name, request, expected, () -> {
        });
    }

    /** As {@link #run(String, IntFunction, int)}, calling {@code afterWarmUp} between the warm-up and the measure. */
    /** Something done between a scenario's warm-up and its measure. */
    interface Step {
        void run() throws Exception;
    }

    private Row run(String name, IntFunction<Call> request, int expected, Step afterWarmUp) throws Exception {
        return run(name, request, expected, 5, afterWarmUp);
    }

    private Row run(String name, IntFunction<Call> request, int expected, int warmUpSeconds, Step afterWarmUp)
            throws Exception {
        drive(request, expected, warmUpSeconds, null);
        afterWarmUp.run();
        List<long[]> latencies = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        long count = drive(request, expected, SECONDS, new Object[] { latencies, errors });
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
        return new Row(name, count, count / (double) SECONDS, pct(all, 50), pct(all, 99), pct(all, 99.9), errors.get(),
                "");
    }

    /**
     * Sends {@code call}s from {@link #CONCURRENCY} lanes for {@code seconds}: each lane sends its next request when
     * the last one's answer is read, over {@link #CONCURRENCY} keep-alive HTTP/1.1 connections of one Vert.x event
     * loop. A lean client on purpose: it shares the 2 cores with the portal and PostgreSQL, and the JDK's
     * {@code HttpClient} took about 1.4 ms of CPU per request (30 ms per 1,000 events), which Vert.x does in a
     * fraction. Returns the number of answers; with a {@code sink}, fills it with each lane's latencies (ns) and
     * counts the answers that were not {@code expected} (or failed).
     */
    @SuppressWarnings("unchecked")
    private long drive(IntFunction<Call> call, int expected, int seconds, Object[] sink) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicInteger sequence = new AtomicInteger();
        AtomicLong total = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<long[]> lanes = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(CONCURRENCY);
        for (int t = 0; t < CONCURRENCY; t++) {
            long[][] samples = { new long[1 << 16] };
            int[] n = { 0 };
            Runnable[] next = new Runnable[1];
            next[0] = () -> {
                if (System.nanoTime() >= deadline) {
                    synchronized (lanes) {
                        lanes.add(Arrays.copyOf(samples[0], n[0]));
                    }
                    done.countDown();
                    return;
                }
                Call c = call.apply(sequence.getAndIncrement());
                long start = System.nanoTime();
                RequestOptions options = new RequestOptions().setMethod(c.body() == null ? HttpMethod.GET : HttpMethod.POST)
                        .setHost(HOST).setPort(port).setURI(c.path())
                        // A request that hangs counts as an error after 30 s instead of stalling its lane.
                        .setIdleTimeout(TimeUnit.SECONDS.toMillis(30));
                if (c.bearer() != null) {
                    options.putHeader("Authorization", "Bearer " + c.bearer());
                }
                if (c.etag() != null) {
                    options.putHeader("If-None-Match", c.etag());
                }
                if (c.body() != null) {
                    options.putHeader("Content-Type", "application/json");
                }
                loadClient.request(options)
                        .compose(r -> c.body() == null ? r.send() : r.send(Buffer.buffer(c.body())))
                        .compose(r -> r.body().map(b -> r.statusCode()))
                        .onComplete(answer -> {
                            if (answer.failed() || answer.result() != expected) {
                                errors.incrementAndGet();
                            }
                            if (n[0] == samples[0].length) {
                                samples[0] = Arrays.copyOf(samples[0], n[0] * 2);
                            }
                            samples[0][n[0]++] = System.nanoTime() - start;
                            total.incrementAndGet();
                            // Through the event loop's queue, not a direct call: answers that fail at once
                            // (connection refused) would otherwise nest one call per request.
                            loadVertx.runOnContext(v -> next[0].run());
                        });
            };
            loadVertx.runOnContext(v -> next[0].run());
        }
        if (!done.await(seconds + 60L, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the load lanes did not finish");
        }
        if (sink != null) {
            ((List<long[]>) sink[0]).addAll(lanes);
            ((AtomicLong) sink[1]).addAndGet(errors.get());
        }
        return total.get();
    }

    /** One request of a scenario: a GET, or a POST of a JSON {@code body}; {@code bearer} and {@code etag} optional. */
    record Call(String path, String bearer, String etag, String body) {
    }

    private static Call get(String path, String secret, String etag) {
        return new Call(path, secret, etag, null);
    }

    private static Call post(String path, String secret, String body) {
        return new Call(path, secret, null, body);
    }

    private HttpRequest json(String path, String bearer, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b.build();
    }

    /** One batch as {@link #fleet} posts it, for the other benchmarks. */
    static String batchForBench() {
        return batch();
    }

    /** One job of a few attempts with scripts, hooks and the backup: {@link #BATCH} events. */
    private static String batch() {
        String job = randomUuid();
        StringBuilder sb = new StringBuilder("{\"events\":[");
        String now = Instant.now().toString();
        sb.append(event(job, null, "\"type\":\"job-started\",\"trigger\":\"scheduled\",\"maxAttempts\":8", now));
        int written = 1;
        for (int a = 1; written < BATCH - 1; a++) {
            String[] types = { "\"type\":\"attempt-started\"",
                "\"type\":\"script-finished\",\"step\":\"pre\",\"result\":{\"status\":0,\"exitCode\":0,\"durationMs\":12,\"timedOut\":false,\"outputTail\":\"dump ok\"}",
                "\"type\":\"hook-finished\",\"phase\":\"before-backup\",\"hookIndex\":0,\"result\":{\"status\":0,\"exitCode\":0,\"durationMs\":3,\"timedOut\":false}",
                "\"type\":\"backup-finished\",\"result\":{\"status\":1,\"exitCode\":3,\"durationMs\":2000,\"timedOut\":false,\"outputTail\":\"disk full\"}",
                "\"type\":\"script-finished\",\"step\":\"post\",\"result\":{\"status\":0,\"exitCode\":0,\"durationMs\":5,\"timedOut\":false}",
                "\"type\":\"attempt-finished\",\"finalAttempt\":false" };
            for (String t : types) {
                if (written == BATCH - 1) {
                    break;
                }
                sb.append(',').append(event(job, a, t, now));
                written++;
            }
        }
        sb.append(',').append(event(job, null, "\"type\":\"job-finished\",\"jobStatus\":\"failed\",\"backupStatus\":1", now));
        return sb.append("]}").toString();
    }

    /**
     * A random (version 4) UUID from {@link ThreadLocalRandom}: as unique for a benchmark as {@link UUID#randomUUID()},
     * without its {@code SecureRandom}, whose cost would count against the machine the portal is measured on.
     */
    static String randomUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
                .toString();
    }

    private static String event(String job, Integer attempt, String fields, String time) {
        return "{\"eventId\":\"" + randomUuid() + "\",\"jobId\":\"" + job + "\"," + (attempt == null ? ""
                : "\"attempt\":" + attempt + ",") + "\"time\":\"" + time + "\"," + fields + "}";
    }

    private HttpResponse<String> send(HttpRequest r) throws Exception {
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(r.uri() + " -> " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    /** utime + stime of the processes, in seconds (Linux /proc; clock ticks of 100 Hz). */
    static double cpuSeconds(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                // the process ended: its time is not counted
            }
        }
        return ticks / 100.0;
    }

    /** The postmaster listening on {@code port} and its children (the backends). */
    static List<Long> postgresPids(int port) throws IOException {
        List<Long> pids = new ArrayList<>();
        long master = -1;
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = Files.readString(d.resolve("cmdline")).replace('\0', ' ');
                    if (cmd.contains("postgres") && cmd.contains("-p " + port + " ")) {
                        master = Long.parseLong(name);
                    }
                } catch (IOException e) {
                    // gone
                }
            }
        }
        if (master < 0) {
            return pids;
        }
        pids.add(master);
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(d.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[1]) == master) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException | RuntimeException e) {
                    // gone
                }
            }
        }
        return pids;
    }

    private static void execute(EmbeddedPostgres pg, String sql) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The 15 statements PostgreSQL spent most time on (planning + executing), in ms per 1,000 events persisted. */
    private static String statements(EmbeddedPostgres pg, long persisted) throws Exception {
        StringBuilder sb = new StringBuilder(String.format("%nPostgreSQL time by statement after the warm-up (pg_stat_statements, "
                + "nested included, so a statement's triggers and checks also count in it):%n%n"
                + "| ms per 1,000 events (plan + exec) | plan | calls per 1,000 events | rows per call | statement |%n|---:|---:|---:|---:|---|%n"));
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("""
                        SELECT total_plan_time + total_exec_time, total_plan_time, calls, rows,
                               regexp_replace(left(query, 160), '\\s+', ' ', 'g')
                          FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
                         ORDER BY 1 DESC LIMIT 15""")) {
            while (r.next()) {
                sb.append(String.format("| %.1f | %.1f | %.1f | %.1f | `%s` |%n", r.getDouble(1) * 1000 / persisted,
                        r.getDouble(2) * 1000 / persisted, r.getLong(3) * 1000.0 / persisted,
                        r.getLong(4) / (double) Math.max(1, r.getLong(3)), r.getString(5).replace("|", "\\|")));
            }
        }
        return sb.toString();
    }

    private static String setting(EmbeddedPostgres pg, String name) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT current_setting('" + name + "')")) {
            r.next();
            return r.getString(1);
        }
    }

    private static long count(EmbeddedPostgres pg, String sql) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1_000_000.0;
    }

    private static String table(List<Row> rows, int agents) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%nFleet benchmark: %d agents, %d concurrent connections, %d s per scenario, %d cores, Java %s%n%n",
                agents, CONCURRENCY, SECONDS, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        sb.append("| scenario | requests | req/s | p50 ms | p99 ms | p99.9 ms | errors | note |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            sb.append(String.format("| %s | %,d | %,.0f | %.2f | %.2f | %.2f | %d | %s |%n", r.scenario(), r.requests(),
                    r.perSecond(), r.p50(), r.p99(), r.p999(), r.errors(), r.note()));
        }
        if (rows.size() > 1) {
            double baseline = rows.get(0).perSecond();
            sb.append(String.format("%n304 polls reach %.2f x the baseline's requests/s (target: at least 0.4 x, p99 <= 10 ms).%n",
                    rows.get(1).perSecond() / baseline));
        }
        sb.append(String.format("Events persisted durably: target at least 10,000 events/s (issue 17; 2,600/s before it).%n"));
        return sb.toString();
    }
}
