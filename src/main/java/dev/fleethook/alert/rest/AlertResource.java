package dev.fleethook.alert.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.alert.service.AlertView;
import dev.fleethook.alert.service.OutboxEmailView;
import dev.fleethook.alert.rest.AlertRecords.AcknowledgeRequest;
import dev.fleethook.alert.rest.AlertRecords.AcknowledgeResponse;
import dev.fleethook.alert.rest.AlertRecords.AlertResponse;
import dev.fleethook.kernel.Page;
import dev.fleethook.alert.rest.AlertRecords.OutboxResponse;
import dev.fleethook.alert.rest.AlertRecords.SettingsRequest;
import dev.fleethook.alert.rest.AlertRecords.SettingsResponse;
import dev.fleethook.alert.rest.AlertRecords.TestEmailRequest;
import dev.fleethook.alert.service.AlertService;
import dev.fleethook.alert.service.AlertSettingsService;
import dev.fleethook.identity.Role;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.kernel.ApiDocs;
import dev.fleethook.kernel.BadInputException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Alerts (read by all, acknowledged by operators and admins), their settings and the outbox (admins). */
@Path("/api/v1")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Alerts")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class AlertResource {

    @Inject
    AlertService alerts;

    @Inject
    AlertSettingsService settings;

    @Inject
    CurrentAccount currentAccount;

    /**
     * Alerts, newest activity first: {@code state} open, acknowledged, resolved, unresolved or all
     * (default all), {@code kind}, {@code server} (id), {@code from}/{@code to} (ISO-8601, on the latest
     * occurrence), {@code page} from 0, {@code size} 1 to 500. The total is in {@code X-Total-Count}.
     */
    @GET
    @Path("/alerts")
    @Operation(summary = "List alerts, filtered and paged (X-Total-Count: the total)")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    public Response list(@QueryParam("state") String state, @QueryParam("kind") String kind,
            @QueryParam("server") String server, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
        Page<AlertView> result = alerts.list(new AlertService.Filter(state, kind, AlertService.parseId("server", server),
                AlertService.parseTime("from", from), AlertService.parseTime("to", to), page, size));
        return Response.ok(result.items().stream().map(AlertResponse::of).toList())
                .header("X-Total-Count", result.total()).build();
    }

    @POST
    @Path("/alerts/{id}/acknowledge")
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Operation(summary = "Acknowledge an open alert")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocs.CONFLICT)
    public AlertResponse acknowledge(@PathParam("id") UUID id) {
        return AlertResponse.of(alerts.acknowledge(id, currentAccount.email()));
    }

    /** Bulk acknowledge: every open alert among {@code ids} (at most 1,000); others are skipped. */
    @POST
    @Path("/alerts/acknowledge")
    @RolesAllowed(Role.TENANT_OPERATOR)
    @Operation(summary = "Acknowledge several alerts at once")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public AcknowledgeResponse acknowledgeAll(AcknowledgeRequest request) {
        return new AcknowledgeResponse(alerts.acknowledgeAll(request == null ? null : request.ids(),
                currentAccount.email()));
    }

    @GET
    @Path("/alert-settings")
    @Operation(summary = "Read the alert settings: recipients, kinds, offline threshold")
    public SettingsResponse getSettings() {
        return SettingsResponse.of(alerts.settings());
    }

    @PUT
    @Path("/alert-settings")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Change the alert settings")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public SettingsResponse putSettings(SettingsRequest request) {
        return SettingsResponse.of(settings.update(request == null ? null : request.change()));
    }

    @POST
    @Path("/alert-settings/test-email")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Queue a test email to the recipients or to one address")
    @APIResponse(responseCode = "202", description = "Queued: {\"queued\": n}")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public Response testEmail(TestEmailRequest request) {
        int queued = settings.sendTest(request == null ? null : request.recipient());
        return Response.accepted(Map.of("queued", queued)).build();
    }

    @GET
    @Path("/outbox")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "List the email outbox, filtered and paged (X-Total-Count: the total)")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    public Response outbox(@QueryParam("status") String status, @QueryParam("recipient") String recipient,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
        Page<OutboxEmailView> result = settings.outbox(status, recipient, page, size);
        return Response.ok(result.items().stream().map(OutboxResponse::of).toList())
                .header("X-Total-Count", result.total()).build();
    }

    @POST
    @Path("/outbox/{id}/retry")
    @RolesAllowed(Role.TENANT_ADMIN)
    @Operation(summary = "Send an email of the outbox again now")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public OutboxResponse retry(@PathParam("id") UUID id) {
        return OutboxResponse.of(settings.retry(id));
    }
}
