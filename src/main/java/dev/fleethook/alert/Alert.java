package dev.fleethook.alert;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.TenantId;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * Something an administrator must know: open → acknowledged → resolved. Job alerts are grouped: one
 * unresolved alert per server and kind, whose {@code occurrences} count the jobs that failed that way
 * (a partial unique index keeps it one); offline alerts are one per silent episode.
 */
@Entity
@Table(name = "alert")
public class Alert extends PanacheEntityBase {

    /** Alert kinds, as stored and as named in settings. */
    public static final String JOB_FAILED = "job-failed";
    public static final String PRE_SCRIPT_FAILED = "pre-script-failed";
    public static final String POST_SCRIPT_FAILED = "post-script-failed";
    public static final String SCRIPT_MISSING = "script-missing";
    /** An essential or optional hook of the job's last attempt failed or timed out (any phase). */
    public static final String HOOK_FAILED = "hook-failed";
    /** The portal closed a job its agent stopped reporting. */
    public static final String JOB_ABANDONED = "job-abandoned";
    public static final String AGENT_OFFLINE = "agent-offline";
    public static final java.util.List<String> KINDS = java.util.List.of(JOB_FAILED, PRE_SCRIPT_FAILED,
            POST_SCRIPT_FAILED, HOOK_FAILED, SCRIPT_MISSING, JOB_ABANDONED, AGENT_OFFLINE);

    /** How bad a kind is, worst first: an email about several failures is titled by the worst. */
    public static int severity(String kind) {
        int i = java.util.List.of(JOB_ABANDONED, JOB_FAILED, PRE_SCRIPT_FAILED, SCRIPT_MISSING, HOOK_FAILED,
                POST_SCRIPT_FAILED, AGENT_OFFLINE).indexOf(kind);
        return i < 0 ? 99 : i;
    }

    @Id
    public UUID id;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "server_id")
    public UUID serverId;

    @Column(name = "job_id")
    public UUID jobId;

    public String kind;

    @Column(name = "dedupe_key")
    public String dedupeKey;

    /** Where an alert is in its life; stored by name ({@code OPEN}, ...), as the SQL of this feature writes it. */
    public enum State { OPEN, ACKNOWLEDGED, RESOLVED }

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public State state;

    public String title;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "acknowledged_at")
    public Instant acknowledgedAt;

    @Column(name = "acknowledged_by")
    public String acknowledgedBy;

    @Column(name = "resolved_at")
    public Instant resolvedAt;

    /** How many jobs (or episodes) this alert stands for. */
    public int occurrences;

    @Column(name = "last_occurred_at")
    public Instant lastOccurredAt;

    /** The latest job counted (the first is {@link #jobId}). */
    @Column(name = "last_job_id")
    public UUID lastJobId;

    @Column(name = "last_notified_at")
    public Instant lastNotifiedAt;

    /** Occurrences since the last email about this alert. */
    public int unnotified;
}
