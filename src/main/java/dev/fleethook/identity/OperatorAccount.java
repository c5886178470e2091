package dev.fleethook.identity;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A platform operator: runs the portal, creates and suspends tenants. Belongs to no tenant. */
@Entity
@Table(name = "operator_account")
public class OperatorAccount extends PanacheEntityBase {

    @Id
    public UUID id;

    public String email;

    @Column(name = "display_name")
    public String displayName;

    @Column(name = "password_hash")
    public String passwordHash;

    @Column(name = "created_at")
    public Instant createdAt;
}
