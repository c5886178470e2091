package dev.fleethook.identity.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.fleethook.audit.AuditService;
import dev.fleethook.identity.Account;
import dev.fleethook.identity.PasswordReset;
import dev.fleethook.identity.PasswordRule;
import dev.fleethook.identity.User;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import dev.fleethook.kernel.CrossTenant;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.kernel.ObjectNotFoundException;
import dev.fleethook.kernel.Secrets;
import dev.fleethook.kernel.TenantGate;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

/**
 * Password reset links: an admin makes one for a user of their tenant and hands it over (it is shown once);
 * the page it opens sets a new password (the same {@link PasswordRule}) and signs out every session of
 * that user. A link works for {@link #LIFETIME} and once; a new link replaces the user's unused ones.
 * Only the SHA-256 of the link's secret is stored. The page is opened before any tenant is known, so the
 * link's tenant is found by that hash ({@link CrossTenant.Use#PASSWORD_RESET}), then everything else runs
 * inside that tenant.
 */
@ApplicationScoped
public class PasswordResetService {

    /** How long a reset link works after it was made. */
    public static final Duration LIFETIME = Duration.ofHours(24);

    /** The path of the page a link opens; the secret follows it. */
    public static final String PATH = "/password-reset/";

    static final String PREFIX = "fhr_";

    /** A new link: the row, and the path holding its secret (shown once, never stored). */
    public record Created(PasswordReset reset, String link) {
    }

    /** Why a link cannot set a password; the page says so in words. */
    public enum Refusal {
        /** No such link, or it was replaced by a newer one: 404. */
        UNKNOWN,
        /** The link was used already: 410. */
        USED,
        /** The link is older than {@link #LIFETIME}: 410. */
        EXPIRED,
        /** The user was disabled, or their organization suspended: 410. */
        ACCOUNT_UNAVAILABLE
    }

    /** A link that cannot be used, and why. */
    public static class UnusableLinkException extends RuntimeException {
        public final Refusal refusal;

        public UnusableLinkException(Refusal refusal) {
            super("This password reset link cannot be used: " + refusal.name().toLowerCase());
            this.refusal = refusal;
        }
    }

    /** A usable link: whose password it sets and until when. */
    public record Usable(String email, Instant expiresAt) {
    }

    @Inject
    CurrentTenant currentTenant;

    @Inject
    CrossTenant crossTenant;

    @Inject
    TenantGate tenants;

    @Inject
    PasswordHasher hasher;

    @Inject
    SessionService sessions;

    @Inject
    AuditService audit;

    /**
     * Makes a link for user {@code userId} of the current tenant (another tenant's user is not found: 404).
     *
     * @throws ObjectNotFoundException when the tenant has no such user
     * @throws ConflictException       when the user is disabled (enable them first)
     */
    @Transactional
    public Created create(UUID userId, Account actor) {
        User user = User.<User> findByIdOptional(userId).orElseThrow(ObjectNotFoundException::new);
        if (user.disabled) {
            throw new ConflictException(user.email + " is disabled; enable the account before making a reset link.");
        }
        PasswordReset.delete("userId = ?1 and usedAt is null", user.id);
        String secret = Secrets.newToken(PREFIX, 32);
        Instant now = Instant.now();
        PasswordReset reset = new PasswordReset();
        reset.id = UUID.randomUUID();
        reset.userId = user.id;
        reset.tokenHash = Secrets.sha256(secret);
        reset.createdBy = actor.email();
        reset.createdAt = now;
        reset.expiresAt = now.plus(LIFETIME);
        reset.persist();
        audit.record("user.password-reset-link", "user", user.id, "Made a password reset link for " + user.email
                + " (valid 24 h, once)", null, null);
        return new Created(reset, PATH + secret);
    }

    /** The user's latest link (usable, used or expired), if any. */
    public Optional<PasswordReset> latestOf(UUID userId) {
        User.<User> findByIdOptional(userId).orElseThrow(ObjectNotFoundException::new);
        return PasswordReset.<PasswordReset> find("userId", Sort.descending("createdAt"), userId).firstResultOptional();
    }

    /**
     * What the link's page shows before a password is typed.
     *
     * @throws UnusableLinkException when the link is unknown, used, expired, or its account unavailable
     */
    public Usable check(String secret) {
        String tenantId = tenantOf(secret);
        return currentTenant.inTransaction(tenantId, () -> {
            PasswordReset reset = usable(secret, false);
            User user = User.findById(reset.userId);
            return new Usable(user.email, reset.expiresAt);
        });
    }

    /**
     * Sets the new password through the link, marks the link used and signs out every session of its user.
     *
     * @return the user's email, to prefill sign-in
     * @throws BadInputException     {@code newPassword} when it breaks {@link PasswordRule} or the two entries differ
     * @throws UnusableLinkException when the link is unknown, used, expired, or its account unavailable
     */
    public String use(String secret, String newPassword, String confirmation) {
        if (newPassword == null || newPassword.isEmpty()) {
            throw new BadInputException("newPassword", "is required");
        }
        if (!new PasswordRule.Check().isValid(newPassword, null)) {
            throw new BadInputException("newPassword", "must be at least 12 characters and at most 72 bytes in UTF-8 (BCrypt's limit)");
        }
        if (!newPassword.equals(confirmation)) {
            throw new BadInputException("confirmation", "does not match the new password");
        }
        String tenantId = tenantOf(secret);
        return currentTenant.inTransaction(tenantId, () -> {
            PasswordReset reset = usable(secret, true);
            User user = User.findById(reset.userId);
            user.passwordHash = hasher.hash(newPassword);
            reset.usedAt = Instant.now();
            sessions.closeAllOf(user.id);
            audit.record("user.password-reset", "user", user.id, user.email
                    + " set a new password through the reset link made by " + reset.createdBy
                    + "; every session signed out", null, null);
            return user.email;
        });
    }

    /** The link's tenant, found by the secret's hash across tenants. */
    private String tenantOf(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
            throw new UnusableLinkException(Refusal.UNKNOWN);
        }
        String hash = Secrets.sha256(secret);
        String tenantId = crossTenant.run(CrossTenant.Use.PASSWORD_RESET, () -> {
            List<?> rows = Panache.getEntityManager()
                    .createNativeQuery("SELECT tenant_id FROM password_reset WHERE token_hash = ?1")
                    .setParameter(1, hash).getResultList();
            return rows.isEmpty() ? null : (String) rows.get(0);
        });
        if (tenantId == null) {
            throw new UnusableLinkException(Refusal.UNKNOWN);
        }
        return tenantId;
    }

    /** The link inside its tenant's transaction, locked when it is about to be used. */
    private PasswordReset usable(String secret, boolean lock) {
        var query = PasswordReset.<PasswordReset> find("tokenHash", Secrets.sha256(secret));
        PasswordReset reset = (lock ? query.withLock(LockModeType.PESSIMISTIC_WRITE) : query).firstResultOptional()
                .orElseThrow(() -> new UnusableLinkException(Refusal.UNKNOWN));
        if (reset.usedAt != null) {
            throw new UnusableLinkException(Refusal.USED);
        }
        if (!reset.usable(Instant.now())) {
            throw new UnusableLinkException(Refusal.EXPIRED);
        }
        User user = User.findById(reset.userId);
        if (user == null || user.disabled || !tenants.active(reset.tenantId)) {
            throw new UnusableLinkException(Refusal.ACCOUNT_UNAVAILABLE);
        }
        return reset;
    }
}
