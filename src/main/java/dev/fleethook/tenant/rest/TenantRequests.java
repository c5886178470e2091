package dev.fleethook.tenant.rest;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.fleethook.tenant.TenantService;

/** Wire records for the operator's tenant API. */
public final class TenantRequests {

    private TenantRequests() {
    }

    /** A new tenant with its first admin; without an admin password one is generated and returned once. */
    public record CreateTenantRequest(
            @NotBlank(message = "is required") @Size(max = 120, message = "must be at most 120 characters") String name,
            @NotBlank(message = "is required")
            @Pattern(regexp = "[a-z0-9][a-z0-9-]{1,62}", message = "must be 2 to 63 lowercase letters, digits or dashes")
            String slug,
            @Size(max = 64) String timeZone,
            @NotBlank(message = "is required") @Email(message = "must be an email address") @Size(max = 254) String adminEmail,
            @NotBlank(message = "is required") @Size(max = 120, message = "must be at most 120 characters") String adminName,
            @dev.fleethook.identity.PasswordRule String adminPassword) {

        /** The service's command; the constraints above are its own, repeated for the API document. */
        public TenantService.NewTenant command() {
            return new TenantService.NewTenant(name, slug, timeZone, adminEmail, adminName, adminPassword);
        }
    }

    /** Suspending a tenant signs its users and agents out at their next request. */
    public record UpdateTenantRequest(
            @Size(min = 1, max = 120, message = "must be 1 to 120 characters") String name,
            Boolean suspended) {

        public TenantService.TenantChange change() {
            return new TenantService.TenantChange(name, suspended);
        }
    }

    /** The organization's own settings; a maximum of 0 removes it. */
    public record TenantSettingsRequest(
            @Size(max = 64, message = "must be at most 64 characters") String timeZone,
            @jakarta.validation.constraints.Min(value = 0, message = "must be 0 (no maximum) to 86400 seconds")
            @jakarta.validation.constraints.Max(value = 86400, message = "must be 0 (no maximum) to 86400 seconds")
            Integer maxScriptTimeoutSeconds,
            @jakarta.validation.constraints.Min(value = 1, message = "must be 1 to 3650 days")
            @jakarta.validation.constraints.Max(value = 3650, message = "must be 1 to 3650 days")
            Integer jobRetentionDays) {

        public TenantService.SettingsChange change() {
            return new TenantService.SettingsChange(timeZone, maxScriptTimeoutSeconds, jobRetentionDays);
        }
    }

    public record TenantSettingsResponse(String id, String name, String slug, String timeZone,
            Integer maxScriptTimeoutSeconds, int jobRetentionDays) {
    }
}
