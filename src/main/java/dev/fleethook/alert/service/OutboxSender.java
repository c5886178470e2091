package dev.fleethook.alert.service;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Runs the outbox on every replica; {@link OutboxService#sendDue} makes that safe. Without a configured SMTP
 * server ({@link MailStatus}) it sends nothing: emails stay pending, none is marked sent or failed.
 */
@ApplicationScoped
public class OutboxSender {

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
        try {
            while (outbox.sendDue(20) == 20) {
                // keep going while full batches come back
            }
        } catch (RuntimeException databaseDown) {
            // nothing is lost: the rows stay due and the next run tries again
        }
    }
}
