package dev.fleethook.identity.service;

import java.util.UUID;

import org.jboss.logging.Logger;

import dev.fleethook.audit.AuditService;
import dev.fleethook.identity.Account;
import dev.fleethook.identity.OperatorAccount;
import dev.fleethook.identity.PasswordRule;
import dev.fleethook.identity.User;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.kernel.InputValidator;
import dev.fleethook.kernel.ObjectNotFoundException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * What a signed-in account does for itself: change its password. The new password follows
 * {@link dev.fleethook.identity.PasswordRule}; the current one must be given (a stolen session alone cannot
 * take the account over). Every other browser session of the account is then signed out; the one that
 * asked stays. API tokens stay valid: they are revoked on their own page.
 */
@ApplicationScoped
public class AccountService {

    /**
     * A change of one's own password: {@code newPassword} follows {@link PasswordRule} (12 characters to 72
     * bytes); a wrong {@code currentPassword} is a 400 naming that field. The API's
     * {@code AccountRecords.ChangePasswordRequest} repeats these constraints for the OpenAPI document.
     */
    public record PasswordChange(
            @NotNull(message = "is required") String currentPassword,
            @NotBlank(message = "is required") @PasswordRule String newPassword) {
    }

    private static final Logger LOG = Logger.getLogger(AccountService.class);

    @Inject
    InputValidator validator;

    @Inject
    PasswordHasher hasher;

    @Inject
    SessionService sessions;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    AuditService audit;

    /**
     * Changes the password of {@code account} and signs out its other sessions.
     *
     * @param keepSession the session to keep signed in (the caller's browser), or null from the API
     * @return how many other sessions were signed out
     * @throws BadInputException {@code currentPassword} when it is wrong, {@code newPassword} when it breaks the
     *                           rule or equals the current one
     */
    @Transactional
    public long changePassword(Account account, UUID keepSession, PasswordChange request) {
        validator.check(request);
        if (account.isOperator()) {
            OperatorAccount operator = currentTenant.withoutTenant(() -> {
                OperatorAccount o = OperatorAccount.<OperatorAccount> findByIdOptional(account.id())
                        .orElseThrow(ObjectNotFoundException::new);
                o.passwordHash = newHash(o.passwordHash, request);
                return o;
            });
            long ended = sessions.closeOthersOf(account, keepSession);
            // The platform has no audit log of its own (audit entries belong to a tenant): the log records it.
            LOG.infof("Platform operator %s changed their password; %d other session(s) signed out", operator.email, ended);
            return ended;
        }
        User user = User.<User> findByIdOptional(account.id()).orElseThrow(ObjectNotFoundException::new);
        user.passwordHash = newHash(user.passwordHash, request);
        long ended = sessions.closeOthersOf(account, keepSession);
        audit.record("user.password-change", "user", user.id, user.email + " changed their password"
                + (ended == 0 ? "" : "; " + ended + " other session" + (ended == 1 ? "" : "s") + " signed out"), null, null);
        return ended;
    }

    private String newHash(String currentHash, PasswordChange request) {
        if (!hasher.verify(request.currentPassword(), currentHash)) {
            throw new BadInputException("currentPassword", "is not your current password");
        }
        if (request.newPassword().equals(request.currentPassword())) {
            throw new BadInputException("newPassword", "must differ from the current password");
        }
        return hasher.hash(request.newPassword());
    }
}
