package dev.fleethook.alert;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.TenantId;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An email waiting to be sent, sent, or given up on, with its delivery attempts. */
@Entity
@Table(name = "email_outbox")
public class OutboxEmail extends PanacheEntityBase {

    @Id
    public UUID id;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "alert_id")
    public UUID alertId;

    public String recipient;

    public String subject;

    public String html;

    public String text;

    /** Where an email is in the outbox; stored by name, as the sender's SQL writes it. */
    public enum Status {
        PENDING, SENDING, SENT,
        /** Gave up after the last attempt; an operator can retry it. */
        FAILED
    }

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Status status;

    public int attempts;

    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    @Column(name = "claimed_until")
    public Instant claimedUntil;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "sent_at")
    public Instant sentAt;
}
