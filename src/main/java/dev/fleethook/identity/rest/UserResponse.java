package dev.fleethook.identity.rest;

import java.time.Instant;
import java.util.UUID;

import dev.fleethook.identity.Role;
import dev.fleethook.identity.service.UserView;

public record UserResponse(UUID id, String email, String displayName, Role role, boolean disabled,
        Instant createdAt) {

    public static UserResponse of(UserView u) {
        return new UserResponse(u.id(), u.email(), u.displayName(), u.role(), u.disabled(), u.createdAt());
    }
}
