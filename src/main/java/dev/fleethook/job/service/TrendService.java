package dev.fleethook.job.service;

import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.job.Job;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Job outcomes over the last 30 days, per day of the organization's time zone and stacked by status, for
 * the whole tenant, one server or one policy; with the success rate (succeeded and warning jobs — the
 * backup was taken — over the finished ones) and the median duration of the finished jobs.
 *
 * <p>One server's or one policy's trend aggregates its few jobs directly ({@code job (tenant_id,
 * started_at)}). The whole tenant's (the dashboard's; 300,000 jobs in 30 days at 10,000 servers) sums
 * {@code job_trend_bucket} and {@code job_trend_delta} instead (V14): counts per 15-minute UTC bucket of the
 * start time, status and duration class, appended by triggers on {@code job} and merged by
 * {@link TrendCompaction}. Every zone's day is a whole number of 15-minute buckets, so both give the same
 * days and counts, and a change of the tenant's zone needs no rebuild. The median there comes from the
 * duration histogram: exact to the second under an hour, rounded down to the minute under a day and to the
 * hour beyond (the direct aggregation is exact to the millisecond).
 */
@ApplicationScoped
public class TrendService {

    /** Days shown, today included. */
    public static final int DAYS = 30;

    /**
     * {@code days}: ISO dates, oldest first; {@code counts}: per status wire name, one count per day;
     * {@code successRate}: 0 to 1, null without finished jobs; {@code medianMs}: null without finished jobs.
     */
    public record Trend(List<String> days, Map<String, long[]> counts, long total, Double successRate, Long medianMs,
            String zone) {

        /** The trend as the chart script reads it from {@code data-chart}. */
        public String json() {
            try {
                return JSON.writeValueAsString(Map.of("days", days, "counts", counts, "zone", zone));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The success rate in whole percent, or null. */
        public Long successPercent() {
            return successRate == null ? null : Math.round(successRate * 100);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The width of a pre-aggregated bucket ({@code job_trend_bin}, V14): 15 minutes from the Unix epoch. */
    public static final long BUCKET_SECONDS = 900;

    /**
     * The first bucket boundary at or after {@code at}: {@code at} itself when it is one, else the start of
     * the next 15-minute bucket. Jobs started at or after it are exactly those of the buckets from it on.
     */
    public static Instant nextBucketStart(Instant at) {
        long floor = Math.floorDiv(at.getEpochSecond(), BUCKET_SECONDS) * BUCKET_SECONDS;
        return floor == at.getEpochSecond() && at.getNano() == 0 ? at : Instant.ofEpochSecond(floor + BUCKET_SECONDS);
    }

    @Inject
    CurrentTenant currentTenant;

    /**
     * The tenant's trend ({@code serverId} and {@code policyId} null; from the pre-aggregated buckets), or one
     * server's ({@code serverId}), or one policy's ({@code policyId}), both from the job table.
     */
    public Trend trend(UUID serverId, UUID policyId) {
        String tenant = currentTenant.require();
        ZoneId zone = Tenant.<Tenant> findByIdOptional(tenant).map(t -> {
            try {
                return ZoneId.of(t.timeZone);
            } catch (RuntimeException e) {
                return ZoneId.of("UTC");
            }
        }).orElse(ZoneId.of("UTC"));
        LocalDate today = LocalDate.now(zone);
        LocalDate first = today.minusDays(DAYS - 1);
        Instant since = first.atStartOfDay(zone).toInstant();
        return serverId == null && policyId == null ? fromBuckets(tenant, zone, first, since)
                : fromJobs(tenant, zone, first, since, serverId, policyId);
    }

    /** The tenant's buckets since {@code :since}: merged ones and the deltas not merged yet. */
    private static final String BUCKETS = """
            SELECT bucket, status, duration_s, jobs FROM job_trend_bucket WHERE tenant_id = :tenant AND bucket >= :since
            UNION ALL
            SELECT bucket, status, duration_s, jobs FROM job_trend_delta WHERE tenant_id = :tenant AND bucket >= :since""";

    /**
     * One pass over the buckets, two groupings: jobs per day and status (the chart), and finished jobs per
     * duration class with the successful ones among them (the success rate and the median).
     *
     * <p>A bucket's day is found by a binary search among the 31 instants at which the days shown start in the
     * tenant's zone ({@code width_bucket}: 1 for the first day, 30 for today, 31 for a start after today),
     * computed here by {@link java.time.ZonedDateTime} rules; converting each bucket to the zone
     * ({@code AT TIME ZONE}, as before) cost about a third more for the 10,000 buckets of 30 days at 10,000
     * servers. The same days either way, since every day of every zone starts on a bucket boundary. The array
     * is cast in a sub-select, evaluated once: a bare {@code CAST(:starts AS timestamptz[])} of a parameter is not
     * constant-folded (its input depends on the session's time zone) and was parsed again for every row, 30 times
     * slower than the whole query (measured: 310 ms instead of 8 ms).
     */
    @SuppressWarnings("unchecked")
    private Trend fromBuckets(String tenant, ZoneId zone, LocalDate first, Instant since) {
        StringBuilder starts = new StringBuilder("{");
        for (int i = 0; i <= DAYS; i++) {
            starts.append(i == 0 ? "" : ",").append(first.plusDays(i).atStartOfDay(zone).toInstant());
        }
        var rows = (List<Object[]>) Job.getEntityManager().createNativeQuery("""
                SELECT grouping(day, status), day, status, duration_s, sum(jobs),
                       coalesce(sum(jobs) FILTER (WHERE status IN ('SUCCEEDED', 'WARNING')), 0)
                  FROM (SELECT width_bucket(bucket, (SELECT CAST(:starts AS timestamptz[]))) AS day, status, duration_s, jobs
                          FROM (""" + BUCKETS + """
                       ) b) d
                 GROUP BY GROUPING SETS ((day, status), (duration_s))
                 ORDER BY duration_s""")
                .setParameter("starts", starts.append('}').toString()).setParameter("tenant", tenant)
                .setParameter("since", since).getResultList();
        List<Object[]> perDay = new ArrayList<>();
        long ok = 0;
        long finished = 0;
        List<long[]> histogram = new ArrayList<>();
        for (Object[] r : rows) {
            if (((Number) r[0]).intValue() == 0) {
                // width_bucket's 1 is the first day shown; counts() leaves out days past today.
                perDay.add(new Object[] { first.plusDays(((Number) r[1]).longValue() - 1), r[2], r[4] });
                continue;
            }
            long duration = ((Number) r[3]).longValue();
            long n = ((Number) r[4]).longValue();
            if (duration >= 0 && n != 0) {
                ok += ((Number) r[5]).longValue();
                finished += n;
                histogram.add(new long[] { duration * 1000, n });
            }
        }
        Counts counts = counts(first, perDay);
        return new Trend(counts.days, counts.counts, counts.total, finished == 0 ? null : (double) ok / finished,
                median(histogram, finished), zone.getId());
    }

    /**
     * The median of a histogram as {@code percentile_cont(0.5)} computes it over its values: the middle value,
     * or the mean of the two middle ones. {@code histogram}: {value, count} pairs in ascending value order;
     * {@code n}: the sum of the counts. Null when {@code n} is 0.
     */
    static Long median(List<long[]> histogram, long n) {
        if (n <= 0) {
            return null;
        }
        long lower = (n - 1) / 2; // zero-based positions of the middle value(s)
        long upper = n / 2;
        Long low = null;
        Long high = null;
        long seen = 0;
        for (long[] bin : histogram) {
            seen += bin[1];
            if (low == null && seen > lower) {
                low = bin[0];
            }
            if (seen > upper) {
                high = bin[0];
                break;
            }
        }
        if (low == null || high == null) {
            return null;
        }
        return Math.round((low + high) / 2.0);
    }

    @SuppressWarnings("unchecked")
    private Trend fromJobs(String tenant, ZoneId zone, LocalDate first, Instant since, UUID serverId, UUID policyId) {
        String filter = (serverId != null ? " AND server_id = :server" : "") + (policyId != null ? " AND policy_id = :policy" : "");
        var em = Job.getEntityManager();
        var q = em.createNativeQuery("SELECT (started_at AT TIME ZONE :zone)::date AS day, status, count(*) FROM job"
                + " WHERE tenant_id = :tenant AND started_at >= :since" + filter + " GROUP BY 1, 2")
                .setParameter("zone", zone.getId()).setParameter("tenant", tenant).setParameter("since", since);
        var m = em.createNativeQuery("""
                SELECT count(*) FILTER (WHERE status IN ('SUCCEEDED', 'WARNING')), count(*),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at) * 1000)
                  FROM job WHERE tenant_id = :tenant AND started_at >= :since AND status <> 'RUNNING'
                   AND finished_at IS NOT NULL""" + filter)
                .setParameter("tenant", tenant).setParameter("since", since);
        if (serverId != null) {
            q.setParameter("server", serverId);
            m.setParameter("server", serverId);
        }
        if (policyId != null) {
            q.setParameter("policy", policyId);
            m.setParameter("policy", policyId);
        }
        Counts counts = counts(first, q.getResultList());
        Object[] summary = (Object[]) m.getSingleResult();
        long ok = ((Number) summary[0]).longValue();
        long finished = ((Number) summary[1]).longValue();
        Long median = summary[2] == null ? null : Math.round(((Number) summary[2]).doubleValue());
        return new Trend(counts.days, counts.counts, counts.total, finished == 0 ? null : (double) ok / finished, median,
                zone.getId());
    }

    private record Counts(List<String> days, Map<String, long[]> counts, long total) {
    }

    /** Rows of (day, status, count) into one count per status and day; days outside the 30 are left out. */
    private static Counts counts(LocalDate first, List<Object[]> rows) {
        List<String> days = new ArrayList<>();
        for (int i = 0; i < DAYS; i++) {
            days.add(first.plusDays(i).toString());
        }
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            counts.put(s.wire(), new long[DAYS]);
        }
        long total = 0;
        for (Object[] r : rows) {
            LocalDate day = r[0] instanceof LocalDate l ? l : r[0] instanceof Date d ? d.toLocalDate() : LocalDate.parse(r[0].toString());
            int index = (int) (day.toEpochDay() - first.toEpochDay());
            long n = ((Number) r[2]).longValue();
            if (index >= 0 && index < DAYS && n != 0) {
                counts.get(JobStatus.valueOf((String) r[1]).wire())[index] += n;
                total += n;
            }
        }
        return new Counts(days, counts, total);
    }
}
