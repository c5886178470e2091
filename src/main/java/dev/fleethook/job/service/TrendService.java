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
 * backup was taken — over the finished ones) and the median duration of the finished jobs. Two aggregate
 * queries on {@code job (tenant_id, started_at)}.
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

    @Inject
    CurrentTenant currentTenant;

    /** The tenant's trend, or one server's ({@code serverId}), or one policy's ({@code policyId}). */
    @SuppressWarnings("unchecked")
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
        List<String> days = new ArrayList<>();
        for (int i = 0; i < DAYS; i++) {
            days.add(first.plusDays(i).toString());
        }
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            counts.put(s.wire(), new long[DAYS]);
        }
        long total = 0;
        for (Object[] r : (List<Object[]>) q.getResultList()) {
            LocalDate day = r[0] instanceof Date d ? d.toLocalDate() : LocalDate.parse(r[0].toString());
            int index = (int) (day.toEpochDay() - first.toEpochDay());
            long n = ((Number) r[2]).longValue();
            if (index >= 0 && index < DAYS) {
                counts.get(JobStatus.valueOf((String) r[1]).wire())[index] += n;
                total += n;
            }
        }
        Object[] summary = (Object[]) m.getSingleResult();
        long ok = ((Number) summary[0]).longValue();
        long finished = ((Number) summary[1]).longValue();
        Long median = summary[2] == null ? null : Math.round(((Number) summary[2]).doubleValue());
        return new Trend(days, counts, total, finished == 0 ? null : (double) ok / finished, median, zone.getId());
    }
}
