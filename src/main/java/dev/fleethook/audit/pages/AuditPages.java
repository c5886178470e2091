package dev.fleethook.audit.pages;

import java.util.List;

import dev.fleethook.audit.AuditEntry;
import dev.fleethook.audit.AuditService;
import dev.fleethook.identity.Role;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The audit log page: every change in the tenant, newest first, 50 per page. */
@Path("/audit")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.TEXT_HTML)
public class AuditPages {

    static final int PAGE_SIZE = 50;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(List<AuditEntry> entries, int page, boolean more, String nav);
    }

    @Inject
    AuditService audit;

    @GET
    public TemplateInstance list(@QueryParam("page") @DefaultValue("0") int page) {
        int p = Math.max(0, page);
        List<AuditEntry> entries = audit.list(null, null, p, PAGE_SIZE + 1);
        boolean more = entries.size() > PAGE_SIZE;
        return Templates.audit(more ? entries.subList(0, PAGE_SIZE) : entries, p, more, "audit");
    }
}
