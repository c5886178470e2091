package dev.fleethook.job;

import static dev.fleethook.support.Agents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.job.service.RetentionService;
import dev.fleethook.job.service.TrendCompaction;
import dev.fleethook.job.service.TrendService;
import dev.fleethook.job.service.TrendService.Trend;
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
 * The dashboard's 30-day trend comes from pre-aggregated 15-minute buckets kept by triggers on the job table
 * (V14); it must show exactly what aggregating the jobs themselves shows, whatever happens to the jobs
 * after they start, in any time zone, before and after the buckets are compacted.
 */
@QuarkusTest
class DashboardTrendTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The zone {@link Fixtures#newTenant(String)} gives a tenant. */
    static final ZoneId DEFAULT_ZONE = ZoneId.of("Europe/Paris");
    static final Pattern CHART = Pattern.compile("data-chart=\"([^\"]*)\"");

    @Inject
    DataSource dataSource;

    @Inject
    TrendService trends;

    @Inject
    TrendCompaction compaction;

    @Inject
    RetentionService retention;

    @Inject
    CurrentTenant currentTenant;

    /** What the tenant-wide trend shows: counts per day and status, total, success rate, median. */
    record Shown(String zone, List<String> days, Map<String, List<Long>> counts, long total, Double successRate, Long medianMs) {
    }

