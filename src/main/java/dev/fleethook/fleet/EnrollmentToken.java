package dev.fleethook.fleet;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.TenantId;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A token that lets agents enroll into a tenant: random, stored hashed, limited in uses and time. */
@Entity
@Table(name = "enrollment_token")
public class EnrollmentToken extends PanacheEntityBase {

    @Id
    public UUID id;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    public String label;

    @Column(name = "token_hash")
    public String tokenHash;

    @Column(name = "token_prefix")
    public String tokenPrefix;

    /** The policy servers enrolled with this token get; null for the tenant's default. */
    @Column(name = "policy_id")
    public UUID policyId;

    /** When set, the enrolling server replaces this one: it takes its policy and labels, the old one is revoked. */
    @Column(name = "replace_server_id")
    public UUID replaceServerId;

    @Column(name = "max_uses")
    public int maxUses;

    public int uses;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at")
    public Instant createdAt;

    public boolean usable(Instant now) {
        return state(now).equals("active");
    }

    public String state(Instant now) {
        return state(revokedAt, uses, maxUses, expiresAt, now);
    }

    /** The one rule of a token's state at {@code now}: revoked, used up, expired or active (only active enrolls). */
    public static String state(Instant revokedAt, int uses, int maxUses, Instant expiresAt, Instant now) {
        if (revokedAt != null) {
            return "revoked";
        }
        if (uses >= maxUses) {
            return "used up";
        }
        return expiresAt.isAfter(now) ? "active" : "expired";
    }
}
