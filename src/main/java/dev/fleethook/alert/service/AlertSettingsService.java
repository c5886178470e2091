package dev.fleethook.alert.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.fleethook.alert.Alert;
import dev.fleethook.alert.AlertSettings;
import dev.fleethook.alert.OutboxEmail;
import dev.fleethook.kernel.ObjectNotFoundException;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import dev.fleethook.audit.AuditService;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.InputValidator;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import dev.fleethook.kernel.Page;

/** Alert settings of the current tenant, the test email, and the outbox listing. */
@ApplicationScoped
public class AlertSettingsService {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    @Inject
    AlertService alerts;

    @Inject
    InputValidator validator;

    @Inject
    AuditService audit;

    @Inject
    OutboxService outbox;

    @Inject
    EmailRenderer renderer;

    /**
     * A change of the alert settings (the API's {@code SettingsRequest} and the settings form): a null
     * field keeps its value. Recipients are email addresses (at most 50), kinds those of {@link Alert#KINDS},
     * the offline threshold 5 to 10080 minutes, the repeat interval 5 to 43200 minutes.
     */
    public record SettingsChange(@Size(max = 50, message = "at most 50 recipients") List<String> recipients,
            List<String> kinds,
            @Min(value = 5, message = "must be 5 to 10080 minutes") @Max(value = 10080, message = "must be 5 to 10080 minutes")
            Integer offlineThresholdMinutes,
            @Min(value = 5, message = "must be 5 to 43200 minutes") @Max(value = 43200, message = "must be 5 to 43200 minutes")
            Integer repeatIntervalMinutes,
            Boolean recoveryEmails) {
    }

    /**
     * Saves the settings, audited as {@code alert-settings.update}.
     *
     * @throws BadInputException naming the field ({@code recipients[2]}, {@code kinds[0]}, ...)
     */
    @Transactional
    public AlertSettingsView update(SettingsChange request) {
        validator.check(request);
        AlertSettings s = alerts.settingsRow();
        Map<String, Object> before = Map.of("recipients", List.of(s.recipients), "kinds", List.of(s.kinds),
                "offlineThresholdMinutes", s.offlineThresholdMinutes);
        if (request.recipients() != null) {
            List<String> clean = new ArrayList<>();
            for (int i = 0; i < request.recipients().size(); i++) {
                String r = request.recipients().get(i) == null ? "" : request.recipients().get(i).trim();
                if (!EMAIL.matcher(r).matches() || r.length() > 254) {
                    throw new BadInputException("recipients[" + i + "]", "must be an email address");
                }
                if (!clean.contains(r)) {
                    clean.add(r);
                }
            }
            s.recipients = clean.toArray(String[]::new);
        }
        if (request.kinds() != null) {
            for (int i = 0; i < request.kinds().size(); i++) {
                if (!Alert.KINDS.contains(request.kinds().get(i))) {
                    throw new BadInputException("kinds[" + i + "]", "must be one of " + String.join(", ", Alert.KINDS));
                }
            }
            s.kinds = request.kinds().stream().distinct().toArray(String[]::new);
        }
        if (request.offlineThresholdMinutes() != null) {
            s.offlineThresholdMinutes = request.offlineThresholdMinutes();
        }
        if (request.repeatIntervalMinutes() != null) {
            s.repeatIntervalMinutes = request.repeatIntervalMinutes();
        }
        if (request.recoveryEmails() != null) {
            s.recoveryEmails = request.recoveryEmails();
        }
        s.unsaved(false);
        s.persist();
        audit.record("alert-settings.update", "alert-settings", s.tenantId, "Changed alert settings", before,
                Map.of("recipients", List.of(s.recipients), "kinds", List.of(s.kinds),
                        "offlineThresholdMinutes", s.offlineThresholdMinutes, "repeatIntervalMinutes",
                        s.repeatIntervalMinutes, "recoveryEmails", s.recoveryEmails));
        return AlertSettingsView.of(s);
    }

    /** Queues a sample alert email to one address (or every recipient) through the real outbox. */
    @Transactional
    public int sendTest(String recipient) {
        List<String> to = new ArrayList<>();
        if (recipient != null && !recipient.isBlank()) {
            if (!EMAIL.matcher(recipient.trim()).matches()) {
                throw new BadInputException("recipient", "must be an email address");
            }
            to.add(recipient.trim());
        } else {
            to.addAll(List.of(alerts.settingsRow().recipients));
        }
        if (to.isEmpty()) {
            throw new BadInputException("recipient", "give an address, or add recipients first");
        }
        EmailRenderer.Rendered mail = renderer.render(alerts.mail("Test email: alerts reach you", null, null,
                "This is a test of your alert settings. Nothing failed.", alerts.settingsUrl()));
        to.forEach(r -> outbox.enqueue(null, r, mail));
        return to.size();
    }

    /**
     * A page of the outbox, newest first; {@code status} one of pending, sending, sent, failed (or null),
     * {@code recipient} a part of the address (case-insensitive).
     */
    public Page<OutboxEmailView> outbox(String status, String recipient, int page,
            int size) {
        Page.checkRequest(page, size);
        StringBuilder where = new StringBuilder("1 = 1");
        io.quarkus.panache.common.Parameters p = new io.quarkus.panache.common.Parameters();
        if (status != null && !status.isBlank() && !status.equalsIgnoreCase("all")) {
            if (!List.of("pending", "sending", "sent", "failed").contains(status.trim().toLowerCase())) {
                throw new BadInputException("status", "must be one of pending, sending, sent, failed, all");
            }
            where.append(" and status = :status");
            p.and("status", OutboxEmail.Status.valueOf(status.trim().toUpperCase()));
        }
        if (recipient != null && !recipient.isBlank()) {
            where.append(" and lower(recipient) like :recipient");
            p.and("recipient", "%" + recipient.trim().toLowerCase().replace("\\", "").replace("%", "").replace("_", "\\_") + "%");
        }
        var query = OutboxEmail.<OutboxEmail> find(where.toString(),
                Sort.by("createdAt", Sort.Direction.Descending).and("id"), p);
        return new Page<>(query.page(io.quarkus.panache.common.Page.of(page, size)).list(), query.count(), page, size)
                .map(OutboxEmailView::of);
    }

    /**
     * One email of the outbox, with its HTML and text.
     *
     * @throws ObjectNotFoundException when it is not one of the current tenant's
     */
    public OutboxEmailView email(UUID id) {
        return OutboxEmail.<OutboxEmail> findByIdOptional(id).map(OutboxEmailView::of)
                .orElseThrow(ObjectNotFoundException::new);
    }

    /** Sends a failed or pending email again at once ({@link OutboxService#retry}). */
    public OutboxEmailView retry(UUID id) {
        return OutboxEmailView.of(outbox.retry(id));
    }
}