    @Test
    void aMixOfStatusesShowsWhatTheJobTableSays() throws Exception {
        TenantFixture t = Fixtures.newTenant("Trend Mix");
        Agent agent = Agents.enrolled(t, "trend-mix-01");
        // 400 jobs over the last 33 days (some before the window), every status, durations from 7 s to 3 h
        // (whole minutes beyond an hour), a few running and a few never started.
        try (Connection c = Database.superuser(dataSource); PreparedStatement s = c.prepareStatement("""
                INSERT INTO job (id, tenant_id, server_id, status, started_at, finished_at, updated_at)
                SELECT gen_random_uuid(), ?, ?::uuid, st, started, CASE WHEN st = 'RUNNING' THEN NULL ELSE started + d END, now()
                  FROM (SELECT (ARRAY['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'WARNING', 'FAILED', 'CANCELED', 'SKIPPED',
                                      'ABANDONED', 'RUNNING'])[i % 9 + 1] AS st,
                               CASE WHEN i % 50 = 0 THEN NULL
                                    ELSE date_trunc('minute', now()) - (i * interval '1 hour 59 minutes') - (i % 7) * interval '1 second' END AS started,
                               CASE WHEN i % 10 = 0 THEN (i % 4 + 1) * interval '47 minutes'
                                    ELSE ((i * 37) % 900 + 7) * interval '1 second' END AS d
                          FROM generate_series(1, 400) AS i) g""")) {
            s.setString(1, t.id());
            s.setString(2, agent.serverId());
            s.executeUpdate();
        }
        // And two through the protocol, as agents report them.
        agent.send(Agents.job(UUID.randomUUID().toString(), 2, true)).then().statusCode(200);
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, false)).then().statusCode(200);

        Shown expected = direct(t.id());
        assertTrue(expected.total() > 300, "most jobs fall within the 30 days: " + expected.total());
        assertSameTrend(expected, shown(t), "the trend before compaction");
        assertEquals(expected.counts(), dashboardCounts(t), "the chart the dashboard draws");
        compaction.compact();
        assertSameTrend(expected, shown(t), "the trend after compaction");
        assertEquals(expected.counts(), dashboardCounts(t), "the chart after compaction");
    }

    @Test
    void aJobThatFinishesDaysLaterMovesFromRunningToItsStatusOnItsStartDay() throws Exception {
        TenantFixture t = Fixtures.newTenant("Trend Late Finish");
        Agent agent = Agents.enrolled(t, "trend-late-01");
        String job = UUID.randomUUID().toString();
        Instant start = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS);
        agent.send(List.of(at(event("job-started", job, null, "trigger", "scheduled", "maxAttempts", 1), start),
                at(event("attempt-started", job, 1), start))).then().statusCode(200);
        int day = dayIndex(start, DEFAULT_ZONE);
        Shown running = shown(t);
        assertEquals(1, running.counts().get("running").get(day), "running on its start day: " + running);
        assertEquals(1, running.total());
        assertNull(running.medianMs(), "no finished job yet");
        compaction.compact();

        // Three days later the agent reports the end: 2 h 17 min after the start.
        Instant end = start.plus(Duration.ofMinutes(137));
        agent.send(List.of(at(event("attempt-finished", job, 1, "finalAttempt", true), end),
                at(event("job-finished", job, 1, "jobStatus", "succeeded", "backupStatus", 0), end)))
                .then().statusCode(200);
        Shown finished = shown(t);
        assertEquals(0, finished.counts().get("running").get(day), "no longer running");
        assertEquals(1, finished.counts().get("succeeded").get(day), "succeeded, still on its start day");
        assertEquals(1, finished.total());
        assertEquals(1.0, finished.successRate());
        assertEquals(137 * 60_000L, finished.medianMs(), "whole minutes beyond an hour are exact");
        assertSameTrend(direct(t.id()), finished);
        compaction.compact();
        assertSameTrend(direct(t.id()), shown(t));
    }

    @Test
    void anOfflineAgentReplayingDaysOldEventsFillsTheirDaysOnce() throws Exception {
        TenantFixture t = Fixtures.newTenant("Trend Replay");
        Agent agent = Agents.enrolled(t, "trend-replay-01");
        List<Map<String, Object>> replay = new ArrayList<>();
        Instant first = Instant.now().minus(Duration.ofDays(6)).truncatedTo(ChronoUnit.MINUTES);
        for (int d = 0; d < 3; d++) {
            String job = UUID.randomUUID().toString();
            Instant start = first.plus(Duration.ofDays(d));
            replay.add(at(event("job-started", job, null, "trigger", "scheduled", "maxAttempts", 1), start));
            replay.add(at(event("attempt-started", job, 1), start));
            replay.add(at(event("attempt-finished", job, 1, "finalAttempt", true), start.plusSeconds(95)));
            replay.add(at(event("job-finished", job, 1, "jobStatus", d == 1 ? "failed" : "succeeded", "backupStatus",
                    d == 1 ? 1 : 0), start.plusSeconds(95)));
        }
        // The events arrive in a different order than they happened, and the batch is sent twice.
        List<Map<String, Object>> shuffled = new ArrayList<>(replay);
        java.util.Collections.reverse(shuffled);
        agent.send(shuffled).then().statusCode(200);
        agent.send(replay).then().statusCode(200);

        Shown shown = shown(t);
        ZoneId zone = DEFAULT_ZONE;
        assertEquals(1, shown.counts().get("succeeded").get(dayIndex(first, zone)));
        assertEquals(1, shown.counts().get("failed").get(dayIndex(first.plus(Duration.ofDays(1)), zone)));
        assertEquals(1, shown.counts().get("succeeded").get(dayIndex(first.plus(Duration.ofDays(2)), zone)));
        assertEquals(3, shown.total(), "each job once");
        assertEquals(95_000L, shown.medianMs());
        assertSameTrend(direct(t.id()), shown);
    }

    @Test
    void retentionRemovesDeletedJobsFromTheTrend() throws Exception {
        TenantFixture t = Fixtures.newTenant("Trend Retention");
        t.admin().body(Map.of("jobRetentionDays", 7)).patch("/api/v1/tenant").then().statusCode(200);
        Agent agent = Agents.enrolled(t, "trend-retention-01");
        Instant old = Instant.now().minus(Duration.ofDays(12)).truncatedTo(ChronoUnit.SECONDS);
        Instant recent = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
        for (Instant start : List.of(old, old.plusSeconds(60), recent)) {
            String job = UUID.randomUUID().toString();
            agent.send(List.of(at(event("job-started", job, null, "trigger", "scheduled", "maxAttempts", 1), start),
                    at(event("attempt-started", job, 1), start),
                    at(event("job-finished", job, 1, "jobStatus", "succeeded", "backupStatus", 0), start.plusSeconds(30))))
                    .then().statusCode(200);
        }
        compaction.compact();
        assertEquals(3, shown(t).total(), "12 days ago is within the chart's 30 days");
        retention.purge();
        Shown after = shown(t);
        assertEquals(1, after.total(), "the two jobs past the 7-day retention are gone from the trend too");
        assertEquals(0, after.counts().get("succeeded").get(dayIndex(old, DEFAULT_ZONE)));
        assertSameTrend(direct(t.id()), after);
        compaction.compact();
        assertSameTrend(direct(t.id()), shown(t));
        try (Connection c = Database.superuser(dataSource);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM job_trend_bucket WHERE tenant_id = ?")) {
            s.setString(1, t.id());
            try (ResultSet r = s.executeQuery()) {
                r.next();
                assertEquals(1, r.getLong(1), "compaction dropped the buckets that summed to zero");
            }
        }
    }

    @Test
    void changingTheTimeZoneRebucketsTheDays() throws Exception {
        TenantFixture t = Fixtures.newTenant("Trend Zones");
        Agent agent = Agents.enrolled(t, "trend-zone-01");
        // 18:10, 18:20 and 18:40 UTC three days ago: one UTC day; in India (+05:30) 23:40, 23:50 and 00:10 the
        // next day; in Nepal (+05:45) 23:55, then 00:05 and 00:25 the next day; in Los Angeles the same morning.
        LocalDate day = LocalDate.now(ZoneId.of("UTC")).minusDays(3);
        Instant a = day.atTime(18, 10).atZone(ZoneId.of("UTC")).toInstant();
        for (int minutes : List.of(0, 10, 30)) {
            Instant start = a.plus(Duration.ofMinutes(minutes));
            String job = UUID.randomUUID().toString();
            agent.send(List.of(at(event("job-started", job, null, "trigger", "scheduled", "maxAttempts", 1), start),
                    at(event("job-finished", job, 1, "jobStatus", "succeeded", "backupStatus", 0), start.plusSeconds(60))))
                    .then().statusCode(200);
        }
        t.admin().body(Map.of("timeZone", "UTC")).patch("/api/v1/tenant").then().statusCode(200);
        compaction.compact();
        Shown utc = shown(t);
        assertEquals(3, utc.counts().get("succeeded").get(dayIndex(a, ZoneId.of("UTC"))), "all on one UTC day");
        assertSameTrend(direct(t.id()), utc);

        for (String zone : List.of("Asia/Kolkata", "Asia/Kathmandu", "America/Los_Angeles")) {
            t.admin().body(Map.of("timeZone", zone)).patch("/api/v1/tenant").then().statusCode(200);
            Shown shown = shown(t);
            ZoneId z = ZoneId.of(zone);
            assertSameTrend(direct(t.id()), shown, zone);
            assertEquals(LocalDate.now(z).toString(), shown.days().get(TrendService.DAYS - 1), "today in " + zone);
            List<Long> succeeded = shown.counts().get("succeeded");
            int first = dayIndex(a, z);
            List<Long> expected = switch (zone) {
                case "Asia/Kolkata" -> List.of(2L, 1L);
                case "Asia/Kathmandu" -> List.of(1L, 2L);
                default -> List.of(3L, 0L);
            };
            assertEquals(expected, succeeded.subList(first, first + 2), "the jobs' days in " + zone);
            assertEquals(shown.counts(), dashboardCounts(t), "the dashboard's chart in " + zone);
        }
    }

    @Test
    void eachTenantSeesOnlyItsOwnJobs() throws Exception {
        TenantFixture mine = Fixtures.newTenant("Trend Mine");
        TenantFixture theirs = Fixtures.newTenant("Trend Theirs");
        Agent agent = Agents.enrolled(mine, "trend-mine-01");
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, true)).then().statusCode(200);
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, false)).then().statusCode(200);
        assertEquals(2, shown(mine).total());
        Shown other = shown(theirs);
        assertEquals(0, other.total(), "the other tenant's trend is empty");
        assertNull(other.successRate());
        assertTrue(dashboardCounts(theirs).values().stream().flatMap(List::stream).allMatch(n -> n == 0));
        compaction.compact();
        assertEquals(0, shown(theirs).total());
        assertSameTrend(direct(mine.id()), shown(mine));
    }

    // --- what the user sees, and what the jobs say ---------------------------------------------------

    private Shown shown(TenantFixture t) {
        Trend trend = currentTenant.inTransaction(t.id(), () -> trends.trend(null, null));
        Map<String, List<Long>> counts = new LinkedHashMap<>();
        trend.counts().forEach((status, perDay) -> counts.put(status, java.util.Arrays.stream(perDay).boxed().toList()));
        return new Shown(trend.zone(), trend.days(), counts, trend.total(), trend.successRate(), trend.medianMs());
    }

    /** The counts in the chart of the dashboard page, as the browser's script reads them. */
    private Map<String, List<Long>> dashboardCounts(TenantFixture t) throws Exception {
        String html = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD).get("/").then().statusCode(200)
                .extract().asString();
        Matcher m = CHART.matcher(html);
        assertTrue(m.find(), "the dashboard draws the trend chart");
        JsonNode chart = JSON.readTree(m.group(1).replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&"));
        Map<String, List<Long>> counts = new LinkedHashMap<>();
        chart.get("counts").fields().forEachRemaining(e -> {
            List<Long> perDay = new ArrayList<>();
            e.getValue().forEach(n -> perDay.add(n.asLong()));
            counts.put(e.getKey(), perDay);
        });
        return counts;
    }

    /** The trend aggregated straight from the tenant's jobs, as it was computed before V14. */
    private Shown direct(String tenant) throws Exception {
        String zone;
        try (Connection c = Database.superuser(dataSource);
                PreparedStatement s = c.prepareStatement("SELECT time_zone FROM tenant WHERE id = ?")) {
            s.setString(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                zone = r.getString(1);
            }
        }
        ZoneId z = ZoneId.of(zone);
        LocalDate firstDay = LocalDate.now(z).minusDays(TrendService.DAYS - 1);
        Timestamp since = Timestamp.from(firstDay.atStartOfDay(z).toInstant());
        List<String> days = new ArrayList<>();
        Map<String, List<Long>> counts = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            counts.put(s.wire(), new ArrayList<>(java.util.Collections.nCopies(TrendService.DAYS, 0L)));
        }
        for (int i = 0; i < TrendService.DAYS; i++) {
            days.add(firstDay.plusDays(i).toString());
        }
        long total = 0;
        try (Connection c = Database.superuser(dataSource)) {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT (started_at AT TIME ZONE ?)::date, status, count(*) FROM job
                     WHERE tenant_id = ? AND started_at >= ? GROUP BY 1, 2""")) {
                s.setString(1, zone);
                s.setString(2, tenant);
                s.setTimestamp(3, since);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        int i = (int) (r.getDate(1).toLocalDate().toEpochDay() - firstDay.toEpochDay());
                        if (i >= 0 && i < TrendService.DAYS) {
                            List<Long> perDay = counts.get(JobStatus.valueOf(r.getString(2)).wire());
                            perDay.set(i, perDay.get(i) + r.getLong(3));
                            total += r.getLong(3);
                        }
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT count(*) FILTER (WHERE status IN ('SUCCEEDED', 'WARNING')), count(*),
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at) * 1000)
                      FROM job WHERE tenant_id = ? AND started_at >= ? AND status <> 'RUNNING' AND finished_at IS NOT NULL""")) {
                s.setString(1, tenant);
                s.setTimestamp(2, since);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    long ok = r.getLong(1);
                    long finished = r.getLong(2);
                    double median = r.getDouble(3);
                    Long medianMs = r.wasNull() ? null : Math.round(median);
                    return new Shown(zone, days, counts, total, finished == 0 ? null : (double) ok / finished, medianMs);
                }
            }
        }
    }

    /**
     * The trend shown equals the direct aggregation: days, counts, total and success rate exactly; the median
     * to the histogram's resolution (whole seconds for these jobs, all under an hour).
     */
    private static void assertSameTrend(Shown expected, Shown shown, String... message) {
        String what = message.length > 0 ? message[0] : "the trend";
        assertEquals(expected.zone(), shown.zone(), what + ": zone");
        assertEquals(expected.days(), shown.days(), what + ": days");
        assertEquals(expected.counts(), shown.counts(), what + ": counts per day and status");
        assertEquals(expected.total(), shown.total(), what + ": total");
        assertEquals(expected.successRate(), shown.successRate(), what + ": success rate");
        if (expected.medianMs() == null || shown.medianMs() == null) {
            assertEquals(expected.medianMs(), shown.medianMs(), what + ": median");
        } else {
            assertTrue(Math.abs(expected.medianMs() - shown.medianMs()) < 1000,
                    what + ": median " + shown.medianMs() + " ms, to the second of " + expected.medianMs() + " ms");
        }
    }

    private static Map<String, Object> at(Map<String, Object> event, Instant time) {
        event.put("time", time.toString());
        return event;
    }

    /** The chart's column of the day {@code instant} falls on in {@code zone}. */
    private static int dayIndex(Instant instant, ZoneId zone) {
        LocalDate first = LocalDate.now(zone).minusDays(TrendService.DAYS - 1);
        int i = (int) (instant.atZone(zone).toLocalDate().toEpochDay() - first.toEpochDay());
        assertTrue(i >= 0 && i < TrendService.DAYS, "within the chart: " + instant);
        return i;
    }
}
