package dev.fleethook.alert.service;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.fleethook.alert.Alert;
import dev.fleethook.alert.AlertSettings;
import dev.fleethook.job.Job;
import dev.fleethook.job.service.JobViews.JobDetail;
import dev.fleethook.job.service.JobService;
import dev.fleethook.kernel.CurrentTenant;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ScheduledTurns;

/**
 * Alertmanager's repeat interval: an open (not acknowledged) alert that kept failing since its last
 * email gets one summary email ("still failing: N more times") once the tenant's repeat interval
 * (default 24 h) has passed since that email. Runs every minute on every replica; the claim is a
 * conditional update of the alert row, so each summary is sent once.
 */
@ApplicationScoped
public class RepeatNotifier {

    private static final Logger LOG = Logger.getLogger(RepeatNotifier.class);

    @Inject
    CurrentTenant currentTenant;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Inject
    AlertService alerts;

    @Inject
    JobService jobs;

    @Inject
    OutboxService outbox;

    @Inject
    EmailRenderer renderer;

    @ConfigProperty(name = "fleethook.portal.base-url")
    String baseUrl;

    @Scheduled(every = "${fleethook.alerts.repeat-check:60s}", delayed = "40s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "alert-repeat-notifier")
    void run() {
        ScheduledTurns.run(LOG, "Alert repeat check", this::check);
    }

    private static final String DUE = """
            a.state = 'OPEN' AND a.unnotified > 0
            AND coalesce(a.last_notified_at, a.created_at) <= now() - make_interval(mins => coalesce(
                (SELECT st.repeat_interval_minutes FROM alert_settings st WHERE st.tenant_id = a.tenant_id), 1440))""";

    /** One pass over every tenant; returns how many summaries this replica queued (one per alert). */
    public int check() {
        List<?> due = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.REPEAT_NOTIFIER, () -> Panache.getEntityManager()
                .createNativeQuery("SELECT a.tenant_id, a.id FROM alert a WHERE " + DUE).getResultList());
        int sent = 0;
        for (Object row : due) {
            Object[] r = (Object[]) row;
            String tenantId = (String) r[0];
            UUID alertId = (UUID) r[1];
            sent += currentTenant.inTransaction(tenantId, () -> summarize(alertId));
        }
        return sent;
    }

    private int summarize(UUID alertId) {
        int claimed = Panache.getEntityManager().createNativeQuery("UPDATE alert a SET unnotified = 0,"
                + " last_notified_at = now() WHERE a.id = ?1 AND " + DUE).setParameter(1, alertId).executeUpdate();
        if (claimed == 0) {
            return 0;
        }
        Alert a = Alert.findById(alertId);
        Panache.getEntityManager().refresh(a);
        AlertSettings settings = alerts.settingsRow();
        if (!settings.wants(a.kind) || settings.recipients.length == 0) {
            return 0;
        }
        JobDetail detail = null;
        if (a.lastJobId != null && Job.findById(a.lastJobId) != null) {
            detail = jobs.detail(a.lastJobId);
        }
        String subject = "Still failing: " + a.title + " (" + a.occurrences + " times since "
                + a.createdAt.toString().substring(0, 10) + ")";
        String link = a.lastJobId == null ? baseUrl + "/servers/" + a.serverId : baseUrl + "/jobs/" + a.lastJobId;
        EmailRenderer.Rendered mail = renderer.render(alerts.mail(subject, a.title, a.serverId, detail,
                "This alert is still open: " + a.occurrences + " occurrences since " + a.createdAt
                        + " (UTC); the latest job is shown below. Acknowledge it to stop these reminders.",
                link, List.of()));
        for (String recipient : settings.recipients) {
            outbox.enqueue(a.id, recipient, mail);
        }
        return 1;
    }
}
