package dev.fleethook.identity.rest;

import dev.fleethook.identity.Role;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import dev.fleethook.identity.service.UserService;

/** Wire records for tenant users. */
public final class UserRequests {

    private UserRequests() {
    }

    /** A new user; without a password one is generated and returned once. */
    public record CreateUserRequest(
            @NotBlank(message = "is required") @Email(message = "must be an email address") @Size(max = 254) String email,
            @NotBlank(message = "is required") @Size(max = 120, message = "must be at most 120 characters") String displayName,
            @NotNull(message = "is required (ADMIN, OPERATOR or VIEWER)") Role role,
            @dev.fleethook.identity.PasswordRule String password) {

        /** The service's command; the constraints above are its own, repeated for the API document. */
        public UserService.NewUser command() {
            return new UserService.NewUser(email, displayName, role, password);
        }
    }

    /** A partial change: only the fields present are applied. */
    public record UpdateUserRequest(
            @Size(min = 1, max = 120, message = "must be 1 to 120 characters") String displayName,
            Role role,
            Boolean disabled,
            @dev.fleethook.identity.PasswordRule String password) {

        public UserService.UserChange change() {
            return new UserService.UserChange(displayName, role, disabled, password);
        }
    }
}
