package dev.fleethook.alert.rest;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.alert.rest.AlertRecords.AlertResponse;
import dev.fleethook.alert.rest.AlertRecords.OutboxResponse;
import dev.fleethook.alert.rest.AlertRecords.SettingsRequest;
import dev.fleethook.alert.rest.AlertRecords.SettingsResponse;
import dev.fleethook.alert.rest.AlertRecords.TestEmailRequest;
import dev.fleethook.alert.service.AlertService;
import dev.fleethook.alert.service.AlertSettingsService;
import dev.fleethook.identity.Role;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.web.BadInputException;
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
public class AlertResource {

    @Inject
    AlertService alerts;

    @Inject
    AlertSettingsService settings;

    @Inject
    CurrentAccount currentAccount;

    @GET
    @Path("/alerts")
    public List<AlertResponse> list(@QueryParam("state") String state, @QueryParam("kind") String kind,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
        if (size < 1 || size > 500 || page < 0) {
            throw new BadInputException(page < 0 ? "page" : "size", page < 0 ? "must be 0 or more" : "must be 1 to 500");
        }
        if (state != null && !state.isBlank() && !List.of("open", "acknowledged", "resolved").contains(state.toLowerCase())) {
            throw new BadInputException("state", "must be one of open, acknowledged, resolved");
        }
        return alerts.list(state, kind, page, size).stream().map(AlertResponse::of).toList();
    }

    @POST
    @Path("/alerts/{id}/acknowledge")
    @RolesAllowed(Role.TENANT_OPERATOR)
    public AlertResponse acknowledge(@PathParam("id") UUID id) {
        return AlertResponse.of(alerts.acknowledge(id, currentAccount.email()));
    }

    @GET
    @Path("/alert-settings")
    public SettingsResponse getSettings() {
        return SettingsResponse.of(alerts.settings());
    }

    @PUT
    @Path("/alert-settings")
    @RolesAllowed(Role.TENANT_ADMIN)
    public SettingsResponse putSettings(SettingsRequest request) {
        return SettingsResponse.of(settings.update(request));
    }

    @POST
    @Path("/alert-settings/test-email")
    @RolesAllowed(Role.TENANT_ADMIN)
    public Response testEmail(TestEmailRequest request) {
        int queued = settings.sendTest(request == null ? null : request.recipient());
        return Response.accepted(Map.of("queued", queued)).build();
    }

    @GET
    @Path("/outbox")
    @RolesAllowed(Role.TENANT_ADMIN)
    public List<OutboxResponse> outbox(@QueryParam("page") @DefaultValue("0") int page) {
        return settings.outbox(Math.max(0, page), 50).stream().map(OutboxResponse::of).toList();
    }

    @POST
    @Path("/outbox/{id}/retry")
    @RolesAllowed(Role.TENANT_ADMIN)
    public OutboxResponse retry(@PathParam("id") UUID id) {
        return OutboxResponse.of(settings.retry(id));
    }
}
