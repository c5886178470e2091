package dev.fleethook.audit;

import java.time.Instant;
import java.util.UUID;

/**
 * An audit entry as pages and the API see it, with the property names of {@link AuditEntry}; {@code before}
 * and {@code after} are JSON text (null when absent).
 */
public record AuditEntryView(UUID id, Instant at, String actor, String action, String targetType, String targetId,
        String summary, String before, String after) {

    public static AuditEntryView of(AuditEntry e) {
        return new AuditEntryView(e.id, e.at, e.actor, e.action, e.targetType, e.targetId, e.summary, e.before, e.after);
    }
}
