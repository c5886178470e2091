package dev.fleethook.alert.service;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.alert.OutboxEmail;

/** An email of the outbox as its pages and the API see it, with the property names of {@link OutboxEmail}. */
public record OutboxEmailView(UUID id, UUID alertId, String recipient, String subject, String html, String text,
        OutboxEmail.Status status, int attempts, Instant nextAttemptAt, String lastError, Instant createdAt,
        Instant sentAt) {

    public static OutboxEmailView of(OutboxEmail e) {
        return new OutboxEmailView(e.id, e.alertId, e.recipient, e.subject, e.html, e.text, e.status, e.attempts,
                e.nextAttemptAt, e.lastError, e.createdAt, e.sentAt);
    }
}
