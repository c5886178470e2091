package dev.fleethook.alert.service;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.qute.Variant;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Renders alert emails from the type-safe Qute templates {@code Emails/alert.html} (escaped) and
 * {@code Emails/alert.txt}: two variants of one template, checked against {@link AlertMail} at build
 * time, so a misspelt property fails the build instead of an email.
 */
@ApplicationScoped
public class EmailRenderer {

    /** The subject line and both bodies of one email, as stored in the outbox. */
    public record Rendered(String subject, String html, String text) {
    }

    @CheckedTemplate(basePath = "Emails")
    static class Emails {
        /** {@code Emails/alert.html} and {@code Emails/alert.txt}; the caller picks the variant. */
        static native TemplateInstance alert(AlertMail mail);
    }

    public Rendered render(AlertMail mail) {
        return new Rendered(mail.subject(), Emails.alert(mail).setVariant(Variant.forContentType(Variant.TEXT_HTML)).render(),
                Emails.alert(mail).setVariant(Variant.forContentType(Variant.TEXT_PLAIN)).render());
    }
}
