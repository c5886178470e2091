package dev.fleethook.tenant.pages;

import java.net.URI;

import dev.fleethook.identity.Role;
import dev.fleethook.identity.service.UserService;
import dev.fleethook.tenant.CurrentTenant;
import dev.fleethook.tenant.Tenant;
import dev.fleethook.tenant.TenantService;
import dev.fleethook.web.PageContext;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The start page: a tenant's home for its users; the operator goes to the tenant list. */
@Path("/")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class TenantHomePages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance home(Tenant tenant, long users, long admins, String nav);
    }

    @Inject
    PageContext page;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    TenantService tenants;

    @Inject
    UserService users;

    @GET
    public Response home() {
        if (page.operator()) {
            return Response.seeOther(URI.create("/operator/tenants")).build();
        }
        Tenant tenant = tenants.find(currentTenant.require()).orElseThrow(NotFoundException::new);
        long admins = users.list(null).stream().filter(u -> u.role == Role.ADMIN).count();
        return Response.ok(Templates.home(tenant, users.count(), admins, "home")).build();
    }
}
