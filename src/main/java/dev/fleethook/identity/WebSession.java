package dev.fleethook.identity;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A signed-in browser. The cookie carries a random token; only its SHA-256 is stored. */
@Entity
@Table(name = "web_session")
public class WebSession extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "token_hash")
    public String tokenHash;

    @Column(name = "operator_id")
    public UUID operatorId;

    @Column(name = "user_id")
    public UUID userId;

    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    /** The browser's {@code User-Agent} at sign-in (at most 512 characters), or null. */
    @Column(name = "user_agent")
    public String userAgent;

    /** The client address at sign-in, or null when unknown. */
    public String address;
}
