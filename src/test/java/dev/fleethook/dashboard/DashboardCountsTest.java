package dev.fleethook.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.fleethook.dashboard.DashboardService.Dashboard;
import dev.fleethook.job.service.JobService;
import dev.fleethook.job.service.RetentionService;
import dev.fleethook.job.service.TrendCompaction;
import dev.fleethook.job.service.TrendService;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Database;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The dashboard's "jobs of the last 24 hours" (whole 15-minute buckets from the trend's pre-aggregated counts,
 * V14, plus the jobs of the partial bucket at the window's start from the job table) and "failing most
 * (7 days)" (the failed jobs' partial index, V16) must show exactly what counting the jobs themselves shows:
 * at any window start, for jobs that change status late, after retention deletes jobs, before and after
 * the buckets are compacted, and for the current tenant only.
 */
@QuarkusTest
class DashboardCountsTest {

    static final Pattern FAILING = Pattern.compile("<li><a href=\"/servers/([0-9a-f-]+)\">[^<]*</a> — (\\d+) failed</li>");

    @Inject
    DataSource dataSource;

    @Inject
    JobService jobs;

    @Inject
    DashboardService dashboards;

    @Inject
    TrendCompaction compaction;

    @Inject
    RetentionService retention;

    @Inject
    CurrentTenant currentTenant;

    @Test
    void countsAreExactAtEveryWindowStartAroundTheBucketBoundaries() throws Exception {
        TenantFixture t = Fixtures.newTenant("Counts Edges");
        Agent agent = Agents.enrolled(t, "counts-edge-01");
        // A window start 7 min 30.000123 s into a 15-minute bucket two days ago, and jobs on both sides of it
        // and of the next bucket boundary, to the microsecond; a job not started; one starting in the future.
        Instant bucket = Instant.ofEpochSecond(Math.floorDiv(Instant.now().minus(Duration.ofDays(2)).getEpochSecond(), 900) * 900);
        Instant since = bucket.plus(Duration.ofSeconds(450, 123_000));
        Instant boundary = bucket.plus(Duration.ofMinutes(15));
        assertEquals(boundary, TrendService.nextBucketStart(since));
        assertEquals(bucket, TrendService.nextBucketStart(bucket), "a bucket start is its own boundary");
        List<Object[]> starts = List.of(
                new Object[] { since.minus(1, ChronoUnit.MICROS), "SUCCEEDED" },
                new Object[] { since, "FAILED" },
                new Object[] { since.plusSeconds(60), "SUCCEEDED" },
                new Object[] { boundary.minus(1, ChronoUnit.MICROS), "WARNING" },
                new Object[] { boundary, "CANCELED" },
                new Object[] { boundary.plusSeconds(1), "RUNNING" },
                new Object[] { Instant.now().minus(Duration.ofHours(3)), "FAILED" },
                new Object[] { Instant.now().plus(Duration.ofMinutes(40)), "SKIPPED" },
                new Object[] { null, "ABANDONED" });
        for (Object[] s : starts) {
            insertJob(t.id(), agent.serverId(), (String) s[1], (Instant) s[0]);
        }
        for (Instant from : List.of(since, since.minus(1, ChronoUnit.MICROS), since.plus(1, ChronoUnit.MICROS), bucket,
                boundary, boundary.minus(1, ChronoUnit.MICROS), boundary.plus(1, ChronoUnit.MICROS), since.minus(Duration.ofDays(1)))) {
            Map<String, Long> expected = direct(t.id(), from);
            assertEquals(expected, counts(t, from), "jobs started since " + from);
        }
        assertEquals(Map.of("succeeded", 1L, "failed", 2L, "warning", 1L, "canceled", 1L, "running", 1L, "skipped", 1L),
                nonZero(counts(t, since)), "the window from " + since + " keeps the job at its start and drops the one before");
        compaction.compact();
        assertEquals(direct(t.id(), since), counts(t, since), "the same after compaction");
        assertEquals(direct(t.id(), boundary.plus(1, ChronoUnit.MICROS)), counts(t, boundary.plus(1, ChronoUnit.MICROS)));
    }

