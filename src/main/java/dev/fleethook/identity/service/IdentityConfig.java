package dev.fleethook.identity.service;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Sign-in, sessions, tokens and the first operator account. */
@ConfigMapping(prefix = "fleethook.identity")
public interface IdentityConfig {

    /** Email of the first platform operator, created at start-up when no operator exists. */
    @WithDefault("operator@fleethook.local")
    String operatorEmail();

    /** Its password; when absent a random one is generated once and printed to the log. */
    Optional<String> operatorPassword();

    /** BCrypt cost factor for password hashes (4–31; each step doubles the work). */
    @WithDefault("12")
    int bcryptCost();

    Session session();

    SignIn signIn();

    interface Session {
        /** Name of the session cookie. */
        @WithDefault("fleethook-session")
        String cookieName();

        /** A session ends after this long without a request. */
        @WithDefault("8h")
        Duration idleTimeout();

        /** A session ends this long after sign-in, active or not. */
        @WithDefault("7d")
        Duration maxLifetime();

        /** Mark the cookie Secure (HTTPS only); on in production. */
        @WithDefault("false")
        boolean secureCookie();
    }

    interface SignIn {
        /** Failed sign-ins for one email within {@link #window()} before it is locked. */
        @WithDefault("5")
        int maxFailures();

        /** The window over which failures are counted. */
        @WithDefault("15m")
        Duration window();

        /** How long an email stays locked after too many failures. */
        @WithDefault("15m")
        Duration lockout();

        /** Sign-in attempts one client (IP address) may make at once, before {@link #clientPerMinute()} applies. */
        @WithDefault("10")
        int clientBurst();

        /** Sustained sign-in attempts per minute for one client (IP address), per replica. */
        @WithDefault("30")
        int clientPerMinute();
    }
}
