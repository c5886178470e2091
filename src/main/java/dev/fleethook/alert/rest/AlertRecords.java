package dev.fleethook.alert.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.fleethook.alert.service.AlertSettingsService;
import dev.fleethook.alert.service.AlertSettingsView;
import dev.fleethook.alert.service.AlertView;
import dev.fleethook.alert.service.OutboxEmailView;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

/** Wire records of alerts, alert settings and the outbox. */
public final class AlertRecords {

    private AlertRecords() {
    }

    /**
     * An alert: {@code jobId} is the first job counted, {@code lastJobId} the latest; {@code occurrences}
     * how many jobs (or offline episodes) it stands for.
     */
    public record AlertResponse(UUID id, String kind, String state, String title, UUID serverId, UUID jobId,
            Instant createdAt, Instant acknowledgedAt, String acknowledgedBy, Instant resolvedAt, int occurrences,
            Instant lastOccurredAt, UUID lastJobId, Instant lastNotifiedAt) {
        public static AlertResponse of(AlertView a) {
            return new AlertResponse(a.id(), a.kind(), a.state().name().toLowerCase(), a.title(), a.serverId(), a.jobId(),
                    a.createdAt(), a.acknowledgedAt(), a.acknowledgedBy(), a.resolvedAt(), a.occurrences(),
                    a.lastOccurredAt(), a.lastJobId(), a.lastNotifiedAt());
        }
    }

    /** {@code POST /api/v1/alerts/acknowledge}: the alerts to acknowledge (open ones change). */
    public record AcknowledgeRequest(List<UUID> ids) {
    }

    /** How many alerts changed to acknowledged. */
    public record AcknowledgeResponse(int acknowledged) {
    }

    public record SettingsRequest(@Size(max = 50, message = "at most 50 recipients") List<String> recipients,
            List<String> kinds,
            @Min(value = 5, message = "must be 5 to 10080 minutes") @Max(value = 10080, message = "must be 5 to 10080 minutes")
            Integer offlineThresholdMinutes,
            @Min(value = 5, message = "must be 5 to 43200 minutes") @Max(value = 43200, message = "must be 5 to 43200 minutes")
            Integer repeatIntervalMinutes,
            Boolean recoveryEmails) {

        public SettingsRequest(List<String> recipients, List<String> kinds, Integer offlineThresholdMinutes) {
            this(recipients, kinds, offlineThresholdMinutes, null, null);
        }

        /** The service's command; the constraints above are its own, repeated for the API document. */
        public AlertSettingsService.SettingsChange change() {
            return new AlertSettingsService.SettingsChange(recipients, kinds, offlineThresholdMinutes,
                    repeatIntervalMinutes, recoveryEmails);
        }
    }

    /** {@code recipientsAreDefault}: nothing saved yet, the recipients are the tenant's admins. */
    public record SettingsResponse(List<String> recipients, List<String> kinds, int offlineThresholdMinutes,
            int repeatIntervalMinutes, boolean recoveryEmails, boolean recipientsAreDefault) {
        public static SettingsResponse of(AlertSettingsView s) {
            return new SettingsResponse(List.of(s.recipients()), List.of(s.kinds()), s.offlineThresholdMinutes(),
                    s.repeatIntervalMinutes(), s.recoveryEmails(), s.usesDefaults());
        }
    }

    public record OutboxResponse(UUID id, UUID alertId, String recipient, String subject, String status, int attempts,
            Instant nextAttemptAt, String lastError, Instant createdAt, Instant sentAt) {
        public static OutboxResponse of(OutboxEmailView e) {
            return new OutboxResponse(e.id(), e.alertId(), e.recipient(), e.subject(), e.status().name().toLowerCase(),
                    e.attempts(), e.nextAttemptAt(), e.lastError(), e.createdAt(), e.sentAt());
        }
    }

    public record TestEmailRequest(String recipient) {
    }
}