    @Test
    void aJobThatFailsLateMovesInBothCountsAndTheFailingServers() throws Exception {
        TenantFixture t = Fixtures.newTenant("Counts Late");
        Agent a = Agents.enrolled(t, "counts-late-a");
        Agent b = Agents.enrolled(t, "counts-late-b");
        Instant start = Instant.now().minus(Duration.ofHours(20)).truncatedTo(ChronoUnit.SECONDS);
        UUID late = insertJob(t.id(), a.serverId(), "RUNNING", start);
        insertJob(t.id(), b.serverId(), "FAILED", start.plusSeconds(30));
        insertJob(t.id(), b.serverId(), "FAILED", Instant.now().minus(Duration.ofDays(8))); // before the 7 days
        Shown before = shown(t);
        assertEquals(1, before.jobs24h().get("running"));
        assertEquals(1, before.jobs24h().get("failed"));
        assertEquals(Map.of(b.serverId(), 1L), before.failing(), "b failed once in 7 days; the 8-day-old failure is out");
        compaction.compact();

        // Hours later the running job is reported failed (the abandoned-job detector or a late job-finished).
        try (Connection c = Database.superuser(dataSource); PreparedStatement s = c.prepareStatement(
                "UPDATE job SET status = 'FAILED', finished_at = now(), updated_at = now() WHERE id = ?")) {
            s.setObject(1, late);
            assertEquals(1, s.executeUpdate());
        }
        Shown after = shown(t);
        assertEquals(0, after.jobs24h().get("running"), "no longer running");
        assertEquals(2, after.jobs24h().get("failed"), "counted on its start, as failed");
        assertEquals(2, after.total());
        assertEquals(Map.of(a.serverId(), 1L, b.serverId(), 1L), after.failing());
        assertEquals(direct(t.id(), after.at().minus(Duration.ofHours(24))), after.jobs24h());
        Shown page = pageShows(t, after.at());
        assertEquals(after.jobs24h(), page.jobs24h(), "the page shows the same counts");
        assertEquals(after.total(), page.total());
        assertEquals(after.failing(), page.failing(), "and the same failing servers");
        compaction.compact();
        assertEquals(after.jobs24h(), shown(t).jobs24h(), "and after compaction");
    }

    @Test
    void lateAndOutOfOrderEventsMoveJobsAcrossTheWindowStart() throws Exception {
        TenantFixture t = Fixtures.newTenant("Counts Late Start");
        Agent agent = Agents.enrolled(t, "counts-late-start-01");
        Instant now = Instant.now();
        String moved = UUID.randomUUID().toString();
        String endFirst = UUID.randomUUID().toString();
        // Inside the window: started 23 h ago, and a job whose end arrives before its start (no start yet).
        agent.send(List.of(
                Agents.event("job-started", moved, null, "trigger", "scheduled", "maxAttempts", 1, "time",
                        now.minus(Duration.ofHours(23)).toString()),
                Agents.event("job-finished", endFirst, 1, "jobStatus", "failed", "backupStatus", 1, "time",
                        now.minus(Duration.ofHours(2)).toString()))).then().statusCode(200);
        compaction.compact();
        Shown before = shown(t);
        assertEquals(1, before.total(), "the started job counts; the one never started does not");
        assertEquals(1, before.jobs24h().get("running"));
        assertEquals(direct(t.id(), before.at().minus(Duration.ofHours(24))), before.jobs24h());

        // A replayed, earlier start (the agent's first report, delayed) moves the job out of the 24 hours, and
        // the late start of the other job moves it in (before compaction: only the deltas know).
        agent.send(List.of(
                Agents.event("job-started", moved, null, "trigger", "scheduled", "maxAttempts", 1, "time",
                        now.minus(Duration.ofHours(25)).toString()),
                Agents.event("job-started", endFirst, null, "trigger", "scheduled", "maxAttempts", 1, "time",
                        now.minus(Duration.ofHours(3)).toString()))).then().statusCode(200);
        Shown after = shown(t);
        assertEquals(direct(t.id(), after.at().minus(Duration.ofHours(24))), after.jobs24h());
        assertEquals(Map.of("failed", 1L), nonZero(after.jobs24h()), "only the job started 3 h ago, failed");
        compaction.compact();
        assertEquals(after.jobs24h(), shown(t).jobs24h(), "the same after compaction");
    }

    @Test
    void retentionDeletesLeaveTheCounts() throws Exception {
        TenantFixture t = Fixtures.newTenant("Counts Retention");
        t.admin().body(Map.of("jobRetentionDays", 7)).patch("/api/v1/tenant").then().statusCode(200);
        Agent agent = Agents.enrolled(t, "counts-retention-01");
        Instant old = Instant.now().minus(Duration.ofDays(9)).truncatedTo(ChronoUnit.SECONDS);
        insertJob(t.id(), agent.serverId(), "FAILED", old);
        insertJob(t.id(), agent.serverId(), "SUCCEEDED", old.plusSeconds(7));
        insertJob(t.id(), agent.serverId(), "FAILED", Instant.now().minus(Duration.ofDays(2)));
        Instant since = Instant.now().minus(Duration.ofDays(10));
        compaction.compact();
        assertEquals(Map.of("failed", 2L, "succeeded", 1L), nonZero(counts(t, since)));
        assertEquals(Map.of(agent.serverId(), 2L), failing(t, since));

        retention.purge();
        assertEquals(Map.of("failed", 1L), nonZero(counts(t, since)), "the two jobs past the 7-day retention are gone");
        assertEquals(direct(t.id(), since), counts(t, since));
        assertEquals(Map.of(agent.serverId(), 1L), failing(t, since));
        compaction.compact();
        assertEquals(direct(t.id(), since), counts(t, since), "and after compaction");
    }

