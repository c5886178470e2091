package dev.fleethook.identity.rest;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.fleethook.identity.Role;
import dev.fleethook.identity.rest.UserRequests.CreateUserRequest;
import dev.fleethook.identity.rest.UserRequests.UpdateUserRequest;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.service.UserService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Users of the caller's tenant. Everyone in the tenant may read; only admins change. */
@Path("/api/v1/users")
@RolesAllowed(Role.TENANT_VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Users")
public class UserResource {

    /** Answer of a creation: the user, and the generated password when none was given (shown once). */
    public record CreatedUserResponse(UserResponse user, String generatedPassword) {
    }

    @Inject
    UserService users;

    @Inject
    CurrentAccount currentAccount;

    @GET
    public List<UserResponse> list(@QueryParam("q") String query) {
        return users.list(query).stream().map(UserResponse::of).toList();
    }

    @GET
    @Path("/{id}")
    public UserResponse get(@PathParam("id") UUID id) {
        return users.find(id).map(UserResponse::of).orElseThrow(NotFoundException::new);
    }

    @POST
    @RolesAllowed(Role.TENANT_ADMIN)
    public Response create(CreateUserRequest request) {
        UserService.Created created = users.create(request);
        return Response.status(Response.Status.CREATED)
                .entity(new CreatedUserResponse(UserResponse.of(created.user()), created.generatedPassword())).build();
    }

    @PATCH
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    public UserResponse update(@PathParam("id") UUID id, UpdateUserRequest request) {
        return UserResponse.of(users.update(id, request, currentAccount.get()));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.TENANT_ADMIN)
    public Response delete(@PathParam("id") UUID id) {
        users.delete(id, currentAccount.get());
        return Response.noContent().build();
    }
}
