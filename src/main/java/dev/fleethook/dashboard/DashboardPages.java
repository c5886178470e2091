package dev.fleethook.dashboard;

import java.net.URI;

import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.dashboard.DashboardService.Dashboard;
import dev.fleethook.tenant.TenantView;
import dev.fleethook.identity.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The tenant's start page: servers online/offline, jobs of the last 24 h, servers failing most. */
@Path("/")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class DashboardPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance dashboard(TenantView tenant, Dashboard d,
                dev.fleethook.job.service.TrendService.Trend trend, String nav);

        static native TemplateInstance dashboard$stats(Dashboard d);
    }

    @Inject
    SecurityIdentity identity;

    @Inject
    DashboardService dashboards;

    @GET
    public Response home(@RestHeader("HX-Request") String htmx) {
        if (identity.hasRole(Role.PLATFORM)) {
            return Response.seeOther(URI.create("/operator/tenants")).build();
        }
        if (htmx != null) {
            return Response.ok(Templates.dashboard$stats(dashboards.dashboard())).build();
        }
        DashboardService.Home home = dashboards.home();
        return Response.ok(Templates.dashboard(home.tenant(), home.dashboard(), home.trend(), "home")).build();
    }
}
