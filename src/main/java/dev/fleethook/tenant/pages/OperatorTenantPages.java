package dev.fleethook.tenant.pages;

import java.util.List;
import java.util.Map;

import org.jboss.resteasy.reactive.RestForm;

import dev.fleethook.identity.Role;
import dev.fleethook.identity.service.IdentityConfig;
import dev.fleethook.tenant.TenantView;
import dev.fleethook.tenant.TenantService;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The platform operator's tenant list: create a tenant with its first admin, suspend, resume. */
@Path("/operator/tenants")
@RolesAllowed(Role.PLATFORM)
@Produces(MediaType.TEXT_HTML)
public class OperatorTenantPages {

    /** The create form as posted, with its errors and the one-time notice. */
    public record Form(String name, String slug, String timeZone, String adminEmail, String adminName,
            BadInputException errors, String notice, String error) {
        static Form empty() {
            return new Form("", "", "UTC", "", "", null, null, null);
        }

        public String errorFor(String field) {
            return errors == null ? null : errors.messageFor(field);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance tenants(List<TenantView> tenants, Map<String, Long> users, Form form, String nav);
    }

    @Inject
    TenantService tenants;

    @Inject
    IdentityConfig identity;

    /** The list; right after a creation with a generated password, that password once ({@link Flash#SECRET_COOKIE}). */
    @GET
    public TemplateInstance list(@CookieParam(Flash.SECRET_COOKIE) String generated) {
        String password = Flash.read(generated);
        return render(password == null ? Form.empty() : new Form("", "", "UTC", "", "", null,
                "The first admin's generated password, shown only now: " + password, null));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@RestForm String name, @RestForm String slug, @RestForm String timeZone,
            @RestForm String adminEmail, @RestForm String adminName, @RestForm String adminPassword) {
        Form typed = new Form(name, slug, timeZone, adminEmail, adminName, null, null, null);
        try {
            TenantService.Created c = tenants.create(new TenantService.NewTenant(name, slug, timeZone, adminEmail, adminName,
                    adminPassword == null || adminPassword.isEmpty() ? null : adminPassword));
            // Post/redirect/get: a generated password crosses the redirect in a one-time cookie, never in the URL.
            return Flash.redirect("/operator/tenants", "Created " + c.tenant().name() + " with admin " + c.adminEmail() + ".",
                    c.generatedPassword(), identity.session().secureCookie());
        } catch (BadInputException e) {
            return Response.status(400).entity(render(new Form(name, slug, timeZone, adminEmail, adminName, e, null,
                    null))).build();
        } catch (ConflictException e) {
            return Response.status(409).entity(render(new Form(name, slug, timeZone, adminEmail, adminName, null, null,
                    e.getMessage()))).build();
        }
    }

    @POST
    @Path("/{id}/suspend")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response suspend(@PathParam("id") String id) {
        TenantView t = tenants.update(id, new TenantService.TenantChange(null, true));
        return Flash.redirect("/operator/tenants", "Suspended " + t.name() + ": its users and agents are refused until"
                + " it is resumed.");
    }

    @POST
    @Path("/{id}/resume")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response resume(@PathParam("id") String id) {
        TenantView t = tenants.update(id, new TenantService.TenantChange(null, false));
        return Flash.redirect("/operator/tenants", "Resumed " + t.name() + ".");
    }

    private TemplateInstance render(Form form) {
        return Templates.tenants(tenants.list(), tenants.userCounts(), form, "tenants");
    }
}