    @Test
    void eachTenantCountsOnlyItsOwnJobs() throws Exception {
        TenantFixture mine = Fixtures.newTenant("Counts Mine");
        TenantFixture theirs = Fixtures.newTenant("Counts Theirs");
        Agent agent = Agents.enrolled(mine, "counts-mine-01");
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, true)).then().statusCode(200);
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, false)).then().statusCode(200);
        Shown shown = shown(mine);
        assertEquals(2, shown.total());
        assertEquals(1, shown.jobs24h().get("failed"));
        assertEquals(Map.of(agent.serverId(), 1L), shown.failing());

        Shown other = shown(theirs);
        assertEquals(0, other.total(), "the other tenant counts none of them");
        assertTrue(other.failing().isEmpty());
        Shown page = pageShows(theirs, other.at());
        assertEquals(0, page.total());
        assertTrue(page.failing().isEmpty(), "no failing servers on the other tenant's page");
        compaction.compact();
        assertEquals(0, shown(theirs).total());
        assertEquals(shown.jobs24h(), shown(mine).jobs24h());
    }

    // --- what the dashboard shows, and what the jobs say ----------------------------------------------

    /** The dashboard's job numbers: per status, their sum, and the failing servers (id to count). */
    record Shown(Map<String, Long> jobs24h, long total, Map<String, Long> failing, Instant at) {
    }

    private Shown shown(TenantFixture t) {
        Dashboard d = currentTenant.inTransaction(t.id(), () -> dashboards.dashboard());
        Map<String, Long> failing = new LinkedHashMap<>();
        d.failing().forEach(f -> failing.put(f.id().toString(), f.failed()));
        assertEquals(d.jobs24h().values().stream().mapToLong(Long::longValue).sum(), d.jobsTotal24h());
        return new Shown(d.jobs24h(), d.jobsTotal24h(), failing, d.at());
    }

    /** The same numbers as the page shows them to the tenant's admin. */
    private Shown pageShows(TenantFixture t, Instant at) {
        String html = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD).get("/").then().statusCode(200)
                .extract().asString();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            Matcher m = Pattern.compile("data-testid=\"jobs-" + s.wire() + "\">(\\d+)<").matcher(html);
            assertTrue(m.find(), "the page lists " + s.wire());
            counts.put(s.wire(), Long.parseLong(m.group(1)));
        }
        Matcher total = Pattern.compile("Jobs of the last 24 hours <span[^>]*>\\((\\d+)\\)").matcher(html);
        assertTrue(total.find(), "the page shows the total");
        Map<String, Long> failing = new LinkedHashMap<>();
        Matcher f = FAILING.matcher(html);
        while (f.find()) {
            failing.put(f.group(1), Long.parseLong(f.group(2)));
        }
        return new Shown(counts, Long.parseLong(total.group(1)), failing, at);
    }

    private Map<String, Long> counts(TenantFixture t, Instant since) {
        return currentTenant.inTransaction(t.id(), () -> jobs.statusCounts(since));
    }

    private Map<String, Long> failing(TenantFixture t, Instant since) {
        Map<String, Long> failing = new LinkedHashMap<>();
        currentTenant.inTransaction(t.id(), () -> jobs.mostFailing(since, 5)).forEach((id, n) -> failing.put(id.toString(), n));
        return failing;
    }

    private static Map<String, Long> nonZero(Map<String, Long> counts) {
        Map<String, Long> n = new LinkedHashMap<>(counts);
        n.values().removeIf(v -> v == 0);
        return n;
    }

    /** Jobs per status (every status, 0 included) started since {@code since}, counted on the job table. */
    private Map<String, Long> direct(String tenant, Instant since) throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            counts.put(s.wire(), 0L);
        }
        try (Connection c = Database.superuser(dataSource); PreparedStatement s = c.prepareStatement(
                "SELECT status, count(*) FROM job WHERE tenant_id = ? AND started_at >= ? GROUP BY status")) {
            s.setString(1, tenant);
            s.setTimestamp(2, Timestamp.from(since));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    counts.put(JobStatus.valueOf(r.getString(1)).wire(), r.getLong(2));
                }
            }
        }
        assertNotEquals(0, counts.size());
        return counts;
    }

    /** A job of {@code status} started at {@code started} (null: never started), as the triggers see any insert. */
    private UUID insertJob(String tenant, String server, String status, Instant started) throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection c = Database.superuser(dataSource); PreparedStatement s = c.prepareStatement("""
                INSERT INTO job (id, tenant_id, server_id, status, started_at, finished_at, updated_at)
                VALUES (?, ?, ?::uuid, ?, ?, CASE WHEN ? = 'RUNNING' OR ?::timestamptz IS NULL THEN NULL
                                                   ELSE ?::timestamptz + interval '95 seconds' END, now())""")) {
            Timestamp at = started == null ? null : Timestamp.from(started);
            s.setObject(1, id);
            s.setString(2, tenant);
            s.setString(3, server);
            s.setString(4, status);
            s.setTimestamp(5, at);
            s.setString(6, status);
            s.setTimestamp(7, at);
            s.setTimestamp(8, at);
            s.executeUpdate();
        }
        return id;
    }
}
