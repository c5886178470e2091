package dev.fleethook.identity.pages;

import org.jboss.resteasy.reactive.RestForm;

import dev.fleethook.identity.service.PasswordResetService;
import dev.fleethook.identity.service.PasswordResetService.Refusal;
import dev.fleethook.identity.service.PasswordResetService.UnusableLinkException;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.webkit.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The page a password reset link opens (no sign-in needed: the link is the credential). It sets a new
 * password once, signs out every session of that user and sends the browser to sign-in. A link that cannot
 * be used answers a page that says why: 404 for an unknown or replaced link, 410 for a used or expired one.
 */
@Path("/password-reset/{secret}")
@Produces(MediaType.TEXT_HTML)
public class PasswordResetPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance form(String secret, PasswordResetService.Usable link, BadInputException errors);

        static native TemplateInstance unusable(String title, String reason);
    }

    @Inject
    PasswordResetService resets;

    @GET
    public Response show(@PathParam("secret") String secret) {
        try {
            return Response.ok(Templates.form(secret, resets.check(secret), null)).build();
        } catch (UnusableLinkException e) {
            return unusable(e.refusal);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response set(@PathParam("secret") String secret, @RestForm String newPassword, @RestForm String confirmation) {
        try {
            String email = resets.use(secret, newPassword, confirmation);
            return Flash.redirect("/sign-in", "The password of " + email + " is set. Sign in with it.");
        } catch (UnusableLinkException e) {
            return unusable(e.refusal);
        } catch (BadInputException e) {
            try {
                return Response.status(400).entity(Templates.form(secret, resets.check(secret), e)).build();
            } catch (UnusableLinkException gone) {
                return unusable(gone.refusal);
            }
        }
    }

    static Response unusable(Refusal refusal) {
        return switch (refusal) {
            case UNKNOWN -> Response.status(404).entity(Templates.unusable("This reset link is not valid",
                    "The link is mistyped or was replaced by a newer one. Ask an admin of your organization for a new link."))
                    .build();
            case USED -> Response.status(410).entity(Templates.unusable("This reset link was already used",
                    "A reset link sets a password only once. Sign in with the password you set, or ask an admin for a new link."))
                    .build();
            case EXPIRED -> Response.status(410).entity(Templates.unusable("This reset link has expired",
                    "A reset link works for 24 hours. Ask an admin of your organization for a new link.")).build();
            case ACCOUNT_UNAVAILABLE -> Response.status(410).entity(Templates.unusable("This account cannot sign in",
                    "The account was disabled or its organization suspended. Ask an admin of your organization.")).build();
        };
    }
}
