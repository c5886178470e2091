package dev.fleethook.audit.pages;

import java.util.List;

import dev.fleethook.audit.AuditEntryView;
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

    /** One row of the page: the entry and the fields its change touched. */
    public record Row(AuditEntryView entry, List<AuditService.Change> changes) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(List<Row> rows, int page, boolean more, String actor, String action,
                String object, String from, String to, String query, String nav);
    }

    @Inject
    AuditService audit;

    /**
     * The audit log, newest first, filtered by actor and action (a part of them), object type and day
     * ({@code from}/{@code to}: ISO dates in UTC, {@code to} inclusive); each change as a field-by-field diff.
     */
    @GET
    public TemplateInstance list(@QueryParam("page") @DefaultValue("0") int page, @QueryParam("actor") String actor,
            @QueryParam("action") String action, @QueryParam("object") String object, @QueryParam("from") String from,
            @QueryParam("to") String to) {
        int p = Math.max(0, page);
        java.time.LocalDate fromDay = day("from", from);
        java.time.LocalDate toDay = day("to", to);
        List<AuditEntryView> entries = audit.list(new AuditService.Filter(actor, action, object,
                fromDay == null ? null : fromDay.atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
                toDay == null ? null : toDay.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()), p,
                PAGE_SIZE + 1);
        boolean more = entries.size() > PAGE_SIZE;
        List<Row> rows = (more ? entries.subList(0, PAGE_SIZE) : entries).stream()
                .map(e -> new Row(e, AuditService.diff(e.before(), e.after()))).toList();
        String query = "actor=" + enc(actor) + "&action=" + enc(action) + "&object=" + enc(object) + "&from=" + enc(from)
                + "&to=" + enc(to);
        return Templates.audit(rows, p, more, actor, action, object, from, to, query, "audit");
    }

    private static java.time.LocalDate day(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return java.time.LocalDate.parse(value.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw new dev.fleethook.kernel.BadInputException(field, "must be a date such as 2026-11-29");
        }
    }

    private static String enc(String s) {
        return s == null ? "" : java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
