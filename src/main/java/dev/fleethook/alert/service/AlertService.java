package dev.fleethook.alert.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.fleethook.alert.Alert;
import dev.fleethook.alert.AlertSettings;
import dev.fleethook.fleet.Server;
import dev.fleethook.job.Job;
import dev.fleethook.job.rest.JobRecords.AttemptView;
import dev.fleethook.job.rest.JobRecords.JobDetail;
import dev.fleethook.job.service.EventIngestion;
import dev.fleethook.job.service.JobService;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.tenant.CurrentTenant;
import dev.fleethook.tenant.Tenant;
import dev.fleethook.web.ConflictException;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.NotFoundException;

/**
 * Raises alerts when a job ends after its last attempt — for the job and for each script failure of
 * that attempt — and writes their emails to the outbox in the same transaction. Never during earlier
 * attempts: the agent reports {@code job-finished} only after the last one. A unique key per kind and
 * job makes a second evaluation (a late event, a replayed batch) a no-op.
 */
@ApplicationScoped
public class AlertService {

    @Inject
    JobService jobs;

    @Inject
    OutboxService outbox;

    @Inject
    EmailRenderer renderer;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    dev.fleethook.web.FleetMetrics metrics;

    @ConfigProperty(name = "fleethook.portal.base-url")
    String baseUrl;

    /** Evaluates a finished job (in the ingestion transaction). */
    void onJobFinished(@Observes EventIngestion.JobFinished event) {
        Job job = Job.findById(event.jobId());
        if (job == null || JobStatus.RUNNING.name().equals(job.status)) {
            return;
        }
        if (JobStatus.SUCCEEDED.name().equals(job.status)) {
            resolveJobAlerts(job.serverId);
            return;
        }
        JobDetail detail = jobs.detail(job.id);
        AttemptView last = detail.attempts().stream().filter(a -> a.number() == job.attempts).findFirst()
                .orElse(detail.attempts().isEmpty() ? null : detail.attempts().get(detail.attempts().size() - 1));
        String host = detail.job().hostname();
        List<String[]> raise = new ArrayList<>();
        boolean backupFailed = job.backupStatus == null || job.backupStatus != BackupStatus.SUCCESSFUL.code();
        if ("agent-start".equals(job.trigger) && !JobStatus.CANCELED.name().equals(job.status)) {
            // The agent-start hooks' own job has no backup: the subject names the hooks that failed.
            raise.add(new String[] { Alert.JOB_FAILED, failedHooks(last) + " on " + host + " at agent start" });
        } else if (backupFailed && !JobStatus.CANCELED.name().equals(job.status)) {
            String backup = job.backupStatus == null ? "N/A" : BackupStatus.ofCode(job.backupStatus).label();
            raise.add(new String[] { Alert.JOB_FAILED, "Backup " + backup + " on " + host + " after "
                    + job.attempts + " attempt" + (job.attempts == 1 ? "" : "s") });
        }
        if (last != null) {
            Integer pre = last.pre().statusCode();
            Integer post = last.post().statusCode();
            Integer backup = last.backup().statusCode();
            if (pre != null && (pre == ScriptStatus.FAILED.code() || pre == ScriptStatus.TIMED_OUT.code())) {
                raise.add(new String[] { Alert.PRE_SCRIPT_FAILED, "Pre-script " + last.pre().status() + " on " + host });
            }
            if (post != null && (post == ScriptStatus.FAILED.code() || post == ScriptStatus.TIMED_OUT.code())) {
                raise.add(new String[] { Alert.POST_SCRIPT_FAILED, "Post-script " + last.post().status() + " on " + host });
            }
            if (pre != null && pre == ScriptStatus.SKIPPED.code() && backup != null
                    && backup == BackupStatus.NOT_EXECUTED.code()) {
                raise.add(new String[] { Alert.SCRIPT_MISSING,
                        "Pre-script missing on " + host + ": the backup was skipped" });
            }
        }
        for (String[] r : raise) {
            raise(job.serverId, job.id, r[0], "job:" + job.id + ":" + r[0], r[1], detail, null);
        }
    }

