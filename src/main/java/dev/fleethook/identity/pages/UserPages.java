package dev.fleethook.identity.pages;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.identity.Role;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.service.UserService;
import dev.fleethook.identity.service.UserView;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
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

    @GET
    public TemplateInstance list(@QueryParam("q") String q, @RestHeader("HX-Request") String htmx) {
        List<UserView> found = users.list(q);
        if (htmx != null) {
            return Templates.users$table(found, q);
        }
        return page(q, Form.empty(), 200).entityTemplate;
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
            String notice = "Added " + created.user().email() + "."
                    + (created.generatedPassword() == null ? ""
                            : " Their password, shown only now: " + created.generatedPassword());
            return page(null, new Form("", "", "VIEWER", null, notice, null), 201).response();
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
        try {
            users.update(id, new UserService.UserChange(null, parseRole(role),
                    disabled == null ? null : Boolean.valueOf(disabled), null), currentAccount.get());
        } catch (ConflictException e) {
            return page(null, new Form("", "", "VIEWER", null, null, e.getMessage()), 409).response();
        }
        return Response.seeOther(URI.create("/users")).build();
    }

    @POST
    @Path("/{id}/delete")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("id") UUID id) {
        try {
            users.delete(id, currentAccount.get());
        } catch (ConflictException e) {
            return page(null, new Form("", "", "VIEWER", null, null, e.getMessage()), 409).response();
        }
        return Response.seeOther(URI.create("/users")).build();
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
