package dev.fleethook.job;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.TenantId;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A backup job as its agent reported it. Written only by event ingestion; read here. */
@Entity
@Table(name = "job")
public class Job extends PanacheEntityBase {

    @Id
    public UUID id;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "server_id")
    public UUID serverId;

    @Column(name = "policy_id")
    public UUID policyId;

    @Column(name = "policy_revision")
    public Integer policyRevision;

    public String trigger;

    /** Stored as the constant's name ({@code RUNNING}, {@code SUCCEEDED}, ...), as ingestion's SQL writes it. */
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public dev.fleethook.protocol.JobStatus status;

    @Column(name = "backup_status")
    public Integer backupStatus;

    public int attempts;

    @Column(name = "max_attempts")
    public Integer maxAttempts;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** Recorded by the portal: a scheduled start no agent reported by the end of its window. */
    public boolean missed;

    /** Why the portal closed the job itself (abandoned); null for outcomes the agent reported. */
    @Column(name = "status_reason")
    public String statusReason;
}
