package dev.fleethook.identity.rest;

import dev.fleethook.identity.service.AccountService;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleethook.identity.PasswordReset;
import dev.fleethook.identity.PasswordRule;
import dev.fleethook.identity.WebSession;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** Wire records of self-service: your password, your browser sessions, and the reset links admins make. */
public final class AccountRecords {

    private AccountRecords() {
    }

    /**
     * A change of one's own password. {@code newPassword} follows {@link PasswordRule} (12 characters to 72
     * bytes); a wrong {@code currentPassword} is a 400 naming that field.
     */
    public record ChangePasswordRequest(
            @NotNull(message = "is required") String currentPassword,
            @NotBlank(message = "is required") @PasswordRule String newPassword) {

        /** The service's command; {@code WireCommandsTest} keeps the two records' constraints the same. */
        public AccountService.PasswordChange command() {
            return new AccountService.PasswordChange(currentPassword, newPassword);
        }
    }

    /** The answer to a password change: how many other browser sessions were signed out. */
    public record PasswordChangedResponse(long sessionsSignedOut) {
    }

    /**
     * A browser session as listed: when it started and was last seen, the browser's {@code User-Agent} and
     * address at sign-in (null when unknown), and whether it is the session of this very request.
     */
    public record SessionResponse(UUID id, Instant createdAt, Instant lastSeenAt, Instant expiresAt, String userAgent,
            String address, boolean current) {

        public static SessionResponse of(WebSession s, UUID current) {
            return new SessionResponse(s.id, s.createdAt, s.lastSeenAt, s.expiresAt, s.userAgent, s.address,
                    s.id.equals(current));
        }

        /** A short name for the browser and system ("Chrome on Linux"), from the User-Agent; "Unknown browser" without one. */
        public String browser() {
            if (userAgent == null) {
                return "Unknown browser";
            }
            String ua = userAgent;
            String name = ua.contains("Edg/") ? "Edge" : ua.contains("Firefox/") ? "Firefox"
                    : ua.contains("HeadlessChrome/") ? "Headless Chrome" : ua.contains("Chrome/") ? "Chrome"
                    : ua.contains("Safari/") ? "Safari" : ua.startsWith("curl/") ? "curl" : null;
            String system = ua.contains("Windows") ? "Windows" : ua.contains("Android") ? "Android"
                    : ua.contains("iPhone") || ua.contains("iPad") ? "iOS" : ua.contains("Mac OS X") ? "macOS"
                    : ua.contains("Linux") ? "Linux" : null;
            if (name == null) {
                return ua.length() > 40 ? ua.substring(0, 40) + "…" : ua;
            }
            return system == null ? name : name + " on " + system;
        }
    }

    /**
     * A password reset link. {@code link} (a path on the portal, holding the secret) is present only in the
     * answer that created it; {@code state} is {@code usable}, {@code used} or {@code expired}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ResetLinkResponse(UUID id, UUID userId, String createdBy, Instant createdAt, Instant expiresAt,
            Instant usedAt, String state, String link) {

        public static ResetLinkResponse of(PasswordReset r, String link) {
            return new ResetLinkResponse(r.id, r.userId, r.createdBy, r.createdAt, r.expiresAt, r.usedAt,
                    r.usedAt != null ? "used" : r.usable(Instant.now()) ? "usable" : "expired", link);
        }
    }
}
