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
import dev.fleethook.job.service.TrendService;
import dev.fleethook.job.service.TrendService.Trend;
import dev.fleethook.kernel.ObjectNotFoundException;
import dev.fleethook.tenant.TenantService;
import dev.fleethook.tenant.TenantView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * The numbers of the tenant dashboard, each asked of the feature that owns it: servers by presence
 * (fleet), jobs of the last 24 hours and the servers failing most over 7 days (job), open alerts (alert),
 * and for the full page the tenant and its 30-day trend (job). All of a page's queries run in one
 * transaction, on one pooled connection (one tenant binding, one commit); issue 17 measures the page at
 * 10,000 servers and 1,000,000 jobs (README, "Fleet scale").
 */
@ApplicationScoped
public class DashboardService {

    public record FailingServer(UUID id, String hostname, long failed) {
    }

    public record Dashboard(long online, long offline, long neverSeen, long disabled, Map<String, Long> jobs24h,
            long jobsTotal24h, List<FailingServer> failing, long openAlerts, Instant at) {
    }

    /** The full dashboard page: the tenant, the live numbers and the 30-day trend, read in one transaction. */
    public record Home(TenantView tenant, Dashboard dashboard, Trend trend) {
    }

    @Inject
    ServerService servers;

    @Inject
    TenantService tenants;

    @Inject
    TrendService trends;

    @Inject
    JobService jobs;

    @Inject
    AlertService alerts;

    /** The full page (see {@link Home}); a tenant that no longer exists is not found. */
    @Transactional
    public Home home() {
        TenantView tenant = tenants.current().orElseThrow(ObjectNotFoundException::new);
        return new Home(tenant, dashboard(), trends.trend(null, null));
    }

    /** The live numbers (the page's part that refreshes every 30 s), in one transaction. */
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
