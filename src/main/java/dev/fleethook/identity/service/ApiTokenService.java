package dev.fleethook.identity.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.fleethook.identity.Account;
import dev.fleethook.identity.ApiToken;
import dev.fleethook.identity.OperatorAccount;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.kernel.TenantGate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.ObjectNotFoundException;
import dev.fleethook.kernel.Secrets;

/** Personal API tokens: shown once at creation, stored as SHA-256, revocable by their owner. */
@ApplicationScoped
public class ApiTokenService {

    public static final String PREFIX = "fht_";
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    /** A freshly created token: the only moment its secret value exists outside the caller's hands. */
    public record Created(ApiTokenView token, String secret) {
    }

    @Inject
    CurrentTenant currentTenant;

    @Inject
    TenantGate tenants;

    public Created create(Account owner, String name, Integer expiresInDays) {
        String secret = Secrets.newToken(PREFIX, 32);
        Instant now = Instant.now();
        ApiToken token = currentTenant.withoutTenant(() -> {
            ApiToken t = new ApiToken();
            t.id = UUID.randomUUID();
            t.tokenHash = Secrets.sha256(secret);
            t.tokenPrefix = secret.substring(0, PREFIX.length() + 6);
            t.name = name;
            t.operatorId = owner.isOperator() ? owner.id() : null;
            t.userId = owner.isOperator() ? null : owner.id();
            t.tenantId = owner.tenantId();
            t.createdAt = now;
            t.expiresAt = expiresInDays == null ? null : now.plus(Duration.ofDays(expiresInDays));
            t.persist();
            return t;
        });
        return new Created(ApiTokenView.of(token), secret);
    }

    /** The owner's tokens, newest first (revoked and expired ones included). */
    public List<ApiTokenView> listOf(Account owner) {
        return currentTenant.withoutTenant(() -> ApiToken.<ApiToken> list(
                (owner.isOperator() ? "operatorId" : "userId") + " = ?1 order by createdAt desc", owner.id()).stream()
                .map(ApiTokenView::of).toList());
    }

    /** Revokes one of the owner's tokens; someone else's token is 404, as if it did not exist. */
    public ApiTokenView revoke(Account owner, UUID tokenId) {
        return currentTenant.withoutTenant(() -> {
            ApiToken t = ApiToken.findById(tokenId);
            if (t == null || !owner.id().equals(owner.isOperator() ? t.operatorId : t.userId)) {
                throw new ObjectNotFoundException();
            }
            if (t.revokedAt == null) {
                t.revokedAt = Instant.now();
            }
            return ApiTokenView.of(t);
        });
    }

    /** The account a bearer token stands for, if the token is active and the account allowed in. */
    public Optional<Account> resolve(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String hash = Secrets.sha256(secret);
        Optional<ApiToken> token = currentTenant.withoutTenant(() -> {
            Instant now = Instant.now();
            Optional<ApiToken> found = ApiToken.<ApiToken> find("tokenHash", hash).firstResultOptional()
                    .filter(t -> t.isActive(now));
            found.ifPresent(t -> {
                if (t.lastUsedAt == null || Duration.between(t.lastUsedAt, now).compareTo(TOUCH_EVERY) > 0) {
                    t.lastUsedAt = now;
                }
            });
            return found;
        });
        if (token.isEmpty()) {
            return Optional.empty();
        }
        ApiToken t = token.get();
        if (t.operatorId != null) {
            return currentTenant.withoutTenant(
                    () -> OperatorAccount.<OperatorAccount> findByIdOptional(t.operatorId).map(Account::of));
        }
        return SessionService.activeUser(currentTenant, tenants, t.tenantId, t.userId);
    }
}
