package dev.fleethook.identity.pages;

import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;

import dev.fleethook.identity.Account;
import dev.fleethook.identity.rest.AccountRecords.SessionResponse;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.service.AccountService;
import dev.fleethook.identity.service.SessionService;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.webkit.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
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
 * "My account": change your own password (the current one required; your other sessions are signed out)
 * and see your browser sessions, ending any of them or all but this one. Every action answers 303 with a
 * {@link Flash} confirmation; only a refused password change renders the page (400, errors by field).
 */
@Path("/account")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class AccountPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance account(Account account, List<SessionResponse> sessions, BadInputException errors,
                String nav);
    }

    @Inject
    CurrentAccount currentAccount;

    @Inject
    AccountService accounts;

    @Inject
    SessionService sessions;

    @GET
    public TemplateInstance show() {
        return render(null);
    }

    @POST
    @Path("/password")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response changePassword(@RestForm String currentPassword, @RestForm String newPassword,
            @RestForm String confirmation) {
        try {
            if (newPassword != null && !newPassword.isEmpty() && !newPassword.equals(confirmation)) {
                throw new BadInputException("confirmation", "does not match the new password");
            }
            long ended = accounts.changePassword(currentAccount.get(), currentAccount.sessionId(),
                    new AccountService.PasswordChange(currentPassword == null ? "" : currentPassword, newPassword));
            return Flash.redirect("/account", "Your password was changed." + (ended == 0 ? ""
                    : " " + ended + " other session" + (ended == 1 ? " was" : "s were") + " signed out."));
        } catch (BadInputException e) {
            return Response.status(400).entity(render(e)).build();
        }
    }

    @POST
    @Path("/sessions/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") UUID id) {
        sessions.revoke(currentAccount.get(), id);
        if (id.equals(currentAccount.sessionId())) {
            return Flash.redirect("/sign-in", "You signed out this session.");
        }
        return Flash.redirect("/account", "That session was signed out.");
    }

    @POST
    @Path("/sessions/revoke-others")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revokeOthers() {
        long ended = sessions.closeOthersOf(currentAccount.get(), currentAccount.sessionId());
        return Flash.redirect("/account", ended == 0 ? "There was no other session to sign out."
                : "Signed out " + ended + " other session" + (ended == 1 ? "" : "s") + ".");
    }

    private TemplateInstance render(BadInputException errors) {
        Account account = currentAccount.get();
        UUID current = currentAccount.sessionId();
        return Templates.account(account, sessions.listOf(account).stream().map(s -> SessionResponse.of(s, current)).toList(),
                errors, "account");
    }
}
