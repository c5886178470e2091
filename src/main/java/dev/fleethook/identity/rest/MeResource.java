package dev.fleethook.identity.rest;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.fleethook.identity.Account;
import dev.fleethook.identity.rest.TokenRecords.CreateTokenRequest;
import dev.fleethook.identity.rest.TokenRecords.MeResponse;
import dev.fleethook.identity.rest.TokenRecords.TokenResponse;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.rest.AccountRecords.ChangePasswordRequest;
import dev.fleethook.identity.rest.AccountRecords.PasswordChangedResponse;
import dev.fleethook.identity.rest.AccountRecords.SessionResponse;
import dev.fleethook.identity.service.AccountService;
import dev.fleethook.identity.service.ApiTokenService;
import dev.fleethook.identity.service.SessionService;
import dev.fleethook.kernel.ApiDocs;
import dev.fleethook.kernel.InputValidator;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The caller's own account and personal API tokens. Tokens may be created with HTTP Basic. */
@Path("/api/v1/me")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Me")
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class MeResource {

    @Inject
    CurrentAccount currentAccount;

    @Inject
    ApiTokenService tokens;

    @Inject
    InputValidator validator;

    @Inject
    AccountService accounts;

    @Inject
    SessionService sessions;

    @GET
    @Operation(summary = "Who is signed in: account, tenant and role")
    public MeResponse me() {
        Account a = currentAccount.get();
        return new MeResponse(a.id(), a.email(), a.displayName(), a.kind().name(),
                a.role() == null ? null : a.role().name(), a.tenantId());
    }

    @GET
    @Path("/tokens")
    @Operation(summary = "List your API tokens (without their secrets)")
    public List<TokenResponse> listTokens() {
        return tokens.listOf(currentAccount.get()).stream().map(t -> TokenResponse.of(t, null)).toList();
    }

    @POST
    @Path("/tokens")
    @Operation(summary = "Create an API token; its secret is shown only in this answer (HTTP Basic allowed here)")
    @SecurityRequirement(name = ApiDocs.BASIC)
    @SecurityRequirement(name = ApiDocs.API_TOKEN)
    @APIResponse(responseCode = "201", description = "The token with its secret",
            headers = @Header(name = "Location", description = ApiDocs.LOCATION,
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TokenResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public RestResponse<TokenResponse> createToken(CreateTokenRequest request) {
        validator.check(request);
        ApiTokenService.Created created = tokens.create(currentAccount.get(), request.name().trim(),
                request.expiresInDays());
        return RestResponse.ResponseBuilder.<TokenResponse> created(URI.create("/api/v1/me/tokens/" + created.token().id()))
                .entity(TokenResponse.of(created.token(), created.secret())).build();
    }

    @DELETE
    @Path("/tokens/{id}")
    @Operation(summary = "Revoke one of your API tokens")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public TokenResponse revokeToken(@PathParam("id") UUID id) {
        return TokenResponse.of(tokens.revoke(currentAccount.get(), id), null);
    }

    @POST
    @Path("/password")
    @Operation(summary = "Change your password (the current one required); your browser sessions are signed out, API tokens keep working")
    @APIResponse(responseCode = "200", description = "Changed; how many browser sessions were signed out",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PasswordChangedResponse.class)))
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public PasswordChangedResponse changePassword(ChangePasswordRequest request) {
        return new PasswordChangedResponse(accounts.changePassword(currentAccount.get(), currentAccount.sessionId(), request.command()));
    }

    @GET
    @Path("/sessions")
    @Operation(summary = "List your browser sessions: when they started, were last seen, the browser and address")
    public List<SessionResponse> listSessions() {
        java.util.UUID current = currentAccount.sessionId();
        return sessions.listOf(currentAccount.get()).stream().map(s -> SessionResponse.of(s, current)).toList();
    }

    @DELETE
    @Path("/sessions/{id}")
    @Operation(summary = "Sign out one of your browser sessions")
    @APIResponse(responseCode = "204", description = "Signed out")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
    public Response revokeSession(@PathParam("id") UUID id) {
        sessions.revoke(currentAccount.get(), id);
        return Response.noContent().build();
    }

    @DELETE
    @Path("/sessions")
    @Operation(summary = "Sign out every one of your browser sessions")
    @APIResponse(responseCode = "204", description = "Signed out everywhere")
    public Response revokeSessions() {
        sessions.closeOthersOf(currentAccount.get(), currentAccount.sessionId());
        return Response.noContent().build();
    }
}
