package dev.fleethook.alert.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.fleethook.alert.Alert;
import dev.fleethook.alert.AlertSettings;
import dev.fleethook.alert.OutboxEmail;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

/** Wire records of alerts, alert settings and the outbox. */
public final class AlertRecords {

    private AlertRecords() {
    }

    public record AlertResponse(UUID id, String kind, String state, String title, UUID serverId, UUID jobId,
            Instant createdAt, Instant acknowledgedAt, String acknowledgedBy, Instant resolvedAt) {
        public static AlertResponse of(Alert a) {
            return new AlertResponse(a.id, a.kind, a.state.toLowerCase(), a.title, a.serverId, a.jobId, a.createdAt,
                    a.acknowledgedAt, a.acknowledgedBy, a.resolvedAt);
        }
    }

    public record SettingsRequest(@Size(max = 50, message = "at most 50 recipients") List<String> recipients,
            List<String> kinds,
            @Min(value = 5, message = "must be 5 to 10080 minutes") @Max(value = 10080, message = "must be 5 to 10080 minutes")
            Integer offlineThresholdMinutes) {
    }

    public record SettingsResponse(List<String> recipients, List<String> kinds, int offlineThresholdMinutes) {
        public static SettingsResponse of(AlertSettings s) {
            return new SettingsResponse(List.of(s.recipients), List.of(s.kinds), s.offlineThresholdMinutes);
        }
    }

    public record OutboxResponse(UUID id, UUID alertId, String recipient, String subject, String status, int attempts,
            Instant nextAttemptAt, String lastError, Instant createdAt, Instant sentAt) {
        public static OutboxResponse of(OutboxEmail e) {
            return new OutboxResponse(e.id, e.alertId, e.recipient, e.subject, e.status.toLowerCase(), e.attempts,
                    e.nextAttemptAt, e.lastError, e.createdAt, e.sentAt);
        }
    }

    public record TestEmailRequest(String recipient) {
    }
}
