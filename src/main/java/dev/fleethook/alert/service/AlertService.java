package dev.fleethook.alert.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.fleethook.alert.Alert;
import dev.fleethook.alert.AlertSettings;
import dev.fleethook.fleet.Server;
import dev.fleethook.kernel.Page;
import dev.fleethook.job.service.JobViews.JobDetail;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.Tenant;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import dev.fleethook.kernel.ObjectNotFoundException;

/**
 * Alerts: the list and its filters, acknowledging, raising one-off alerts (offline episodes) with their email,
 * recovery emails, the mail every alert email is built from, and the tenant's settings. Alerts for finished
 * jobs (grouping, repeats, resolving on success) are raised by {@link JobOutcomeAlerts}.
 */
@ApplicationScoped
public class AlertService {

    /** An alert just resolved, as a recovery email names it; {@code lastNotifiedAt} null: nobody was told. */
    public record ResolvedAlert(UUID id, String kind, String title, int occurrences, Instant lastNotifiedAt) {
    }

    /** The alerts page and API filter; null fields match everything. */
    public record Filter(String state, String kind, UUID serverId, Instant from, Instant to, int page, int size) {
    }

    @Inject
    OutboxService outbox;

    @Inject
    dev.fleethook.fleet.service.ServerService servers;

    @Inject
    EmailRenderer renderer;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    AlertMetrics metrics;

    @ConfigProperty(name = "fleethook.portal.base-url")
    String baseUrl;

    /**
     * Inserts an alert unless its dedupe key exists (offline episodes), and queues one email per
     * recipient for it. Must run inside a transaction bound to the alert's tenant.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean raise(UUID serverId, UUID jobId, String kind, String dedupeKey, String title, JobDetail detail,
            String extra) {
        UUID id = UUID.randomUUID();
        int inserted = Panache.getEntityManager().createNativeQuery("""
                INSERT INTO alert (id, tenant_id, server_id, job_id, last_job_id, kind, dedupe_key, state, title,
                                   created_at, last_occurred_at, last_notified_at)
                VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, 'OPEN', ?7, now(), now(), now()) ON CONFLICT (dedupe_key) DO NOTHING""")
                .setParameter(1, id).setParameter(2, currentTenant.require()).setParameter(3, serverId)
                .setParameter(4, jobId).setParameter(5, kind).setParameter(6, dedupeKey)
                .setParameter(7, shorten(title)).executeUpdate();
        if (inserted == 0) {
            return false;
        }
        metrics.alertRaised(kind);
        AlertSettings settings = settingsRow();
        if (settings.wants(kind) && settings.recipients.length > 0) {
            EmailRenderer.Rendered mail = renderer.render(mail(title, serverId, detail, extra,
                    jobId == null ? baseUrl + "/servers/" + serverId : baseUrl + "/jobs/" + jobId));
            for (String recipient : settings.recipients) {
                outbox.enqueue(id, recipient, mail);
            }
        }
        return true;
    }

    /** The mail for an alert; also used by the preview page and the test email. */
    public AlertMail mail(String title, UUID serverId, JobDetail detail, String extra, String link) {
        return mail(title, title, serverId, detail, extra, link, List.of());
    }

    /** The mail for one or more problems: {@code subject} without the "[Fleethook]" prefix. */
    public AlertMail mail(String subject, String title, UUID serverId, JobDetail detail, String extra, String link,
            List<String> problems) {
        Tenant tenant = Tenant.findById(currentTenant.require());
        Server server = serverId == null ? null : Server.findById(serverId);
        String host = server == null ? (detail == null ? "example-server" : detail.job().hostname()) : server.hostname;
        return new AlertMail("[Fleethook] " + subject, title, tenant == null ? "your organization" : tenant.name, host,
                detail == null ? null : detail.job().policyName(), detail == null ? null : detail.job().policyRevision(),
                detail, extra, link, settingsUrl(), problems.size() > 1 ? problems : List.of(), false);
    }

    public String settingsUrl() {
        return baseUrl + "/alerts/settings";
    }

    /**
     * Sends one recovery email per recipient for the alerts just resolved on a server that someone was
     * told about (tenant setting {@code recoveryEmails}). Runs in the resolving transaction.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void announceRecovery(UUID serverId, String hostname, List<ResolvedAlert> resolved) {
        if (resolved.stream().allMatch(a -> a.lastNotifiedAt() == null)) {
            return;
        }
        AlertSettings settings = settingsRow();
        List<ResolvedAlert> told = resolved.stream().filter(a -> a.lastNotifiedAt() != null && settings.wants(a.kind()))
                .toList();
        if (told.isEmpty() || !settings.recoveryEmails || settings.recipients.length == 0) {
            return;
        }
        String subject = "Resolved on " + hostname + ": " + told.stream().map(ResolvedAlert::kind).distinct()
                .reduce((a, b) -> a + ", " + b).orElse("");
        List<String> lines = told.stream().map(a -> "Resolved: " + a.title()
                + (a.occurrences() > 1 ? " (" + a.occurrences() + " times while open)" : "")).toList();
        EmailRenderer.Rendered mail = renderer.render(mail(subject, "Recovered: " + hostname + " is fine again",
                serverId, null, null, baseUrl + "/servers/" + serverId, lines).asRecovery());
        for (String recipient : settings.recipients) {
            outbox.enqueue(told.get(0).id(), recipient, mail);
        }
    }

    /**
     * The tenant's settings; without a stored row, the defaults — recipients are then the tenant's
     * enabled admins, so a fresh tenant's alerts reach someone until an admin edits the list.
     */
    public AlertSettingsView settings() {
        return AlertSettingsView.of(settingsRow());
    }

