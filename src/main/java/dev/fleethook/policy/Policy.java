package dev.fleethook.policy;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.TenantId;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A backup policy: a name and a pointer to its current revision, which holds what it says. */
@Entity
@Table(name = "policy")
public class Policy extends PanacheEntityBase {

    @Id
    public UUID id;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    public String name;

    public String description;

    @Column(name = "current_revision")
    public int currentRevision;

    /** The tenant's default policy, given to servers that enroll without one. Cannot be deleted. */
    @Column(name = "is_default")
    public boolean isDefault;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Version
    public long version;
}
