package dev.fleethook.identity.rest;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.identity.Account;
import dev.fleethook.identity.rest.TokenRecords.CreateTokenRequest;
import dev.fleethook.identity.rest.TokenRecords.MeResponse;
import dev.fleethook.identity.rest.TokenRecords.TokenResponse;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.service.ApiTokenService;
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
public class MeResource {

    @Inject
    CurrentAccount currentAccount;

    @Inject
    ApiTokenService tokens;

    @Inject
    InputValidator validator;

    @GET
    public MeResponse me() {
        Account a = currentAccount.get();
        return new MeResponse(a.id(), a.email(), a.displayName(), a.kind().name(),
                a.role() == null ? null : a.role().name(), a.tenantId());
    }

    @GET
    @Path("/tokens")
    public List<TokenResponse> listTokens() {
        return tokens.listOf(currentAccount.get()).stream().map(t -> TokenResponse.of(t, null)).toList();
    }

    @POST
    @Path("/tokens")
    public Response createToken(CreateTokenRequest request) {
        validator.check(request);
        ApiTokenService.Created created = tokens.create(currentAccount.get(), request.name().trim(),
                request.expiresInDays());
        return Response.status(Response.Status.CREATED).entity(TokenResponse.of(created.token(), created.secret()))
                .build();
    }

    @DELETE
    @Path("/tokens/{id}")
    public TokenResponse revokeToken(@PathParam("id") UUID id) {
        return TokenResponse.of(tokens.revoke(currentAccount.get(), id), null);
    }
}