    /** {@link #settings()} as the entity, for this feature's services (not stored when it is the defaults). */
    @SuppressWarnings("unchecked")
    AlertSettings settingsRow() {
        String tenant = currentTenant.require();
        AlertSettings s = AlertSettings.findById(tenant);
        if (s == null) {
            s = new AlertSettings();
            s.tenantId = tenant;
            s.unsaved(true);
            List<String> admins = Panache.getEntityManager().createNativeQuery("""
                    SELECT email FROM app_user WHERE tenant_id = ?1 AND role = 'ADMIN' AND NOT disabled ORDER BY email""")
                    .setParameter(1, tenant).getResultList();
            s.recipients = admins.toArray(String[]::new);
        }
        return s;
    }

    /** A page of alerts, newest activity first. */
    public Page<AlertView> list(Filter f) {
        Page.checkRequest(f.page(), f.size());
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters p = new Parameters();
        String state = f.state() == null ? "" : f.state().trim().toLowerCase();
        if (!state.isEmpty() && !state.equals("all")) {
            if (!List.of("open", "acknowledged", "resolved", "unresolved").contains(state)) {
                throw new BadInputException("state", "must be one of open, acknowledged, resolved, unresolved, all");
            }
            if (state.equals("unresolved")) {
                where.append(" and state <> :resolved");
                p.and("resolved", Alert.State.RESOLVED);
            } else {
                where.append(" and state = :state");
                p.and("state", Alert.State.valueOf(state.toUpperCase()));
            }
        }
        if (f.kind() != null && !f.kind().isBlank()) {
            if (!Alert.KINDS.contains(f.kind().trim())) {
                throw new BadInputException("kind", "must be one of " + String.join(", ", Alert.KINDS));
            }
            where.append(" and kind = :kind");
            p.and("kind", f.kind().trim());
        }
        if (f.serverId() != null) {
            where.append(" and serverId = :server");
            p.and("server", f.serverId());
        }
        if (f.from() != null) {
            where.append(" and lastOccurredAt >= :from");
            p.and("from", f.from());
        }
        if (f.to() != null) {
            where.append(" and lastOccurredAt < :to");
            p.and("to", f.to());
        }
        var query = Alert.<Alert> find(where.toString(), Sort.by("lastOccurredAt", Sort.Direction.Descending)
                .and("id"), p);
        long total = query.count();
        return new Page<>(query.page(io.quarkus.panache.common.Page.of(f.page(), f.size())).list(), total, f.page(),
                f.size()).map(AlertView::of);
    }

    /** The servers of the current tenant that have alerts, as id and hostname, by hostname (the list's filter). */
    public List<Map.Entry<UUID, String>> serversWithAlerts() {
        // Not the whole fleet: 10,000 options made the page 700 KiB and 400 ms at fleet scale (issue 17).
        List<UUID> ids = Alert.getEntityManager()
                .createQuery("select distinct a.serverId from Alert a where a.serverId is not null", UUID.class)
                .getResultList();
        return servers.hostnames(ids).entrySet().stream()
                .sorted(Map.Entry.<UUID, String> comparingByValue().thenComparing(e -> e.getKey().toString()))
                .map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    public long openCount() {
        return Alert.count("state = ?1", Alert.State.OPEN);
    }

    @Transactional
    public AlertView acknowledge(UUID id, String by) {
        Alert a = Alert.<Alert> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        if (a.state == Alert.State.RESOLVED) {
            throw new ConflictException("The alert is already resolved.");
        }
        if (a.state != Alert.State.ACKNOWLEDGED) {
            a.state = Alert.State.ACKNOWLEDGED;
            a.acknowledgedAt = Instant.now();
            a.acknowledgedBy = by;
        }
        return AlertView.of(a);
    }

    /**
     * Acknowledges every open alert among {@code ids} (at most 1,000); ids of resolved, already
     * acknowledged or unknown alerts (another tenant's included) are skipped. Returns how many changed.
     */
    @Transactional
    public int acknowledgeAll(List<UUID> ids, String by) {
        if (ids == null || ids.isEmpty()) {
            throw new BadInputException("ids", "is required: the alerts to acknowledge");
        }
        if (ids.size() > 1000) {
            throw new BadInputException("ids", "must be at most 1000 alerts");
        }
        return (int) Alert.update("state = ?5, acknowledgedAt = ?1, acknowledgedBy = ?2"
                + " where state = ?6 and id in ?3 and tenantId = ?4", Instant.now(), by, ids, currentTenant.require(),
                Alert.State.ACKNOWLEDGED, Alert.State.OPEN);
    }

    /** A query parameter that must be an id (null when blank); 400 naming it otherwise. */
    public static UUID parseId(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(field, "must be an id");
        }
    }

    /** A query parameter that must be an ISO-8601 time or a date (UTC midnight); null when blank. */
    public static Instant parseTime(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return java.time.LocalDate.parse(value.trim()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            } catch (java.time.format.DateTimeParseException e2) {
                throw new BadInputException(field, "must be an ISO-8601 time or date (2026-11-29T08:00:00Z)");
            }
        }
    }

    /** A title as stored (at most 300 characters). */
    static String shorten(String title) {
        return title.length() > 300 ? title.substring(0, 299) + "…" : title;
    }
}
