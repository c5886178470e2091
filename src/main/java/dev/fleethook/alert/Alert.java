package dev.fleethook.alert;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.TenantId;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Something an administrator must know: open → acknowledged → resolved. */
@Entity
@Table(name = "alert")
public class Alert extends PanacheEntityBase {

    /** Alert kinds, as stored and as named in settings. */
    public static final String JOB_FAILED = "job-failed";
    public static final String PRE_SCRIPT_FAILED = "pre-script-failed";
    public static final String POST_SCRIPT_FAILED = "post-script-failed";
    public static final String SCRIPT_MISSING = "script-missing";
    public static final String AGENT_OFFLINE = "agent-offline";
    public static final java.util.List<String> KINDS = java.util.List.of(JOB_FAILED, PRE_SCRIPT_FAILED,
            POST_SCRIPT_FAILED, SCRIPT_MISSING, AGENT_OFFLINE);

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

    /** OPEN, ACKNOWLEDGED or RESOLVED. */
    public String state;

    public String title;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "acknowledged_at")
    public Instant acknowledgedAt;

    @Column(name = "acknowledged_by")
    public String acknowledgedBy;

    @Column(name = "resolved_at")
    public Instant resolvedAt;
}
