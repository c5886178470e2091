package dev.fleethook.alert.pages;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;

import dev.fleethook.webkit.Flash;
import dev.fleethook.alert.Alert;
import dev.fleethook.alert.service.AlertSettingsView;
import dev.fleethook.alert.service.AlertView;
import dev.fleethook.alert.service.OutboxEmailView;
import dev.fleethook.alert.service.AlertService;
import dev.fleethook.alert.service.AlertSettingsService;
import dev.fleethook.alert.service.EmailRenderer;
import dev.fleethook.identity.Role;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.job.service.JobViews.AttemptView;
import dev.fleethook.job.service.JobViews.HookView;
import dev.fleethook.job.service.JobViews.JobDetail;
import dev.fleethook.job.service.JobViews.JobSummary;
import dev.fleethook.job.service.JobViews.StepView;
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
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

/** Alerts, their settings with a preview of the emails and a test email, and the outbox. */
@Path("/alerts")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.TEXT_HTML)
public class AlertPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance alerts(List<AlertView> alerts, FilterView filter, List<String> kinds,
                List<Map.Entry<UUID, String>> servers, List<Map.Entry<String, String>> query, String queryString,
                long total, int page, int pages, String error, int recipients, boolean defaultRecipients, String nav);

        static native TemplateInstance settings(AlertSettingsView settings, List<String> kinds, String recipients,
                BadInputException errors, String recipientsError, String message, String nav);

        static native TemplateInstance outbox(List<OutboxEmailView> emails, boolean devMode, List<String> statuses,
                String status, String recipient, long total, int page, int pages, String nav);

        static native TemplateInstance preview(String title, EmailRenderer.Rendered mail, String nav);
    }

    @Inject
    AlertService alerts;

    @Inject
    AlertSettingsService settings;

    @Inject
    EmailRenderer renderer;

    @Inject
    CurrentAccount currentAccount;

    /** The filter as the form shows it (strings, as typed). */
    public record FilterView(String state, String kind, String server, String from, String to) {
    }

    static final int PAGE_SIZE = 50;

    /** Alerts with filters (state, kind, server, from/to dates on the latest occurrence) and pages. */
    @GET
    public Response list(@QueryParam("state") String state, @QueryParam("kind") String kind,
            @QueryParam("server") String server, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        FilterView f = new FilterView(state == null || state.isBlank() ? "open" : state.trim().toLowerCase(),
                blank(kind), blank(server), blank(from), blank(to));
        int p = page == null || page < 0 ? 0 : page;
        int n = size == null || size < 1 || size > 500 ? PAGE_SIZE : size;
        Map<String, String> params = new java.util.LinkedHashMap<>();
        params.put("state", f.state());
        if (f.kind() != null) {
            params.put("kind", f.kind());
        }
        if (f.server() != null) {
            params.put("server", f.server());
        }
        if (f.from() != null) {
            params.put("from", f.from());
        }
        if (f.to() != null) {
            params.put("to", f.to());
        }
        if (n != PAGE_SIZE) {
            params.put("size", String.valueOf(n));
        }
        String queryString = params.entrySet().stream().map(e -> e.getKey() + "="
                + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));
        List<Map.Entry<UUID, String>> servers = alerts.serversWithAlerts();
        AlertSettingsView settings = alerts.settings();
        dev.fleethook.kernel.Page<AlertView> result;
        String error = null;
        int status = 200;
        try {
            result = alerts.list(new AlertService.Filter(f.state(), f.kind(),
                    AlertService.parseId("server", f.server()),
                    AlertService.parseTime("from", f.from()),
                    AlertService.parseTime("to", f.to()), p, n));
        } catch (BadInputException e) {
            result = new dev.fleethook.kernel.Page<>(List.of(), 0, 0, n);
            error = e.errors().stream().map(x -> x.field() + " " + x.message()).collect(java.util.stream.Collectors.joining("; "));
            status = 400;
        }
        int pages = (int) ((result.total() + n - 1) / n);
        return Response.status(status).entity(Templates.alerts(result.items(), f, Alert.KINDS, servers,
                List.copyOf(params.entrySet()), queryString, result.total(), p, pages, error, settings.recipients().length,
                settings.usesDefaults(), "alerts")).build();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Bulk acknowledge from the list's checkboxes; back to the same filtered page. */
    @POST
    @Path("/acknowledge")
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response acknowledgeSelected(MultivaluedMap<String, String> form) {
        List<String> raw = form.get("ids") == null ? List.of() : form.get("ids");
        List<UUID> ids = new java.util.ArrayList<>();
        for (String r : raw) {
            try {
                ids.add(UUID.fromString(r.trim()));
            } catch (IllegalArgumentException ignored) {
                // not an alert id: nothing to acknowledge
            }
        }
        int acknowledged = ids.isEmpty() ? 0 : alerts.acknowledgeAll(ids, currentAccount.email());
        StringBuilder back = new StringBuilder();
        for (String key : List.of("state", "kind", "server", "from", "to", "size")) {
            String v = form.getFirst("back." + key);
            if (v != null && !v.isBlank()) {
                back.append(back.isEmpty() ? "?" : "&").append(key).append('=')
                        .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return Flash.redirect("/alerts" + back, acknowledged == 0 ? "No open alert was selected: nothing acknowledged."
                : "Acknowledged " + acknowledged + " alert" + (acknowledged == 1 ? "" : "s") + ".");
    }

    @POST
    @Path("/{id}/acknowledge")
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response acknowledge(@PathParam("id") UUID id) {
        try {
            AlertView acknowledged = alerts.acknowledge(id, currentAccount.email());
            return Flash.redirect("/alerts", "Acknowledged the alert " + acknowledged.title() + ".");
        } catch (ConflictException alreadyResolved) {
            // nothing to do: the list shows it resolved
            return Flash.redirect("/alerts", alreadyResolved.getMessage());
        }
    }

    @GET
    @Path("/settings")
    public TemplateInstance settingsPage() {
        AlertSettingsView s = alerts.settings();
        return Templates.settings(s, Alert.KINDS, String.join("\n", s.recipients()), null, null, null, "alerts");
    }

    @POST
    @Path("/settings")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response saveSettings(MultivaluedMap<String, String> form) {
        String recipients = form.getFirst("recipients") == null ? "" : form.getFirst("recipients");
        List<String> kinds = form.get("kinds") == null ? List.of() : form.get("kinds");
        try {
            Integer threshold = form.getFirst("offlineThresholdMinutes") == null
                    || form.getFirst("offlineThresholdMinutes").isBlank() ? null
                            : Integer.valueOf(form.getFirst("offlineThresholdMinutes").trim());
            Integer repeat = form.getFirst("repeatIntervalMinutes") == null
                    || form.getFirst("repeatIntervalMinutes").isBlank() ? null
                            : Integer.valueOf(form.getFirst("repeatIntervalMinutes").trim());
            settings.update(new AlertSettingsService.SettingsChange(recipients.lines().map(String::trim).filter(l -> !l.isEmpty()).toList(),
                    kinds, threshold, repeat, "true".equals(form.getFirst("recoveryEmails"))));
            return Flash.redirect("/alerts/settings", "Alert settings saved.");
        } catch (NumberFormatException e) {
            return Response.status(400).entity(Templates.settings(alerts.settings(), Alert.KINDS, recipients,
                    new BadInputException("offlineThresholdMinutes", "must be a whole number of minutes (both durations)"), null, null,
                    "alerts")).build();
        } catch (BadInputException e) {
            return Response.status(400).entity(Templates.settings(alerts.settings(), Alert.KINDS, recipients, e,
                    recipientsError(e), null, "alerts")).build();
        }
    }

    @POST
    @Path("/settings/test-email")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response testEmail(@RestForm String recipient) {
        AlertSettingsView s = alerts.settings();
        try {
            int n = settings.sendTest(recipient);
            return Flash.redirect("/alerts/settings",
                    "Test email queued for " + n + " recipient" + (n == 1 ? "" : "s") + "; see the outbox for delivery.");
        } catch (BadInputException e) {
            return Response.status(400).entity(Templates.settings(s, Alert.KINDS, String.join("\n", s.recipients()), e,
                    null, e.messageFor("recipient"), "alerts")).build();
        }
    }

    @GET
    @Path("/outbox")
    @RolesAllowed(Role.TENANT_ADMIN)
    public TemplateInstance outbox(@QueryParam("status") String status, @QueryParam("recipient") String recipient,
            @QueryParam("page") Integer page) {
        String s = status == null || status.isBlank() ? "all" : status.trim().toLowerCase();
        if (!STATUSES.contains(s)) {
            s = "all";
        }
        int p = page == null || page < 0 ? 0 : page;
        String r = recipient == null ? "" : recipient.trim();
        var result = settings.outbox(s, r, p, PAGE_SIZE);
        return Templates.outbox(result.items(),
                io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.DEVELOPMENT, STATUSES, s, r,
                result.total(), p, (int) ((result.total() + PAGE_SIZE - 1) / PAGE_SIZE), "alerts");
    }

    static final List<String> STATUSES = List.of("all", "pending", "sending", "sent", "failed");

    /** One queued or sent email as its recipient sees it (in dev mode, the dev mailbox). */
    @GET
    @Path("/outbox/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    public TemplateInstance email(@PathParam("id") UUID id) {
        OutboxEmailView e = settings.email(id);
        return Templates.preview("Email to " + e.recipient(), new EmailRenderer.Rendered(e.subject(), e.html(), e.text()),
                "alerts");
    }

    @POST
    @Path("/outbox/{id}/retry")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response retry(@PathParam("id") UUID id) {
        OutboxEmailView queued = settings.retry(id);
        return Flash.redirect("/alerts/outbox", "The email to " + queued.recipient()
                + (queued.status() == dev.fleethook.alert.OutboxEmail.Status.SENT ? " was already sent: nothing to retry."
                        : " is queued to be sent again."));
    }

    /** The alert email rendered with sample data: a job failed after three attempts. */
    @GET
    @Path("/preview")
    public TemplateInstance preview() {
        return Templates.preview("Alert email preview (sample data)", renderer.render(alerts.mail("Backup Failed on fs-paris-01 after 3 attempts", null,
                sample(), null, "http://fleethook.example/jobs/sample")), "alerts");
    }

    private static String recipientsError(BadInputException e) {
        return e.errors().stream().filter(f -> f.field().startsWith("recipients")).map(f -> f.message()).findFirst()
                .orElse(null);
    }

    static JobDetail sample() {
        Instant now = Instant.now();
        JobSummary job = new JobSummary(UUID.randomUUID(), UUID.randomUUID(), "fs-paris-01", UUID.randomUUID(),
                "Nightly file shares", 7, "scheduled", "failed", 1, "Failed", 3, 3, now.minusSeconds(3600), now, false, null);
        StepView ok = new StepView("Successful", 0, 0, 840L, false, "dump written: 1.2 GiB", null, null);
        StepView failed = new StepView("Failed", 1, 3, 125_000L, false,
                "Fatal: unable to save snapshot: <disk full> on /var/backups", null, Map.of("filesNew", 12));
        StepView hook = new StepView("Successful", 0, 0, 45L, false, "zfs snapshot created", null, null);
        List<AttemptView> attempts = List.of(
                new AttemptView(1, now.minusSeconds(3600), now.minusSeconds(3400), false, ok, failed, ok,
                        List.of(new HookView("before-folder", 0, "/srv/share", hook))),
                new AttemptView(2, now.minusSeconds(2400), now.minusSeconds(2200), false, ok, failed, ok, List.of()),
                new AttemptView(3, now.minusSeconds(1200), now.minusSeconds(1000), true, ok, failed, ok, List.of()));
        return new JobDetail(job, attempts);
    }
}
