package dev.fleethook.fleet;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.TenantId;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A Backup Now or Cancel for one server, pending until the agent acknowledges it. */
@Entity
@Table(name = "agent_command")
public class AgentCommandEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "server_id")
    public UUID serverId;

    /** BACKUP_NOW or CANCEL. */
    public String kind;

    @Column(name = "job_id")
    public UUID jobId;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "acknowledged_at")
    public Instant acknowledgedAt;
}
