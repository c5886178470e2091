package dev.fleethook.identity.service;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.identity.Role;
import dev.fleethook.identity.User;

/** A user of the tenant as pages and the API see it (never the password hash), with the property names of {@link User}. */
public record UserView(UUID id, String email, String displayName, Role role, boolean disabled, Instant createdAt) {

    public static UserView of(User u) {
        return new UserView(u.id, u.email, u.displayName, u.role, u.disabled, u.createdAt);
    }
}
