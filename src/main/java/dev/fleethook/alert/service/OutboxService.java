package dev.fleethook.alert.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import dev.fleethook.alert.OutboxEmail;
import dev.fleethook.protocol.Backoff;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.Mailer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import dev.fleethook.kernel.ObjectNotFoundException;

/**
 * The transactional outbox. Emails are written in the transaction that raised their alert; a sender
 * on every replica claims due rows with {@code FOR UPDATE SKIP LOCKED} (so no two replicas take the
 * same one), sends them, and records success or schedules a retry with exponential backoff. A claim
 * that was never completed (a crashed replica) expires and is taken again.
 */
@ApplicationScoped
public class OutboxService {

    private static final Logger LOG = Logger.getLogger(OutboxService.class);
    private static final Duration CLAIM = Duration.ofMinutes(2);

    @Inject
    DataSource dataSource;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Inject
    Mailer mailer;

    @Inject
    AlertConfig config;

    @Inject
    AlertMetrics metrics;

    /** Queues an email in the current transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public OutboxEmail enqueue(UUID alertId, String recipient, EmailRenderer.Rendered mail) {
        OutboxEmail e = new OutboxEmail();
        e.id = UUID.randomUUID();
        e.alertId = alertId;
        e.recipient = recipient;
        e.subject = mail.subject().length() > 300 ? mail.subject().substring(0, 300) : mail.subject();
        e.html = mail.html();
        e.text = mail.text();
        e.status = OutboxEmail.Status.PENDING;
        e.createdAt = Instant.now();
        e.nextAttemptAt = e.createdAt;
        e.persist();
        return e;
    }

    private record Claimed(UUID id, String recipient, String subject, String html, String text, int attempts) {
    }

    /** Claims and sends what is due; returns how many were sent. Safe to run on every replica at once. */
    public int sendDue(int limit) {
        List<Claimed> claimed = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.OUTBOX, () -> claim(limit));
        int sent = 0;
        for (Claimed c : claimed) {
            String error = null;
            try {
                mailer.send(Mail.withHtml(c.recipient(), c.subject(), c.html()).setText(c.text()).setFrom(config.from()));
            } catch (RuntimeException e) {
                error = humanReason(e);
                LOG.warnf("Email %s to a recipient not delivered (attempt %d): %s", c.id(), c.attempts() + 1, e);
            }
            String failure = error;
            metrics.emailDelivery(failure == null);
            crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.OUTBOX, () -> {
                complete(c, failure);
                return null;
            });
            if (failure == null) {
                sent++;
            } else {
                LOG.debugf("Email %s not delivered (attempt %d): %s", c.id(), c.attempts() + 1, failure);
            }
        }
        return sent;
    }

    /**
     * What an admin reads on the outbox page when a delivery failed: a short reason, never the
     * exception's text (class names, addresses of internal hosts); the details go to the server log.
     */
    static String humanReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase();
            String type = t.getClass().getSimpleName();
            if (type.contains("ConnectException") || m.contains("connection refused")) {
                return "The mail server could not be reached (connection refused). The portal retries.";
            }
            if (type.contains("UnknownHost") || m.contains("failed to resolve") || m.contains("unknown host")) {
                return "The mail server's name could not be resolved. Check the SMTP host setting.";
            }
            if (type.contains("Timeout") || m.contains("timed out") || m.contains("timeout")) {
                return "The mail server did not answer in time. The portal retries.";
            }
            if (type.contains("SSL") || m.contains("ssl") || m.contains("tls") || m.contains("certificate")) {
                return "The secure connection to the mail server failed (TLS). Check the SMTP TLS settings.";
            }
            if (m.contains("auth") || m.contains("535") || m.contains("credentials")) {
                return "The mail server refused the portal's credentials.";
            }
            java.util.regex.Matcher code = SMTP_CODE.matcher(m);
            if (code.find()) {
                return (code.group(1).startsWith("5") ? "The mail server refused the message"
                        : "The mail server deferred the message") + " (SMTP " + code.group(1) + ").";
            }
            if (type.contains("Closed") || m.contains("connection was closed") || m.contains("connection reset")) {
                return "The mail server closed the connection. The portal retries.";
            }
        }
        return "The email could not be delivered; the portal's log has the details.";
    }

    private static final java.util.regex.Pattern SMTP_CODE = java.util.regex.Pattern.compile("(?:^|[\\s:])([45]\\d\\d)[ -]");

    private List<Claimed> claim(int limit) throws SQLException {
        List<Claimed> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE email_outbox SET status = 'SENDING', claimed_until = now() + make_interval(secs => ?)
                 WHERE id IN (SELECT id FROM email_outbox
                               WHERE (status = 'PENDING' AND next_attempt_at <= now())
                                  OR (status = 'SENDING' AND claimed_until < now())
                               ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING id, recipient, subject, html, text, attempts""")) {
            s.setDouble(1, CLAIM.toSeconds());
            s.setInt(2, limit);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Claimed((UUID) r.getObject(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getInt(6)));
                }
            }
        }
        return out;
    }

    private void complete(Claimed c, String error) {
        try (Connection conn = dataSource.getConnection()) {
            if (error == null) {
                try (PreparedStatement s = conn.prepareStatement("""
                        UPDATE email_outbox SET status = 'SENT', sent_at = now(), attempts = attempts + 1,
                               claimed_until = NULL, last_error = NULL WHERE id = ?""")) {
                    s.setObject(1, c.id());
                    s.executeUpdate();
                }
                return;
            }
            int attempts = c.attempts() + 1;
            boolean giveUp = attempts >= config.maxAttempts();
            long backoff = Backoff.exponential(config.backoff(), config.maxBackoff(), attempts).toSeconds();
            try (PreparedStatement s = conn.prepareStatement("""
                    UPDATE email_outbox SET status = ?, attempts = ?, last_error = ?, claimed_until = NULL,
                           next_attempt_at = now() + make_interval(secs => ?) WHERE id = ?""")) {
                s.setString(1, giveUp ? "FAILED" : "PENDING");
                s.setInt(2, attempts);
                s.setString(3, error.length() > 1000 ? error.substring(0, 1000) : error);
                s.setDouble(4, backoff);
                s.setObject(5, c.id());
                s.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends a failed or waiting email again at once (from the outbox page). */
    @Transactional
    public OutboxEmail retry(UUID id) {
        OutboxEmail e = OutboxEmail.<OutboxEmail> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        if (e.status != OutboxEmail.Status.SENT) {
            e.status = OutboxEmail.Status.PENDING;
            e.nextAttemptAt = Instant.now();
            if (e.attempts >= config.maxAttempts()) {
                e.attempts = config.maxAttempts() - 1;
            }
        }
        return e;
    }
}
