package dev.fleethook.identity.pages;

import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.identity.Role;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.service.IdentityConfig;
import dev.fleethook.identity.service.UserService;
import dev.fleethook.identity.service.UserView;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The tenant's users: everyone may look, admins add, change and remove. */
@Path("/users")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.TEXT_HTML)
public class UserPages {

    /** What the add-user form shows after a post: the values typed, the errors, a one-time notice. */
    public record Form(String email, String displayName, String role, BadInputException errors, String notice,
            String error) {
        static Form empty() {
            return new Form("", "", "VIEWER", null, null, null);
        }

        public String errorFor(String field) {
            return errors == null ? null : errors.messageFor(field);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance users(List<UserView> users, String q, Form form, List<Role> roles, String nav);

        static native TemplateInstance users$table(List<UserView> users, String q);
    }

    @Inject
    UserService users;

    @Inject
    CurrentAccount currentAccount;

    @Inject
    IdentityConfig config;

    /**
     * The list (the table alone for htmx); right after a user was added with a generated password, that password
     * once (from {@link Flash#SECRET_COOKIE}).
     */
    @GET
    public TemplateInstance list(@QueryParam("q") String q, @RestHeader("HX-Request") String htmx,
            @CookieParam(Flash.SECRET_COOKIE) String generated) {
        List<UserView> found = users.list(q);
        if (htmx != null) {
            return Templates.users$table(found, q);
        }
        String password = Flash.read(generated);
        return page(q, password == null ? Form.empty()
                : new Form("", "", "VIEWER", null, "The new user's password, shown only now: " + password, null), 200)
                .entityTemplate;
    }

    @POST
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@RestForm String email, @RestForm String displayName, @RestForm String role,
            @RestForm String password) {
        Role parsedRole = parseRole(role);
        try {
            if (parsedRole == null) {
                throw new BadInputException("role", "choose Admin, Operator or Viewer");
            }
            UserService.Created created = users.create(new UserService.NewUser(email, displayName, parsedRole,
                    password == null || password.isEmpty() ? null : password));
            // Post/redirect/get: a generated password crosses the redirect in a one-time cookie, never in the URL.
            return Flash.redirect("/users", "Added " + created.user().email() + " as " + created.user().role().label()
                    + ".", created.generatedPassword(), config.session().secureCookie());
        } catch (BadInputException e) {
            return page(null, new Form(email, displayName, role, e, null, null), 400).response();
        } catch (ConflictException e) {
            return page(null, new Form(email, displayName, role, null, null, e.getMessage()), 409).response();
        }
    }

    @POST
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("id") UUID id, @RestForm String role, @RestForm String disabled) {
        UserView changed;
        try {
            changed = users.update(id, new UserService.UserChange(null, parseRole(role),
                    disabled == null ? null : Boolean.valueOf(disabled), null), currentAccount.get());
        } catch (ConflictException e) {
            return page(null, new Form("", "", "VIEWER", null, null, e.getMessage()), 409).response();
        }
        String what = disabled != null ? (changed.disabled() ? " is disabled: they can no longer sign in."
                : " is enabled again.") : " is now " + changed.role().label() + ".";
        return Flash.redirect("/users", changed.email() + what);
    }

    @POST
    @Path("/{id}/delete")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("id") UUID id) {
        String email = users.find(id).map(UserView::email).orElse("the user");
        try {
            users.delete(id, currentAccount.get());
        } catch (ConflictException e) {
            return page(null, new Form("", "", "VIEWER", null, null, e.getMessage()), 409).response();
        }
        return Flash.redirect("/users", "Deleted " + email + ".");
    }

    private record Rendered(TemplateInstance entityTemplate, int status) {
        Response response() {
            return Response.status(status).entity(entityTemplate).build();
        }
    }

    private Rendered page(String q, Form form, int status) {
        return new Rendered(Templates.users(users.list(q), q, form, List.of(Role.values()), "users"), status);
    }

    private static Role parseRole(String role) {
        if (role == null || role.isBlank()) {
            return null;
        }
        try {
            return Role.valueOf(role.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
