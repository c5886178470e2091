package dev.fleethook.dashboard;

import java.net.URI;

import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.dashboard.DashboardService.Dashboard;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.TenantView;
import dev.fleethook.tenant.TenantService;
import dev.fleethook.identity.Role;
import io.quarkus.security.identity.SecurityIdentity;
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
    CurrentTenant currentTenant;

    @Inject
    TenantService tenants;

    @Inject
    DashboardService dashboards;

    @Inject
    dev.fleethook.job.service.TrendService trends;

    @GET
    public Response home(@RestHeader("HX-Request") String htmx) {
        if (identity.hasRole(Role.PLATFORM)) {
            return Response.seeOther(URI.create("/operator/tenants")).build();
        }
        Dashboard d = dashboards.dashboard();
        if (htmx != null) {
            return Response.ok(Templates.dashboard$stats(d)).build();
        }
        TenantView tenant = tenants.find(currentTenant.require()).orElseThrow(NotFoundException::new);
        return Response.ok(Templates.dashboard(tenant, d, trends.trend(null, null), "home")).build();
    }
}