    /** "agent-start hook #0 (/srv/x) Failed, …" for the hooks of {@code attempt} that failed or timed out. */
    private static String failedHooks(AttemptView attempt) {
        List<String> failed = new ArrayList<>();
        if (attempt != null && attempt.hooks() != null) {
            for (var h : attempt.hooks()) {
                Integer code = h.result() == null ? null : h.result().statusCode();
                if (code != null && (code == ScriptStatus.FAILED.code() || code == ScriptStatus.TIMED_OUT.code())) {
                    failed.add(h.label() + " " + h.result().status());
                }
            }
        }
        return failed.isEmpty() ? "Agent-start hooks failed" : String.join(", ", failed);
    }

    /**
     * Inserts the alert unless its dedupe key exists, and queues one email per recipient for it.
     * Must run inside a transaction bound to the alert's tenant.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean raise(UUID serverId, UUID jobId, String kind, String dedupeKey, String title, JobDetail detail,
            String extra) {
        UUID id = UUID.randomUUID();
        int inserted = Panache.getEntityManager().createNativeQuery("""
                INSERT INTO alert (id, tenant_id, server_id, job_id, kind, dedupe_key, state, title, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'OPEN', ?7, now()) ON CONFLICT (dedupe_key) DO NOTHING""")
                .setParameter(1, id).setParameter(2, currentTenant.require()).setParameter(3, serverId)
                .setParameter(4, jobId).setParameter(5, kind).setParameter(6, dedupeKey)
                .setParameter(7, title.length() > 300 ? title.substring(0, 300) : title).executeUpdate();
        if (inserted == 0) {
            return false;
        }
        metrics.alertRaised(kind);
        AlertSettings settings = settings();
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
        Tenant tenant = Tenant.findById(currentTenant.require());
        Server server = serverId == null ? null : Server.findById(serverId);
        String host = server == null ? (detail == null ? "example-server" : detail.job().hostname()) : server.hostname;
        return new AlertMail("[Fleethook] " + title, title, tenant == null ? "your organization" : tenant.name, host,
                detail == null ? null : detail.job().policyName(), detail == null ? null : detail.job().policyRevision(),
                detail, extra, link, settingsUrl());
    }

    public String settingsUrl() {
        return baseUrl + "/alerts/settings";
    }

    private void resolveJobAlerts(UUID serverId) {
        Panache.getEntityManager().createNativeQuery("""
                UPDATE alert SET state = 'RESOLVED', resolved_at = now()
                 WHERE server_id = ?1 AND state <> 'RESOLVED' AND kind <> 'agent-offline'""")
                .setParameter(1, serverId).executeUpdate();
    }

    public AlertSettings settings() {
        String tenant = currentTenant.require();
        AlertSettings s = AlertSettings.findById(tenant);
        if (s == null) {
            s = new AlertSettings();
            s.tenantId = tenant;
        }
        return s;
    }

    public List<Alert> list(String state, String kind, int page, int size) {
        StringBuilder where = new StringBuilder("1 = 1");
        io.quarkus.panache.common.Parameters p = new io.quarkus.panache.common.Parameters();
        if (state != null && !state.isBlank()) {
            where.append(" and state = :state");
            p.and("state", state.trim().toUpperCase());
        }
        if (kind != null && !kind.isBlank()) {
            where.append(" and kind = :kind");
            p.and("kind", kind.trim());
        }
        return Alert.<Alert> find(where.toString(), Sort.by("createdAt", Sort.Direction.Descending), p)
                .page(io.quarkus.panache.common.Page.of(page, size)).list();
    }

    public long openCount() {
        return Alert.count("state = 'OPEN'");
    }

    @Transactional
    public Alert acknowledge(UUID id, String by) {
        Alert a = Alert.<Alert> findByIdOptional(id).orElseThrow(NotFoundException::new);
        if ("RESOLVED".equals(a.state)) {
            throw new ConflictException("The alert is already resolved.");
        }
        if (!"ACKNOWLEDGED".equals(a.state)) {
            a.state = "ACKNOWLEDGED";
            a.acknowledgedAt = Instant.now();
            a.acknowledgedBy = by;
        }
        return a;
    }
}
