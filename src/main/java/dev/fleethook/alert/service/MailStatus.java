package dev.fleethook.alert.service;

import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * Whether alert emails can leave the portal. In production they are sent only to a configured SMTP server
 * ({@code QUARKUS_MAILER_HOST}); the mailer's mock (which would mark emails sent while sending nothing) is
 * refused there. Unconfigured, the outbox keeps every email pending, and the portal's pages and
 * {@code /q/health} say that mail is not configured. Dev mode's mock is the dev mailbox, so it counts as
 * configured. Templates read it as {@code {inject:mail.configured}}.
 */
@Named("mail")
@ApplicationScoped
public class MailStatus {

    private static final Logger LOG = Logger.getLogger(MailStatus.class);

    @Inject
    MailConfig config;

    @ConfigProperty(name = "quarkus.mailer.mock")
    Optional<Boolean> mock;

    void logAtStart(@Observes StartupEvent start) {
        if (!configured()) {
            LOG.warn("Mail is not configured: " + reason());
        }
    }

    /** True when emails may be handed to the mailer. */
    public boolean configured() {
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT) {
            return true;
        }
        return config.smtpHost().isPresent() && !mockedInProduction();
    }

    /** Why mail is not configured, in a sentence for an operator; empty when it is. */
    public String reason() {
        if (configured()) {
            return "";
        }
        if (mockedInProduction()) {
            return "QUARKUS_MAILER_MOCK=true is refused in production (it would mark emails sent and send nothing); "
                    + "set QUARKUS_MAILER_HOST to an SMTP server. Alert emails wait in the outbox.";
        }
        return "QUARKUS_MAILER_HOST is not set. Alert emails wait in the outbox until an SMTP server is configured.";
    }

    /** The SMTP host emails go to, or empty (dev mode: the dev mailbox). */
    public String smtpHost() {
        return config.smtpHost().orElse("");
    }

    private boolean mockedInProduction() {
        return LaunchMode.current() == LaunchMode.NORMAL && mock.orElse(false);
    }
}
