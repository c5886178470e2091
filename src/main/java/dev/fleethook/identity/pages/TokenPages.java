package dev.fleethook.identity.pages;

import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;

import dev.fleethook.identity.service.ApiTokenView;
import dev.fleethook.identity.rest.TokenRecords.CreateTokenRequest;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.service.ApiTokenService;
import dev.fleethook.identity.service.IdentityConfig;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.InputValidator;
import dev.fleethook.webkit.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The signed-in account's personal API tokens. A new token's secret is shown on this page once. */
@Path("/account/tokens")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class TokenPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance tokens(List<ApiTokenView> tokens, String created, String name, String expiresInDays,
                BadInputException errors, String nav);
    }

    @Inject
    ApiTokenService tokens;

    @Inject
    CurrentAccount currentAccount;

    @Inject
    InputValidator validator;

    @Inject
    IdentityConfig config;

    /** The page; right after a creation it shows the new token's secret once (from {@link Flash#SECRET_COOKIE}). */
    @GET
    public TemplateInstance list(@CookieParam(Flash.SECRET_COOKIE) String created) {
        return render(Flash.read(created), "", "90", null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@RestForm String name, @RestForm String expiresInDays) {
        try {
            Integer days = parseDays(expiresInDays);
            CreateTokenRequest request = validator.check(new CreateTokenRequest(name == null ? null : name.trim(), days));
            ApiTokenService.Created created = tokens.create(currentAccount.get(), request.name(), days);
            // Post/redirect/get: the secret crosses the redirect in a one-time cookie for this page, never in the URL.
            return Flash.redirect("/account/tokens", "Created the token " + created.token().name() + ".", created.secret(),
                    config.session().secureCookie());
        } catch (BadInputException e) {
            return Response.status(400).entity(render(null, name, expiresInDays, e)).build();
        }
    }

    @POST
    @Path("/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") UUID id) {
        ApiTokenView revoked = tokens.revoke(currentAccount.get(), id);
        return Flash.redirect("/account/tokens", "Revoked the token " + revoked.name() + ".");
    }

    private TemplateInstance render(String created, String name, String days, BadInputException errors) {
        return Templates.tokens(tokens.listOf(currentAccount.get()), created, name, days, errors, "tokens");
    }

    private static Integer parseDays(String value) {
        if (value == null || value.isBlank() || "never".equals(value)) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("expiresInDays", "must be a number of days");
        }
    }
}
