package dev.fleethook.identity.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.fleethook.identity.Account;
import dev.fleethook.identity.OperatorAccount;
import dev.fleethook.identity.User;
import dev.fleethook.identity.WebSession;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.kernel.ObjectNotFoundException;
import dev.fleethook.kernel.TenantGate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.Secrets;

/**
 * Server-side browser sessions: sign-out and disabling a user end them at once, on every replica.
 * A session slides with activity up to the idle timeout, and never outlives the maximum lifetime.
 */
@ApplicationScoped
public class SessionService {

    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    /** The longest {@code User-Agent} kept with a session (the column's size). */
    static final int MAX_USER_AGENT = 512;

    /** A live session and the account behind it: the session id marks "this session" in lists. */
    public record SignedIn(Account account, UUID sessionId) {
    }

    @Inject
    CurrentTenant currentTenant;

    @Inject
    TenantGate tenants;

    @Inject
    IdentityConfig config;

    /**
     * Opens a session for {@code account} and returns the cookie value.
     *
     * @param userAgent the browser's {@code User-Agent}, kept (cut to 512 characters) for the sessions list; may be null
     * @param address   the client address, or null when unknown
     */
    public String open(Account account, String userAgent, String address) {
        String token = Secrets.newToken("fhs_", 32);
        Instant now = Instant.now();
        currentTenant.withoutTenant(() -> {
            WebSession s = new WebSession();
            s.id = UUID.randomUUID();
            s.tokenHash = Secrets.sha256(token);
            s.operatorId = account.isOperator() ? account.id() : null;
            s.userId = account.isOperator() ? null : account.id();
            s.tenantId = account.tenantId();
            s.createdAt = now;
            s.lastSeenAt = now;
            s.expiresAt = expiry(now, now);
            String agent = userAgent == null || userAgent.isBlank() ? null
                    : userAgent.length() > MAX_USER_AGENT ? userAgent.substring(0, MAX_USER_AGENT) : userAgent;
            s.userAgent = agent == null || dev.fleethook.kernel.StorableText.problem(agent) != null ? null : agent;
            s.address = address == null || address.length() > 64 ? null : address;
            s.persist();
            return s;
        });
        return token;
    }

    /** The account behind a cookie value, and its session, if the session is alive and the account still allowed in. */
    public Optional<SignedIn> resolve(String token) {
        String hash = Secrets.sha256(token);
        Optional<WebSession> session = currentTenant.withoutTenant(() -> {
            Optional<WebSession> found = WebSession.find("tokenHash", hash).firstResultOptional();
            Instant now = Instant.now();
            if (found.isEmpty()) {
                return found;
            }
            WebSession s = found.get();
            if (!s.expiresAt.isAfter(now)) {
                s.delete();
                return Optional.empty();
            }
            if (Duration.between(s.lastSeenAt, now).compareTo(TOUCH_EVERY) > 0) {
                s.lastSeenAt = now;
                s.expiresAt = expiry(s.createdAt, now);
            }
            return found;
        });
        return session.flatMap(s -> accountOf(s).map(a -> new SignedIn(a, s.id)));
    }

    public void close(String token) {
        String hash = Secrets.sha256(token);
        currentTenant.withoutTenant(() -> WebSession.delete("tokenHash", hash));
    }

    /** Ends every session of a user, e.g. when an admin disables or deletes them. */
    public void closeAllOf(UUID userId) {
        currentTenant.withoutTenant(() -> WebSession.delete("userId", userId));
    }

    /** The live sessions of {@code account}, most recently seen first. */
    public List<WebSession> listOf(Account account) {
        Instant now = Instant.now();
        return currentTenant.withoutTenant(() -> WebSession.<WebSession> list(
                (account.isOperator() ? "operatorId" : "userId") + " = ?1 and expiresAt > ?2 order by lastSeenAt desc, id",
                account.id(), now));
    }

    /**
     * Ends one session of {@code account}; another account's session, or none, is not found.
     *
     * @throws ObjectNotFoundException when {@code account} has no session {@code sessionId}
     */
    public WebSession revoke(Account account, UUID sessionId) {
        return currentTenant.withoutTenant(() -> {
            WebSession s = WebSession.<WebSession> findByIdOptional(sessionId)
                    .filter(found -> account.id().equals(account.isOperator() ? found.operatorId : found.userId))
                    .orElseThrow(ObjectNotFoundException::new);
            s.delete();
            return s;
        });
    }

    /** Ends every session of {@code account} but {@code keep} (null ends them all); returns how many ended. */
    public long closeOthersOf(Account account, UUID keep) {
        String owner = account.isOperator() ? "operatorId" : "userId";
        return currentTenant.withoutTenant(() -> keep == null ? WebSession.delete(owner, account.id())
                : WebSession.delete(owner + " = ?1 and id <> ?2", account.id(), keep));
    }

    private Instant expiry(Instant created, Instant now) {
        Instant idle = now.plus(config.session().idleTimeout());
        Instant max = created.plus(config.session().maxLifetime());
        return idle.isBefore(max) ? idle : max;
    }

    Optional<Account> accountOf(WebSession s) {
        if (s.operatorId != null) {
            return currentTenant.withoutTenant(
                    () -> OperatorAccount.<OperatorAccount> findByIdOptional(s.operatorId).map(Account::of));
        }
        return activeUser(currentTenant, tenants, s.tenantId, s.userId);
    }

    /** A user of an unsuspended tenant who is not disabled, loaded inside that tenant. */
    static Optional<Account> activeUser(CurrentTenant currentTenant, TenantGate tenants, String tenantId, UUID userId) {
        return currentTenant.inTransaction(tenantId, () -> {
            if (!tenants.active(tenantId)) {
                return Optional.<Account> empty();
            }
            return User.<User> findByIdOptional(userId).filter(u -> !u.disabled).map(Account::of);
        });
    }
}
