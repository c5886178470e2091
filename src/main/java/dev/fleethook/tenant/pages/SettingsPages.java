package dev.fleethook.tenant.pages;

import org.jboss.resteasy.reactive.RestForm;

import dev.fleethook.identity.Role;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.TenantView;
import dev.fleethook.tenant.TenantService;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.webkit.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The organization's settings: time zone of schedules, maximum script timeout. */
@Path("/settings")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.TEXT_HTML)
public class SettingsPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance settings(TenantView tenant, String timeZone, String maxScriptTimeout,
                BadInputException errors, String nav);
    }

    @Inject
    TenantService tenants;

    @Inject
    CurrentTenant currentTenant;

    @GET
    public TemplateInstance show() {
        TenantView t = tenant();
        return Templates.settings(t, t.timeZone(),
                t.maxScriptTimeoutSeconds() == null ? "" : t.maxScriptTimeoutSeconds().toString(), null, "settings");
    }

    @POST
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response save(@RestForm String timeZone, @RestForm String maxScriptTimeout, @RestForm String retentionDays) {
        try {
            Integer max;
            try {
                max = maxScriptTimeout == null || maxScriptTimeout.isBlank() ? 0 : Integer.valueOf(maxScriptTimeout.trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("maxScriptTimeoutSeconds", "must be a whole number of seconds");
            }
            Integer retention;
            try {
                retention = retentionDays == null || retentionDays.isBlank() ? null : Integer.valueOf(retentionDays.trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("jobRetentionDays", "must be a whole number of days");
            }
            tenants.updateSettings(new TenantService.SettingsChange(timeZone, max, retention));
            return Flash.redirect("/settings", "Settings saved.");
        } catch (BadInputException e) {
            return Response.status(400)
                    .entity(Templates.settings(tenant(), timeZone, maxScriptTimeout, e, "settings")).build();
        }
    }

    private TenantView tenant() {
        return tenants.find(currentTenant.require()).orElseThrow(NotFoundException::new);
    }
}
