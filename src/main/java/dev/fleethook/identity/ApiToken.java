package dev.fleethook.identity;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A personal API token, used as {@code Authorization: Bearer}. Only its SHA-256 is stored. */
@Entity
@Table(name = "api_token")
public class ApiToken extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "token_hash")
    public String tokenHash;

    /** The first characters of the token, shown in lists so a user can tell tokens apart. */
    @Column(name = "token_prefix")
    public String tokenPrefix;

    public String name;

    @Column(name = "operator_id")
    public UUID operatorId;

    @Column(name = "user_id")
    public UUID userId;

    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    public boolean isActive(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }
}
