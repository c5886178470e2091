package dev.fleethook.identity.service;

import java.util.List;
import java.util.UUID;

import dev.fleethook.audit.AuditService;
import dev.fleethook.identity.Account;
import dev.fleethook.identity.User;
import dev.fleethook.identity.WebSession;
import dev.fleethook.kernel.ObjectNotFoundException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * An admin's view of where a user of their tenant is signed in, and the power to sign them out. The user is
 * looked up under the tenant filter first, so another tenant's user (and their sessions) is not found (404).
 */
@ApplicationScoped
public class UserAccessService {

    @Inject
    SessionService sessions;

    @Inject
    AuditService audit;

    /** The user of the current tenant, or 404. */
    public UserView user(UUID userId) {
        return UserView.of(require(userId));
    }

    private static User require(UUID userId) {
        return User.<User> findByIdOptional(userId).orElseThrow(ObjectNotFoundException::new);
    }

    /** The live browser sessions of user {@code userId}, most recently seen first. */
    public List<WebSession> sessionsOf(UUID userId) {
        return sessions.listOf(Account.of(require(userId)));
    }

    /**
     * Signs out one session of user {@code userId}; audited.
     *
     * @throws ObjectNotFoundException when the tenant has no such user, or the user no such session
     */
    @Transactional
    public void revoke(UUID userId, UUID sessionId) {
        User user = require(userId);
        sessions.revoke(Account.of(user), sessionId);
        audit.record("user.session-revoke", "user", user.id, "Signed " + user.email + " out of one browser session", null,
                null);
    }

    /** Signs out every session of user {@code userId}; audited. Returns how many ended. */
    @Transactional
    public long revokeAll(UUID userId) {
        User user = require(userId);
        long ended = sessions.closeOthersOf(Account.of(user), null);
        audit.record("user.session-revoke", "user", user.id, "Signed " + user.email + " out everywhere (" + ended
                + " session" + (ended == 1 ? "" : "s") + ")", null, null);
        return ended;
    }
}
