package dev.fleethook.alert.service;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ScheduledTurns;
import org.jboss.logging.Logger;

/**
 * Runs the outbox on every replica; {@link OutboxService#sendDue} makes that safe. Without a configured SMTP
 * server ({@link MailStatus}) it sends nothing: emails stay pending, none is marked sent or failed.
 */
@ApplicationScoped
public class OutboxSender {

    private static final Logger LOG = Logger.getLogger(OutboxSender.class);

    @Inject
    OutboxService outbox;

    @Inject
    MailStatus mail;

    @Scheduled(every = "${fleethook.alerts.sender-interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            identity = "outbox-sender")
    void run() {
        if (!mail.configured()) {
            return;
        }
        // Nothing is lost when a turn fails: the rows stay due and the next turn tries again.
        ScheduledTurns.run(LOG, "Outbox sender", () -> {
            while (outbox.sendDue(20) == 20) {
                // keep going while full batches come back
            }
        });
    }
}
