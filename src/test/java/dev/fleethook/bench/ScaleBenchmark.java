package dev.fleethook.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.support.PackagedPortal;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The portal at fleet scale (issue 17, part 3): one tenant seeded in SQL ({@code generate_series}) with
 * {@code bench.scale.servers} servers (10,000) and {@code bench.scale.jobs} jobs (1,000,000: one a day per
 * server, so 100 days of history), each with its attempt; the jobs past the 90-day retention also carry
 * their events (10 each, about 1,000,000 rows), open and resolved alerts. The packaged portal (production
 * profile) is then asked for each page as a signed-in browser asks for it (session cookie, one request at
 * a time, {@code bench.scale.requests} timed requests after {@code bench.scale.warmup} unmeasured, 3), and the table prints p50, p95
 * and max beside the target (p95 at most 100 ms). Then a second portal replica with retention switched on
 * deletes everything past 90 days in its batches while 8 connections keep posting event batches to it:
 * the table prints how long the purge took and what ingestion did before and during it.
 * Writes {@code target/benchmark-scale.md} and the plans of the list queries
 * ({@code target/benchmark-scale-explain.txt}). Run with {@code ./mvnw -Pbenchmark verify}
 * ({@code -Dit.test=ScaleBenchmark} for this one alone).
 */
class ScaleBenchmark {

    static final int SERVERS = Integer.getInteger("bench.scale.servers", 10_000);
    static final int JOBS = Integer.getInteger("bench.scale.jobs", 1_000_000);
    static final int REQUESTS = Integer.getInteger("bench.scale.requests", 30);
    /** Unmeasured requests before each page's timed ones. */
    static final int WARMUP = Integer.getInteger("bench.scale.warmup", 3);
    /** A data directory to keep the seeded database in and reuse on the next run (none: a fresh one each run). */
    static final String DATA_DIR = System.getProperty("bench.scale.data-dir", "");
    /** Only the pages whose name matches this regular expression are measured. */
    static final Pattern PAGES = Pattern.compile(System.getProperty("bench.scale.pages", ".*"));
    /** False skips the retention measure (which deletes the expired jobs, so a kept database stays as seeded). */
    static final boolean RETENTION = Boolean.parseBoolean(System.getProperty("bench.scale.retention", "true"));
    static final int EVENTS_PER_EXPIRED_JOB = 10;
    static final double TARGET_MS = 100;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern CSRF = Pattern.compile("name=\"csrf-token\"\\s+value=\"([^\"]+)\"");

