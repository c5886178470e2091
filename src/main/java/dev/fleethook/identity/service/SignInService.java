package dev.fleethook.identity.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import dev.fleethook.identity.Account;
import dev.fleethook.identity.OperatorAccount;
import dev.fleethook.identity.Role;
import dev.fleethook.kernel.CurrentTenant;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Checks an email and password, with throttling that every portal replica shares: after
 * {@code max-failures} failures within the window the email is locked for the lockout period, whether
 * or not the account exists (so the lock reveals nothing).
 */
@ApplicationScoped
public class SignInService {

    /** The email is locked; {@link #retryAfter} says for how long. */
    public static class ThrottledException extends RuntimeException {
        public final Duration retryAfter;

        ThrottledException(Duration retryAfter) {
            super("Too many failed sign-ins");
            this.retryAfter = retryAfter;
        }
    }

    /** Wrong email or password, a disabled user, or a suspended tenant: the caller learns which never. */
    public static class InvalidCredentialsException extends RuntimeException {
        InvalidCredentialsException() {
            super("Wrong email or password");
        }
    }

    /** Longest email address (RFC 5321 path limit); longer input is refused before any look-up. */
    public static final int MAX_EMAIL = 254;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Inject
    PasswordHasher hasher;

    @Inject
    IdentityConfig config;

    @Inject
    ClientLimiter clients;

    /** Like {@link #authenticate(String, String, String)} for an unknown client (tests, start-up). */
    public Account authenticate(String email, String password) {
        return authenticate(email, password, null);
    }

    /**
     * Checks an email and password for a client (its IP address, or null). Throttled first per client
     * ({@link ClientLimiter}), then per email: the email's throttle row is locked for the whole check, so
     * parallel attempts on one email are counted one after another and none slips past a lock (40
     * parallel wrong passwords lock it; the right one arriving meanwhile is refused).
     *
     * @throws ThrottledException when the client or the email is locked, with the time left
     * @throws InvalidCredentialsException for a wrong email or password, a disabled user or a suspended tenant
     */
    public Account authenticate(String email, String password, String client) {
        if (email == null || password == null || email.isBlank() || password.isEmpty()
                || email.length() > MAX_EMAIL || dev.fleethook.kernel.StorableText.problem(email) != null) {
            // No account has such an email (RFC 5321 caps an address at 254): nothing to look up or count.
            throw new InvalidCredentialsException();
        }
        Optional<Duration> clientWait = clients.acquire(client);
        if (clientWait.isPresent()) {
            throw new ThrottledException(clientWait.get());
        }
        String key = normalize(email);
        Outcome outcome = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.SIGN_IN, () -> check(key, password));
        if (outcome.retryAfter() != null) {
            throw new ThrottledException(outcome.retryAfter());
        }
        if (outcome.account() == null) {
            throw new InvalidCredentialsException();
        }
        return outcome.account();
    }

    /** What one locked check found: an account, a lock with its time left, or neither (wrong credentials). */
    private record Outcome(Account account, Duration retryAfter) {
    }

    /** One transaction holding the email's throttle row: lock check, password check, and the count. */
    private Outcome check(String key, String password) {
        var em = Panache.getEntityManager();
        em.createNativeQuery("""
                INSERT INTO sign_in_throttle (email_key, failures, window_start) VALUES (?1, 0, now())
                ON CONFLICT (email_key) DO NOTHING""").setParameter(1, key).executeUpdate();
        List<?> locked = em.createNativeQuery(
                "SELECT locked_until FROM sign_in_throttle WHERE email_key = ?1 FOR UPDATE", Instant.class)
                .setParameter(1, key).getResultList();
        Instant until = locked.isEmpty() ? null : (Instant) locked.get(0);
        if (until != null && until.isAfter(Instant.now())) {
            Duration remaining = Duration.between(Instant.now(), until);
            return new Outcome(null, remaining.isNegative() ? Duration.ZERO : remaining);
        }
        Candidate candidate = find(key);
        boolean ok = hasher.verify(password, candidate == null ? null : candidate.passwordHash)
                && candidate != null && candidate.active;
        if (!ok) {
            recordFailure(key);
            return new Outcome(null, null);
        }
        em.createNativeQuery("DELETE FROM sign_in_throttle WHERE email_key = ?1").setParameter(1, key).executeUpdate();
        return new Outcome(candidate.account, null);
    }

    public static String normalize(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    private record Candidate(Account account, String passwordHash, boolean active) {
    }

    /** Sign-in happens before any tenant is known: runs inside {@link dev.fleethook.kernel.CrossTenant.Use#SIGN_IN}. */
    private Candidate find(String key) {
        Optional<OperatorAccount> operator = OperatorAccount.find("lower(email) = ?1", key).firstResultOptional();
        if (operator.isPresent()) {
            return new Candidate(Account.of(operator.get()), operator.get().passwordHash, true);
        }
        List<?> rows = Panache.getEntityManager().createNativeQuery("""
                SELECT u.id, u.tenant_id, u.email, u.display_name, u.role, u.password_hash, u.disabled, t.suspended
                  FROM app_user u JOIN tenant t ON t.id = u.tenant_id
                 WHERE lower(u.email) = ?1""")
                .setParameter(1, key).getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] r = (Object[]) rows.get(0);
        Account account = new Account(Account.Kind.USER, (UUID) r[0], (String) r[1], (String) r[2], (String) r[3],
                Role.valueOf((String) r[4]));
        boolean active = !((Boolean) r[6]) && !((Boolean) r[7]);
        return new Candidate(account, (String) r[5], active);
    }

    private int recordFailure(String key) {
        long window = config.signIn().window().toSeconds();
        return Panache.getEntityManager().createNativeQuery("""
                INSERT INTO sign_in_throttle AS t (email_key, failures, window_start, locked_until)
                VALUES (?1, 1, now(), CASE WHEN ?2 <= 1 THEN now() + make_interval(secs => ?4) END)
                ON CONFLICT (email_key) DO UPDATE SET
                  failures = CASE WHEN t.window_start < now() - make_interval(secs => ?3) THEN 1 ELSE t.failures + 1 END,
                  window_start = CASE WHEN t.window_start < now() - make_interval(secs => ?3) THEN now() ELSE t.window_start END,
                  locked_until = CASE
                    WHEN (CASE WHEN t.window_start < now() - make_interval(secs => ?3) THEN 1 ELSE t.failures + 1 END) >= ?2
                    THEN now() + make_interval(secs => ?4) ELSE t.locked_until END""")
                .setParameter(1, key)
                .setParameter(2, config.signIn().maxFailures())
                .setParameter(3, (double) window)
                .setParameter(4, (double) config.signIn().lockout().toSeconds())
                .executeUpdate();
    }
}
