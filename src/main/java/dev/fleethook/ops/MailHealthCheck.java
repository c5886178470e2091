package dev.fleethook.ops;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import dev.fleethook.alert.service.MailStatus;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Whether alert emails can be sent ({@link MailStatus}): DOWN with the reason when no SMTP server is configured,
 * so {@code /q/health} says so. A wellness check only: an SMTP server that is down or missing never makes the
 * portal unready or restarts it (the outbox keeps the emails).
 */
@Wellness
@ApplicationScoped
public class MailHealthCheck implements HealthCheck {

    @Inject
    MailStatus mail;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("Mail");
        if (mail.configured()) {
            return response.up().withData("smtpHost", mail.smtpHost().isEmpty() ? "dev mailbox" : mail.smtpHost()).build();
        }
        return response.down().withData("configured", false).withData("reason", mail.reason()).build();
    }
}
