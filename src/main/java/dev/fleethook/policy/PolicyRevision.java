package dev.fleethook.policy;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.TenantId;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One saved state of a policy. Never changed once written (the database refuses updates too). */
@Entity
@Immutable
@Table(name = "policy_revision")
public class PolicyRevision extends PanacheEntityBase {

    @Id
    public UUID id;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "policy_id")
    public UUID policyId;

    public int number;

    /** The {@link PolicySpec} as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String spec;

    @Column(name = "spec_hash")
    public String specHash;

    /** Email of who saved it. */
    public String author;

    public String note;

    @Column(name = "created_at")
    public Instant createdAt;
}
