package dev.fleethook.job.service;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.policy.PolicySpec;
import dev.fleethook.policy.service.Schedules;
import dev.fleethook.protocol.ScheduledJobs;
import dev.fleethook.kernel.CurrentTenant;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ScheduledTurns;

/**
 * Records the scheduled starts no agent reported: when the window of a start has closed and its server
 * sent nothing for it (the server was off, the agent stopped, its clock or network broken), the portal
 * writes a Skipped job marked missed, so a silent server shows as a gap in its history rather than as
 * nothing. Only policies with a window are judged (without one, a start may legitimately come late).
 * The job id is {@link ScheduledJobs#id}, the one the agent uses: on N replicas the insert is
 * {@code ON CONFLICT DO NOTHING}, so each missed start is recorded once, and a late report from the
 * agent takes the job over.
 */
@ApplicationScoped
public class MissedWindowDetector {

    private static final Logger LOG = Logger.getLogger(MissedWindowDetector.class);

    /** How far back a pass looks for closed windows. */
    static final Duration LOOKBACK = Duration.ofHours(24);

    @Inject
    CurrentTenant currentTenant;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Inject
    ObjectMapper json;

    @Scheduled(every = "${fleethook.jobs.missed-window-check:60s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "missed-window-detector")
    void run() {
        ScheduledTurns.run(LOG, "Missed-window check", () -> {
            int missed = check(Instant.now());
            if (missed > 0) {
                LOG.infof("Recorded %d missed scheduled start(s)", missed);
            }
        });
    }

    /** One pass over every enabled server with a windowed schedule; returns how many starts were recorded missed. */
    public int check(Instant now) {
        List<?> rows = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.MISSED_DETECTOR, () -> Panache.getEntityManager().createNativeQuery("""
                SELECT s.tenant_id, s.id, s.enrolled_at, p.id, r.number, r.created_at, r.spec::text, t.time_zone
                  FROM server s
                  JOIN tenant t ON t.id = s.tenant_id AND NOT t.suspended
                  JOIN policy p ON p.id = s.policy_id
                  JOIN policy_revision r ON r.policy_id = p.id AND r.number = p.current_revision
                 WHERE s.status = 'ENABLED' AND r.spec->>'windowMinutes' IS NOT NULL
                   AND r.spec->'schedule'->>'kind' <> 'manual'""").getResultList());
        int recorded = 0;
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            PolicySpec spec = spec((String) r[6]);
            String cron = spec == null ? null : Schedules.toCron(spec.schedule());
            if (cron == null || spec.windowMinutes() == null) {
                continue;
            }
            Duration window = Duration.ofMinutes(spec.windowMinutes());
            // Judge only starts under this revision, after enrollment, whose window has closed.
            Instant from = latest(now.minus(LOOKBACK).minus(window), instant(r[2]), instant(r[5]));
            Instant until = now.minus(window);
            if (!from.isBefore(until)) {
                continue;
            }
            ZoneId zone = ZoneId.of((String) r[7]);
            UUID serverId = (UUID) r[1];
            List<Instant> reported = reportedStarts(serverId, from, now);
            for (ZonedDateTime start : Schedules.nextRuns(cron, zone, from.atZone(zone), 2000)) {
                Instant s = start.toInstant();
                if (s.isAfter(until)) {
                    break;
                }
                boolean covered = reported.stream().anyMatch(t -> !t.isBefore(s) && t.isBefore(s.plus(window)));
                if (!covered) {
                    recorded += record((String) r[0], serverId, (UUID) r[3], ((Number) r[4]).intValue(), s, window);
                }
            }
        }
        return recorded;
    }

    /** When the server's scheduled jobs (reported or already marked missed) started, from {@code from} on. */
    private List<Instant> reportedStarts(UUID serverId, Instant from, Instant now) {
        List<?> rows = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.MISSED_DETECTOR, () -> Panache.getEntityManager().createNativeQuery("""
                SELECT started_at FROM job WHERE server_id = ?1 AND trigger = 'scheduled'
                   AND started_at >= ?2 AND started_at <= ?3""")
                .setParameter(1, serverId).setParameter(2, Timestamp.from(from)).setParameter(3, Timestamp.from(now))
                .getResultList());
        return rows.stream().map(MissedWindowDetector::instant).toList();
    }

    /** Inserts the missed job unless the agent reported any scheduled job inside that window. */
    private int record(String tenantId, UUID serverId, UUID policyId, int revision, Instant start, Duration window) {
        Timestamp begin = Timestamp.from(start);
        Timestamp end = Timestamp.from(start.plus(window));
        return crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.MISSED_DETECTOR, () -> Panache.getEntityManager().createNativeQuery("""
                INSERT INTO job (id, tenant_id, server_id, policy_id, policy_revision, trigger, status, attempts,
                                 started_at, finished_at, updated_at, missed)
                SELECT ?1, ?2, ?3, ?4, ?5, 'scheduled', 'SKIPPED', 0, ?6, ?7, now(), true
                 WHERE NOT EXISTS (SELECT 1 FROM job j WHERE j.server_id = ?3 AND j.trigger = 'scheduled'
                                      AND j.started_at >= ?6 AND j.started_at < ?7)
                ON CONFLICT DO NOTHING""")
                .setParameter(1, ScheduledJobs.id(serverId, start)).setParameter(2, tenantId)
                .setParameter(3, serverId).setParameter(4, policyId).setParameter(5, revision)
                .setParameter(6, begin).setParameter(7, end).executeUpdate());
    }

    private PolicySpec spec(String text) {
        try {
            return json.readValue(text, PolicySpec.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        return value == null ? Instant.EPOCH : ((Timestamp) value).toInstant();
    }

    private static Instant latest(Instant... instants) {
        Instant max = Instant.EPOCH;
        for (Instant i : instants) {
            max = i.isAfter(max) ? i : max;
        }
        return max;
    }
}
