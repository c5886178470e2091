package dev.fleethook.identity.pages;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import dev.fleethook.identity.Role;
import dev.fleethook.identity.rest.AccountRecords.ResetLinkResponse;
import dev.fleethook.identity.rest.AccountRecords.SessionResponse;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.service.IdentityConfig;
import dev.fleethook.identity.service.PasswordResetService;
import dev.fleethook.identity.service.UserAccessService;
import dev.fleethook.identity.service.UserView;
import dev.fleethook.webkit.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * An admin's page for one user's access: make a single-use password reset link (shown once, right after it
 * was made), and see or end the user's browser sessions. Another tenant's user is 404.
 */
@Path("/users/{id}/account")
@RolesAllowed(Role.TENANT_ADMIN)
@Produces(MediaType.TEXT_HTML)
public class UserAccountPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance userAccount(UserView user, List<SessionResponse> sessions, ResetLinkResponse lastLink,
                String newLink, String nav);
    }

    @Inject
    UserAccessService access;

    @Inject
    PasswordResetService resets;

    @Inject
    CurrentAccount currentAccount;

    @Inject
    IdentityConfig config;

    /** The page; right after a link was made, that link once ({@link Flash#SECRET_COOKIE}), as an absolute URL. */
    @GET
    public TemplateInstance show(@PathParam("id") UUID id, @CookieParam(Flash.SECRET_COOKIE) String created,
            @Context UriInfo uri) {
        UserView user = access.user(id);
        String path = Flash.read(created);
        String link = path == null || !path.startsWith(PasswordResetService.PATH) ? null
                : uri.getBaseUri().resolve(URI.create(path)).toString();
        return Templates.userAccount(user, access.sessionsOf(id).stream().map(s -> SessionResponse.of(s, null)).toList(),
                resets.latestOf(id).map(r -> ResetLinkResponse.of(r, null)).orElse(null), link, "users");
    }

    @POST
    @Path("/reset-link")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response resetLink(@PathParam("id") UUID id) {
        PasswordResetService.Created created = resets.create(id, currentAccount.get());
        UserView user = access.user(id);
        // Post/redirect/get: the link crosses the redirect in a one-time cookie for this page, never in the URL.
        return Flash.redirect(page(id), "Made a password reset link for " + user.email()
                + ". Copy it now and hand it over: it is shown only once, works once, and expires in 24 hours.",
                created.link(), config.session().secureCookie());
    }

    @POST
    @Path("/sessions/{session}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") UUID id, @PathParam("session") UUID session) {
        access.revoke(id, session);
        return Flash.redirect(page(id), "That session was signed out.");
    }

    @POST
    @Path("/sessions/revoke-all")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revokeAll(@PathParam("id") UUID id) {
        long ended = access.revokeAll(id);
        return Flash.redirect(page(id), "Signed out " + ended + " session" + (ended == 1 ? "" : "s") + ".");
    }

    private static String page(UUID id) {
        return "/users/" + id + "/account";
    }
}
