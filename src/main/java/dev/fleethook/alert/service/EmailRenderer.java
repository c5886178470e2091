package dev.fleethook.alert.service;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Renders alert emails from the Qute templates Emails/alert.html (escaped) and Emails/alert.txt. */
@ApplicationScoped
public class EmailRenderer {

    public record Rendered(String subject, String html, String text) {
    }

    @Inject
    @Location("Emails/alert.html")
    Template html;

    @Inject
    @Location("Emails/alert.txt")
    Template text;

    public Rendered render(AlertMail mail) {
        return new Rendered(mail.subject(), html.data("mail", mail).render(), text.data("mail", mail).render());
    }
}
