package dev.fleethook.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.fleethook.alert.service.AlertService;
import dev.fleethook.fleet.service.ServerService;
import dev.fleethook.fleet.service.ServerService.PresenceCounts;
import dev.fleethook.job.service.JobService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * The numbers of the tenant dashboard, each asked of the feature that owns it: servers by presence
 * (fleet), jobs of the last 24 hours and the servers failing most over 7 days (job), open alerts (alert).
 */
@ApplicationScoped
public class DashboardService {

    public record FailingServer(UUID id, String hostname, long failed) {
    }

    public record Dashboard(long online, long offline, long neverSeen, long disabled, Map<String, Long> jobs24h,
            long jobsTotal24h, List<FailingServer> failing, long openAlerts, Instant at) {
    }

    @Inject
    ServerService servers;

    @Inject
    JobService jobs;

    @Inject
    AlertService alerts;

    @Transactional
    public Dashboard dashboard() {
        Instant now = Instant.now();
        PresenceCounts presence = servers.presenceCounts(now);
        Map<String, Long> jobs24h = jobs.statusCounts(now.minus(Duration.ofHours(24)));
        long total = jobs24h.values().stream().mapToLong(Long::longValue).sum();
        Map<UUID, Long> worst = jobs.mostFailing(now.minus(Duration.ofDays(7)), 5);
        Map<UUID, String> hosts = servers.hostnames(worst.keySet());
        List<FailingServer> failing = new ArrayList<>();
        worst.forEach((id, n) -> failing.add(new FailingServer(id, hosts.getOrDefault(id, "?"), n)));
        return new Dashboard(presence.online(), presence.offline(), presence.neverSeen(), presence.disabled(), jobs24h,
                total, failing, alerts.openCount(), now);
    }
}