    record Row(String page, String url, int status, double p50, double p95, double max, int bytes) {
    }

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void fleetScale() throws Exception {
        EmbeddedPostgres.Builder builder = BenchPostgres.durable().setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_connections", "100");
        if (!DATA_DIR.isEmpty()) {
            builder.setDataDirectory(Path.of(DATA_DIR)).setCleanDataDirectory(false);
        }
        try (EmbeddedPostgres pg = builder.start()) {
            StringBuilder report = new StringBuilder();
            String tenant;
            Seed seed;
            List<Row> rows = new ArrayList<>();
            try (PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_PASSWORD", "bench-operator-pw",
                    "QUARKUS_LOG_LEVEL", "WARN", "FLEETHOOK_RETENTION_EVERY", "off"), "-Xmx1g")) {
                tenant = seededTenant(pg);
                if (tenant == null) {
                    tenant = createTenant(portal.baseUrl);
                    long t0 = System.nanoTime();
                    seed = seed(pg, tenant);
                    report.append(String.format("Seeded %,d servers, %,d jobs, %,d attempts, %,d events, %,d alerts in %.0f s"
                            + " (%,d rows of the dashboard trend's buckets, rebuilt as V14 does).%n%n",
                            seed.servers, seed.jobs, seed.attempts, seed.events, seed.alerts, (System.nanoTime() - t0) / 1e9,
                            seed.trendRows));
                } else {
                    seed = counts(pg, tenant);
                    report.append(String.format("Reused the database in %s: %,d servers, %,d jobs, %,d attempts, %,d events,"
                            + " %,d alerts (%,d rows of the dashboard trend's buckets).%n%n", DATA_DIR, seed.servers, seed.jobs,
                            seed.attempts, seed.events, seed.alerts, seed.trendRows));
                }
                String cookie = signIn(portal.baseUrl, "admin@scale.test", "scale-admin-password");
                for (Map.Entry<String, String> page : pages(pg, tenant, seed).entrySet()) {
                    if (!PAGES.matcher(page.getKey()).find()) {
                        continue;
                    }
                    rows.add(measure(portal.baseUrl, cookie, page.getKey(), page.getValue()));
                }
                Files.writeString(Path.of("target", "benchmark-scale-explain.txt"), explain(pg, tenant));
            }
            report.append(pageTable(rows));
            if (RETENTION) {
                report.append(retention(pg, tenant));
            }
            String out = String.format("%nFleet-scale benchmark: %d cores, Java %s, %s%n%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), Instant.now()) + report;
            System.out.println(out);
            Files.writeString(Path.of("target", "benchmark-scale.md"), out);
            assertTrue(rows.stream().allMatch(r -> r.status() / 100 == 2), "every page answered: " + rows);
        }
    }

    record Seed(long servers, long jobs, long attempts, long events, long alerts, String policyId, long trendRows) {
    }

    /** The seed, all in SQL: what months of a 10,000-server fleet leave behind. */
    private Seed seed(EmbeddedPostgres pg, String tenant) throws Exception {
        int days = Math.max(1, JOBS / SERVERS);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            String policy = one(s, "SELECT id::text FROM policy WHERE tenant_id = '" + tenant + "' LIMIT 1");
            s.execute("""
                    INSERT INTO server (id, tenant_id, hostname, os, agent_version, labels, policy_id, secret_hash, status,
                                        enrolled_at, last_seen_at)
                    SELECT md5('server' || i)::uuid, '%1$s', 'srv-' || lpad(i::text, 5, '0'),
                           CASE WHEN i %% 10 = 0 THEN 'windows' ELSE 'linux' END, '1.0.0',
                           ARRAY['env:' || (ARRAY['prod', 'staging', 'dev'])[i %% 3 + 1], 'rack-' || (i %% 40)]::varchar(64)[],
                           %2$s, md5('secret' || i) || md5('hash' || i),
                           CASE WHEN i %% 100 = 0 THEN 'DISABLED' WHEN i %% 250 = 1 THEN 'REVOKED' ELSE 'ENABLED' END,
                           now() - interval '200 days' + i * interval '1 second',
                           CASE i %% 20 WHEN 0 THEN NULL WHEN 1 THEN now() - interval '2 days'
                                ELSE now() + interval '1 hour' END
                      FROM generate_series(1, %3$d) AS i""".formatted(tenant,
                    policy == null ? "NULL" : "CASE WHEN i % 2 = 0 THEN '" + policy + "'::uuid END", SERVERS));
            // Job k runs on server k % S + 1 on day k / S (0 = today); statuses as a real fleet reports them.
            // The dashboard trend's row trigger (V14) would append a million delta rows one call at a time:
            // it is off for this bulk insert, and the buckets are rebuilt below as V14 builds them.
            s.execute("ALTER TABLE job DISABLE TRIGGER job_trend_insert");
            s.execute("""
                    INSERT INTO job (id, tenant_id, server_id, policy_id, policy_revision, trigger, status, backup_status,
                                     attempts, max_attempts, started_at, finished_at, updated_at)
                    SELECT md5('job' || k)::uuid, '%1$s', md5('server' || (k %% %2$d + 1))::uuid, %3$s, 1, 'scheduled',
                           st, CASE st WHEN 'SUCCEEDED' THEN 0 WHEN 'WARNING' THEN 0 WHEN 'FAILED' THEN 1
                                       WHEN 'CANCELED' THEN 2 END,
                           CASE st WHEN 'FAILED' THEN 3 ELSE 1 END, 3, started,
                           CASE WHEN st = 'RUNNING' THEN NULL ELSE started + interval '10 minutes' END,
                           CASE WHEN st = 'RUNNING' THEN started ELSE started + interval '10 minutes' END
                      FROM (SELECT k, now() - (k / %2$d) * interval '1 day' - ((k %% 1440) * interval '1 minute')
                                   - interval '10 minutes' AS started,
                                   CASE WHEN k / %2$d = 0 AND k %% 97 = 0 THEN 'RUNNING'
                                        WHEN (k::bigint * 7919) %% 100 < 3 THEN 'FAILED'
                                        WHEN (k::bigint * 7919) %% 100 < 5 THEN 'WARNING'
                                        WHEN (k::bigint * 7919) %% 100 = 5 THEN 'CANCELED'
                                        ELSE 'SUCCEEDED' END AS st
                              FROM generate_series(0, %4$d - 1) AS k) g""".formatted(tenant, SERVERS,
                    policy == null ? "NULL" : "CASE WHEN (k % " + SERVERS + " + 1) % 2 = 0 THEN '" + policy + "'::uuid END",
                    days * SERVERS));
            s.execute("ALTER TABLE job ENABLE TRIGGER job_trend_insert");
            s.execute("""
                    INSERT INTO job_trend_bucket (tenant_id, bucket, status, duration_s, jobs)
                    SELECT tenant_id, job_trend_bin(started_at), status, job_trend_duration(status, started_at, finished_at),
                           count(*)
                      FROM job WHERE started_at IS NOT NULL GROUP BY 1, 2, 3, 4""");
            s.execute("""
                    INSERT INTO job_attempt (tenant_id, job_id, number, started_at, finished_at, pre, backup, post, final)
                    SELECT tenant_id, id, attempts, started_at, finished_at,
                           '{"status":0,"exitCode":0,"durationMs":1200,"timedOut":false,"outputTail":"pg_dump ok"}',
                           CASE WHEN status = 'FAILED' THEN '{"status":1,"exitCode":3,"durationMs":60000,"timedOut":false,"outputTail":"disk full"}'::jsonb
                                ELSE '{"status":0,"exitCode":0,"durationMs":540000,"timedOut":false,"outputTail":"done"}'::jsonb END,
                           '{"status":0,"exitCode":0,"durationMs":300,"timedOut":false}', true
                      FROM job WHERE tenant_id = '%s'""".formatted(tenant));
            // The events of the jobs retention will delete: about 5 attempts' worth (10 events) each.
            s.execute("""
                    INSERT INTO job_event (event_id, tenant_id, server_id, job_id, attempt, type, occurred_at, received_at)
                    SELECT md5('event' || j.id || n)::uuid, j.tenant_id, j.server_id, j.id, (n + 1) / 2,
                           CASE WHEN n %% 2 = 1 THEN 'attempt-started' ELSE 'attempt-finished' END,
                           j.started_at + n * interval '1 minute', j.started_at + n * interval '1 minute'
                      FROM job j CROSS JOIN generate_series(1, %d) AS n
                     WHERE j.tenant_id = '%s' AND j.finished_at < now() - interval '90 days'""".formatted(
                    EVENTS_PER_EXPIRED_JOB, tenant));
            // One open alert on every 20th server, and ten resolved ones each.
            s.execute("""
                    INSERT INTO alert (id, tenant_id, server_id, job_id, kind, dedupe_key, state, title, created_at,
                                       resolved_at, occurrences, last_occurred_at, last_job_id)
                    SELECT md5('alert' || i || '-' || r)::uuid, '%1$s', md5('server' || i)::uuid, NULL,
                           CASE WHEN r = 0 THEN 'job-failed' ELSE 'pre-script-failed' END, 'bench:' || i || ':' || r,
                           CASE WHEN r = 0 THEN 'OPEN' ELSE 'RESOLVED' END, 'Backup Failed on srv-' || lpad(i::text, 5, '0'),
                           now() - r * interval '3 days', CASE WHEN r = 0 THEN NULL ELSE now() - r * interval '3 days' + interval '1 day' END,
                           1 + r, now() - r * interval '3 days', NULL
                      FROM generate_series(1, %2$d, 20) AS i CROSS JOIN generate_series(0, 10) AS r""".formatted(tenant, SERVERS));
            s.execute("VACUUM ANALYZE server");
            s.execute("VACUUM ANALYZE job");
            s.execute("VACUUM ANALYZE job_trend_bucket");
            s.execute("VACUUM ANALYZE job_trend_delta");
            s.execute("VACUUM ANALYZE job_attempt");
            s.execute("VACUUM ANALYZE job_event");
            s.execute("VACUUM ANALYZE alert");
        }
        return counts(pg, tenant);
    }

    /** The tenant of an earlier run's seed kept in {@link #DATA_DIR}, or null. */
    private static String seededTenant(EmbeddedPostgres pg) throws Exception {
        if (DATA_DIR.isEmpty()) {
            return null;
        }
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            if (one(s, "SELECT to_regclass('tenant')::text") == null) {
                return null;
            }
            String tenant = one(s, "SELECT id FROM tenant WHERE slug = 'scale'");
            return tenant != null && count(s, "SELECT count(*) FROM job WHERE tenant_id = '" + tenant + "'") > 0 ? tenant : null;
        }
    }

    private static Seed counts(EmbeddedPostgres pg, String tenant) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            String policy = one(s, "SELECT id::text FROM policy WHERE tenant_id = '" + tenant + "' LIMIT 1");
            return new Seed(count(s, "SELECT count(*) FROM server"), count(s, "SELECT count(*) FROM job"),
                    count(s, "SELECT count(*) FROM job_attempt"), count(s, "SELECT count(*) FROM job_event"),
                    count(s, "SELECT count(*) FROM alert"), policy, count(s, "SELECT count(*) FROM job_trend_bucket"));
        }
    }

    /** The pages, as a browser asks for them; the last pages with the link the list itself would give. */
    private Map<String, String> pages(EmbeddedPostgres pg, String tenant, Seed seed) throws Exception {
        Map<String, String> pages = new LinkedHashMap<>();
        String server;
        String failedJob;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            server = one(s, "SELECT md5('server' || 42)::uuid::text");
            failedJob = one(s, "SELECT id::text FROM job WHERE server_id = md5('server' || 42)::uuid AND status = 'FAILED' "
                    + "ORDER BY started_at DESC LIMIT 1");
            if (failedJob == null) {
                failedJob = one(s, "SELECT id::text FROM job WHERE server_id = md5('server' || 42)::uuid LIMIT 1");
            }
        }
        // The floor: what any request costs on this machine right now (no session, no database).
        pages.put("(floor) GET /api/agent/v1/ping", "/api/agent/v1/ping");
        pages.put("dashboard", "/");
        pages.put("dashboard, live refresh (htmx)", "/#htmx");
        pages.put("servers", "/servers");
        for (String presence : List.of("online", "offline", "never-seen", "disabled", "revoked")) {
            pages.put("servers, status " + presence, "/servers?status=" + presence);
        }
        pages.put("servers, search", "/servers?q=srv-04");
        pages.put("servers, label", "/servers?label=" + URLEncoder.encode("env:prod", StandardCharsets.UTF_8));
        if (seed.policyId() != null) {
            pages.put("servers, policy", "/servers?policy=" + seed.policyId());
        }
        pages.put("servers, last page", "/servers?page=" + ((seed.servers() - 1) / 25));
        pages.put("jobs", "/jobs");
        for (String status : List.of("running", "succeeded", "warning", "failed", "canceled", "skipped", "abandoned")) {
            pages.put("jobs, status " + status, "/jobs?status=" + status);
        }
        pages.put("jobs, one server", "/jobs?server=" + server);
        pages.put("jobs, last page", lastJobsPage(pg, tenant));
        pages.put("server page", "/servers/" + server);
        pages.put("job page (failed, 3 attempts)", "/jobs/" + failedJob);
        pages.put("alerts", "/alerts");
        return pages;
    }

    /** The oldest 50 jobs: reached by the list's own "Older" link (a keyset cursor) from the page before. */
    private static String lastJobsPage(EmbeddedPostgres pg, String tenant) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            // The cursor of the 51st-oldest job: the "Older" link of the page before the last one.
            String cursor = one(s, """
                    SELECT CASE WHEN started_at IS NULL THEN '-infinity'
                                ELSE to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END || '_' || id
                      FROM job WHERE tenant_id = '%s'
                     ORDER BY coalesce(started_at, '-infinity') ASC, id ASC OFFSET 50 LIMIT 1""".formatted(tenant));
            return "/jobs?before=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
        }
    }

    private Row measure(String base, String cookie, String name, String url) throws Exception {
        boolean htmx = url.endsWith("#htmx");
        String path = htmx ? url.substring(0, url.length() - 5) : url;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", cookie).GET();
        if (!path.startsWith("/api/")) {
            b.header("Accept", "text/html");
        }
        if (htmx) {
            b.header("HX-Request", "true");
        }
        HttpRequest request = b.build();
        int status = 0;
        int bytes = 0;
        for (int i = 0; i < WARMUP; i++) {
            http.send(request, HttpResponse.BodyHandlers.discarding());
        }
        long[] took = new long[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            took[i] = System.nanoTime() - start;
            status = r.statusCode();
            bytes = r.body().length;
        }
        Arrays.sort(took);
        return new Row(name, url, status, pct(took, 50), pct(took, 95), took[took.length - 1] / 1e6, bytes);
    }

    /**
     * Retention on a second replica while 8 connections post event batches to it: how long deleting
     * everything past 90 days takes, and what ingestion did before and during the purge.
     */
    private String retention(EmbeddedPostgres pg, String tenant) throws Exception {
        long jobsBefore;
        long eventsBefore;
        long expired;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            jobsBefore = count(s, "SELECT count(*) FROM job");
            eventsBefore = count(s, "SELECT count(*) FROM job_event");
            expired = count(s, "SELECT count(*) FROM job WHERE coalesce(finished_at, updated_at) < now() - interval '90 days'");
        }
        try (PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_PASSWORD", "bench-operator-pw",
                "QUARKUS_LOG_LEVEL", "WARN", "FLEETHOOK_RETENTION_EVERY", "1h", "FLEETHOOK_RETENTION_DELAY", "20s"), "-Xmx1g")) {
            String base = portal.baseUrl;
            List<String> secrets = enroll(base, 40);
            AtomicBoolean stop = new AtomicBoolean();
            List<long[]> samples = new ArrayList<>();
            AtomicLong errors = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            long startedAt = System.nanoTime();
            List<Future<List<long[]>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<long[]> mine = new ArrayList<>();
                    int i = thread;
                    while (!stop.get()) {
                        String secret = secrets.get(i++ % secrets.size());
                        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/events"))
                                .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(FleetBenchmark.batchForBench())).build();
                        long start = System.nanoTime();
                        int code;
                        try {
                            code = http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
                        } catch (java.io.IOException e) {
                            code = -1;
                        }
                        long end = System.nanoTime();
                        if (code != 200) {
                            errors.incrementAndGet();
                        }
                        mine.add(new long[] { start - startedAt, end - start });
                    }
                    return mine;
                }));
            }
            // Retention starts 20 s after the replica (its first run); wait until nothing expired is left.
            long purgeStart = -1;
            long purgeEnd = -1;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                long last = expired;
                while (System.nanoTime() < deadline) {
                    Thread.sleep(250);
                    long left = count(s, "SELECT count(*) FROM job WHERE coalesce(finished_at, updated_at) < now() - interval '90 days'");
                    if (purgeStart < 0 && left < last) {
                        purgeStart = System.nanoTime() - startedAt;
                    }
                    last = left;
                    if (left == 0) {
                        purgeEnd = System.nanoTime() - startedAt;
                        break;
                    }
                }
                Thread.sleep(5_000);
                stop.set(true);
                for (Future<List<long[]>> f : futures) {
                    samples.addAll(f.get());
                }
                pool.shutdown();
                long eventsAfter = count(s, "SELECT count(*) FROM job_event");
                long jobsAfter = count(s, "SELECT count(*) FROM job");
                long ps = purgeStart;
                long pe = purgeEnd < 0 ? System.nanoTime() - startedAt : purgeEnd;
                long[] before = samples.stream().filter(x -> x[0] > 5_000_000_000L && x[0] < ps).mapToLong(x -> x[1]).sorted().toArray();
                long[] during = samples.stream().filter(x -> x[0] >= ps && x[0] < pe).mapToLong(x -> x[1]).sorted().toArray();
                double beforeSeconds = Math.max(1e-9, (ps - 5_000_000_000L) / 1e9);
                double purgeSeconds = (pe - ps) / 1e9;
                long ingested = samples.size() * (long) FleetBenchmark.BATCH;
                long deletedEvents = eventsBefore + ingested - eventsAfter;
                StringBuilder sb = new StringBuilder(String.format(
                        "%nRetention (90 days) on a second replica while 8 connections post batches of %d events to it:%n%n",
                        FleetBenchmark.BATCH));
                sb.append("| measure | value | target |\n|---|---:|---|\n");
                sb.append(String.format("| expired jobs deleted | %,d of %,d | all |%n", jobsBefore + samples.size() - jobsAfter, expired));
                sb.append(String.format("| rows deleted (jobs, attempts, events) | about %,d | about 1,000,000 |%n",
                        2 * (jobsBefore + samples.size() - jobsAfter) + deletedEvents));
                sb.append(String.format("| purge took | %.1f s | |%n", purgeSeconds));
                sb.append(String.format("| event batches, before the purge: per s, p50 / p99 / max ms | %.1f/s, %.0f / %.0f / %.0f | |%n",
                        before.length / beforeSeconds, pct(before, 50), pct(before, 99), before.length == 0 ? 0 : before[before.length - 1] / 1e6));
                sb.append(String.format("| event batches, during the purge: per s, p50 / p99 / max ms | %.1f/s, %.0f / %.0f / %.0f | not blocked: no batch waits for the purge |%n",
                        during.length / Math.max(1e-9, purgeSeconds), pct(during, 50), pct(during, 99),
                        during.length == 0 ? 0 : during[during.length - 1] / 1e6));
                sb.append(String.format("| event batches failed | %d | 0 |%n", errors.get()));
                assertEquals(0, errors.get(), "no event batch failed during retention");
                assertTrue(purgeEnd > 0, "retention deleted every expired job");
                return sb.toString();
            }
        }
    }

    private String createTenant(String base) throws Exception {
        String opToken = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/me/tokens"))
                .header("Authorization", basic("operator@fleethook.local", "bench-operator-pw"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\"}")).build()).body()).get("token").asText();
        String body = "{\"name\":\"Scale\",\"slug\":\"scale\",\"adminEmail\":\"admin@scale.test\",\"adminName\":\"S\","
                + "\"adminPassword\":\"scale-admin-password\"}";
        return JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/operator/tenants"))
                .header("Authorization", "Bearer " + opToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()).body()).get("id").asText();
    }

    private List<String> enroll(String base, int n) throws Exception {
        String admin = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/me/tokens"))
                .header("Authorization", basic("admin@scale.test", "scale-admin-password"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench-enroll\"}")).build()).body()).get("token").asText();
        String token = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/enrollment-tokens"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"label\":\"bench\",\"maxUses\":" + n + ",\"expiresInMinutes\":60}"))
                .build()).body()).get("token").asText();
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            secrets.add(JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/enroll"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"token\":\""
                            + token + "\",\"hostname\":\"ingest-" + i + "\",\"os\":\"linux\",\"agentVersion\":\"bench\"}"))
                    .build()).body()).get("agentSecret").asText());
        }
        return secrets;
    }

    /** Signs in through the form, as a browser does (CSRF cookie and field); returns the Cookie header to send. */
    private String signIn(String base, String email, String password) throws Exception {
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base + "/sign-in")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, String> cookies = new LinkedHashMap<>();
        collect(form, cookies);
        Matcher m = CSRF.matcher(form.body());
        assertTrue(m.find(), "the sign-in form carries a CSRF token");
        String body = "email=" + URLEncoder.encode(email, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&csrf-token=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8);
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(base + "/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", header(cookies))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, signedIn.statusCode(), "signed in: " + signedIn.body());
        collect(signedIn, cookies);
        return header(cookies);
    }

    private static void collect(HttpResponse<?> r, Map<String, String> cookies) {
        for (String set : r.headers().allValues("Set-Cookie")) {
            String pair = set.split(";", 2)[0];
            int eq = pair.indexOf('=');
            cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
    }

    private static String header(Map<String, String> cookies) {
        StringBuilder sb = new StringBuilder();
        cookies.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "; ").append(k).append('=').append(v));
        return sb.toString();
    }

    /**
     * EXPLAIN ANALYZE of the job list's worst query as it was (offset paging) and as it is (keyset), and the counts;
     * and of the dashboard's queries (the 24-hour counts before and after, the failing servers, the trend).
     */
    private static String explain(EmbeddedPostgres pg, String tenant) throws Exception {
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("before: last page of /jobs (offset paging, sort not matching any index)", """
                SELECT * FROM job WHERE tenant_id = '%s'
                 ORDER BY started_at DESC NULLS LAST, updated_at DESC OFFSET %d LIMIT 50""".formatted(tenant, Math.max(0, JOBS - 50)));
        queries.put("before: the exact count above /jobs", "SELECT count(*) FROM job WHERE tenant_id = '%s'".formatted(tenant));
        queries.put("after: last page of /jobs (keyset from the page before)", """
                SELECT * FROM job WHERE tenant_id = '%s'
                   AND (coalesce(started_at, '-infinity'::timestamptz), id) < (now() - interval '99 days 23 hours', '00000000-0000-0000-0000-000000000000'::uuid)
                 ORDER BY coalesce(started_at, '-infinity'::timestamptz) DESC, id DESC LIMIT 51""".formatted(tenant));
        queries.put("after: the bounded count above /jobs", """
                SELECT count(*) FROM (SELECT 1 FROM job WHERE tenant_id = '%s' LIMIT 10001) AS n""".formatted(tenant));
        queries.put("after: first page of /jobs?status=failed", """
                SELECT * FROM job WHERE tenant_id = '%s' AND status = 'FAILED'
                 ORDER BY coalesce(started_at, '-infinity'::timestamptz) DESC, id DESC LIMIT 51""".formatted(tenant));
        queries.put("dashboard, before: jobs of the last 24 h by status, from the job table", """
                SELECT status, count(*) FROM job WHERE tenant_id = '%s' AND started_at >= now() - interval '24 hours'
                 GROUP BY status""".formatted(tenant));
        queries.put("dashboard, after: the same from the trend's 15-minute buckets and the partial bucket's jobs", """
                SELECT status, sum(jobs) FROM (
                    SELECT status, jobs FROM job_trend_bucket WHERE tenant_id = '%1$s'
                       AND bucket >= job_trend_bin(now() - interval '24 hours') + interval '15 minutes'
                    UNION ALL
                    SELECT status, jobs FROM job_trend_delta WHERE tenant_id = '%1$s'
                       AND bucket >= job_trend_bin(now() - interval '24 hours') + interval '15 minutes'
                    UNION ALL
                    SELECT status, 1 FROM job WHERE tenant_id = '%1$s' AND started_at >= now() - interval '24 hours'
                       AND started_at < job_trend_bin(now() - interval '24 hours') + interval '15 minutes'
                ) n GROUP BY status""".formatted(tenant));
        queries.put("dashboard, after: failing most (7 days), index-only along job_failed_idx (V16)", """
                SELECT server_id, count(*) FROM job
                 WHERE tenant_id = '%s' AND status = 'FAILED' AND started_at >= now() - interval '7 days'
                 GROUP BY server_id ORDER BY count(*) DESC, server_id LIMIT 5""".formatted(tenant));
        queries.put("dashboard, after: the 30-day trend from the buckets (days by width_bucket)", """
                SELECT grouping(day, status), day, status, duration_s, sum(jobs)
                  FROM (SELECT width_bucket(bucket, (SELECT array_agg(d) FROM generate_series(date_trunc('day', now())
                               - interval '29 days', date_trunc('day', now()) + interval '1 day', interval '1 day') AS d)) AS day,
                               status, duration_s, jobs
                          FROM (SELECT bucket, status, duration_s, jobs FROM job_trend_bucket
                                 WHERE tenant_id = '%1$s' AND bucket >= date_trunc('day', now()) - interval '29 days'
                                UNION ALL
                                SELECT bucket, status, duration_s, jobs FROM job_trend_delta
                                 WHERE tenant_id = '%1$s' AND bucket >= date_trunc('day', now()) - interval '29 days') b) d
                 GROUP BY GROUPING SETS ((day, status), (duration_s)) ORDER BY duration_s""".formatted(tenant));
        StringBuilder sb = new StringBuilder();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            for (Map.Entry<String, String> q : queries.entrySet()) {
                sb.append("-- ").append(q.getKey()).append('\n').append(q.getValue().strip()).append('\n');
                try (ResultSet r = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + q.getValue())) {
                    while (r.next()) {
                        sb.append(r.getString(1)).append('\n');
                    }
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String pageTable(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format(
                "Pages as a signed-in browser asks for them: %d requests each, one at a time, after %d unmeasured.%n%n", REQUESTS,
                WARMUP));
        sb.append("| page | request | status | p50 ms | p95 ms | max ms | KiB | target p95 |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            String url = r.url().length() > 60 ? r.url().substring(0, 57) + "..." : r.url();
            sb.append(String.format("| %s | `%s` | %d | %.1f | %.1f | %.1f | %d | <= 100 ms: %s |%n", r.page(), url, r.status(),
                    r.p50(), r.p95(), r.max(), r.bytes() / 1024, r.p95() <= TARGET_MS ? "met" : "NOT met"));
        }
        return sb.toString();
    }

    private HttpResponse<String> send(HttpRequest r) throws Exception {
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(r.uri() + " -> " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    private static String one(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        }
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
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
}
