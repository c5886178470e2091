package dev.fleethook.alert.service;

import java.util.List;
import java.util.UUID;

import org.jboss.logging.Logger;

import dev.fleethook.alert.Alert;
import dev.fleethook.fleet.Server;
import dev.fleethook.kernel.CurrentTenant;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ScheduledTurns;

/**
 * Raises an alert for each server silent for longer than its tenant's threshold (one per offline
 * episode, keyed by the last time it was seen) and resolves it once the server polls again. Safe on
 * several replicas: the unique key and idempotent updates make a second run a no-op.
 */
@ApplicationScoped
public class OfflineDetector {

    private static final Logger LOG = Logger.getLogger(OfflineDetector.class);

    @Inject
    CurrentTenant currentTenant;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Inject
    AlertService alerts;

    @Scheduled(every = "${fleethook.alerts.offline-check:60s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            identity = "offline-detector")
    void run() {
        ScheduledTurns.run(LOG, "Offline check", this::check);
    }

    /** Resolves one offline alert once (conditional update) and announces the recovery. */
    private boolean resolve(UUID alertId) {
        int updated = Panache.getEntityManager().createNativeQuery(
                "UPDATE alert SET state = 'RESOLVED', resolved_at = now() WHERE id = ?1 AND state <> 'RESOLVED'")
                .setParameter(1, alertId).executeUpdate();
        if (updated > 0) {
            Alert a = Alert.findById(alertId);
            Panache.getEntityManager().refresh(a);
            Server server = Server.findById(a.serverId);
            alerts.announceRecovery(a.serverId, server == null ? "a server" : server.hostname,
                    List.of(new AlertService.ResolvedAlert(a.id, a.kind, a.title, a.occurrences, a.lastNotifiedAt)));
        }
        return updated > 0;
    }

    /** One pass over every tenant; returns how many alerts were raised. */
    public int check() {
        List<?> silent = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.OFFLINE_DETECTOR, () -> Panache.getEntityManager().createNativeQuery("""
                SELECT s.tenant_id, s.id, s.hostname, s.last_seen_at, coalesce(a.offline_threshold_minutes, 60)
                  FROM server s JOIN tenant t ON t.id = s.tenant_id AND NOT t.suspended
                  LEFT JOIN alert_settings a ON a.tenant_id = s.tenant_id
                 WHERE s.status = 'ENABLED' AND s.last_seen_at IS NOT NULL
                   AND s.last_seen_at < now() - make_interval(mins => coalesce(a.offline_threshold_minutes, 60))""")
                .getResultList());
        int raised = 0;
        for (Object row : silent) {
            Object[] r = (Object[]) row;
            String tenantId = (String) r[0];
            UUID serverId = (UUID) r[1];
            String hostname = (String) r[2];
            Object lastSeen = r[3];
            int threshold = ((Number) r[4]).intValue();
            boolean created = currentTenant.inTransaction(tenantId, () -> alerts.raise(serverId, null, Alert.AGENT_OFFLINE,
                    "offline:" + serverId + ":" + lastSeen, hostname + " has not been seen for more than " + threshold
                            + " minutes", null, "Last seen " + lastSeen + " (UTC); threshold " + threshold + " min."));
            raised += created ? 1 : 0;
        }
        List<?> back = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.OFFLINE_DETECTOR, () -> Panache.getEntityManager().createNativeQuery("""
                SELECT a.tenant_id, a.id FROM alert a JOIN server s ON s.id = a.server_id
                  LEFT JOIN alert_settings st ON st.tenant_id = s.tenant_id
                 WHERE a.kind = 'agent-offline' AND a.state <> 'RESOLVED'
                   AND s.last_seen_at >= now() - make_interval(mins => coalesce(st.offline_threshold_minutes, 60))""")
                .getResultList());
        for (Object row : back) {
            Object[] r = (Object[]) row;
            currentTenant.inTransaction((String) r[0], () -> resolve((UUID) r[1]));
        }
        return raised;
    }
}
