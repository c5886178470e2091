package dev.fleethook.alert.service;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Whether an SMTP server was configured for alert emails (see {@link MailStatus}). */
@ConfigMapping(prefix = "fleethook.mail")
public interface MailConfig {

    /**
     * The SMTP host as the deployment gave it ({@code QUARKUS_MAILER_HOST}); empty when none was given, and then
     * nothing is sent: emails wait in the outbox. Quarkus' own {@code quarkus.mailer.host} defaults to
     * {@code localhost}, so it cannot tell "not configured" apart.
     */
    Optional<String> smtpHost();
}
