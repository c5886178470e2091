package dev.fleethook.identity.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.fleethook.audit.AuditService;
import dev.fleethook.identity.Account;
import dev.fleethook.identity.Role;
import dev.fleethook.identity.User;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import dev.fleethook.kernel.ConflictException;
import dev.fleethook.kernel.InputValidator;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import dev.fleethook.kernel.ObjectNotFoundException;
import dev.fleethook.kernel.Secrets;

/**
 * The users of the current tenant. Every query runs under Hibernate's tenant filter, so another
 * tenant's user is simply not found (404). A tenant always keeps at least one active admin.
 */
@ApplicationScoped
public class UserService {

    /** A created user, with the generated password when none was given (shown once). */
    public record Created(UserView user, String generatedPassword) {
    }

    /** A new user (the API's {@code CreateUserRequest} and the users page); without a password one is generated. */
    public record NewUser(
            @NotBlank(message = "is required") @Email(message = "must be an email address") @Size(max = 254) String email,
            @NotBlank(message = "is required") @Size(max = 120, message = "must be at most 120 characters") String displayName,
            @NotNull(message = "is required (ADMIN, OPERATOR or VIEWER)") Role role,
            @dev.fleethook.identity.PasswordRule String password) {
    }

    /** A partial change of a user: only the fields present (not null) are applied. */
    public record UserChange(
            @Size(min = 1, max = 120, message = "must be 1 to 120 characters") String displayName,
            Role role,
            Boolean disabled,
            @dev.fleethook.identity.PasswordRule String password) {
    }

    @Inject
    dev.fleethook.kernel.CurrentTenant currentTenant;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Inject
    PasswordHasher hasher;

    @Inject
    InputValidator validator;

    @Inject
    SessionService sessions;

    @Inject
    AuditService audit;

    private static Map<String, Object> snapshot(User u) {
        return Map.of("email", u.email, "displayName", u.displayName, "role", u.role.name(), "disabled", u.disabled);
    }

    /** The tenant's users by email; {@code query} (optional) a part of the email or the name, case-insensitive. */
    public List<UserView> list(String query) {
        if (query == null || query.isBlank()) {
            return User.<User> listAll(Sort.by("email")).stream().map(UserView::of).toList();
        }
        String like = "%" + query.trim().toLowerCase() + "%";
        return User.<User> list("lower(email) like ?1 or lower(displayName) like ?1", Sort.by("email"), like).stream()
                .map(UserView::of).toList();
    }

    public Optional<UserView> find(UUID id) {
        return User.<User> findByIdOptional(id).map(UserView::of);
    }

    public long count() {
        return User.count();
    }

    @Transactional
    public Created create(NewUser request) {
        validator.check(request);
        String password = request.password() == null ? Secrets.newPassword() : request.password();
        User user = new User();
        user.id = UUID.randomUUID();
        user.email = request.email().trim();
        user.displayName = request.displayName().trim();
        user.role = request.role();
        user.passwordHash = hasher.hash(password);
        user.createdAt = Instant.now();
        persistUnique(user);
        audit.record("user.create", "user", user.id, "Added " + user.email + " as " + user.role.label(), null,
                snapshot(user));
        return new Created(UserView.of(user), request.password() == null ? password : null);
    }

    @Transactional
    public UserView update(UUID id, UserChange request, Account actor) {
        validator.check(request);
        User user = User.<User> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        boolean losesAdmin = user.role == Role.ADMIN && !user.disabled
                && ((request.role() != null && request.role() != Role.ADMIN) || Boolean.TRUE.equals(request.disabled()));
        if (losesAdmin && activeAdminsOtherThan(user.id) == 0) {
            throw new ConflictException("A tenant needs at least one active admin; promote someone else first.");
        }
        Map<String, Object> before = snapshot(user);
        if (request.displayName() != null) {
            user.displayName = request.displayName().trim();
        }
        if (request.role() != null) {
            user.role = request.role();
        }
        if (request.disabled() != null) {
            user.disabled = request.disabled();
        }
        if (request.password() != null) {
            user.passwordHash = hasher.hash(request.password());
        }
        if (user.disabled || request.password() != null) {
            sessions.closeAllOf(user.id);
        }
        audit.record("user.update", "user", user.id, "Changed " + user.email
                + (request.password() != null ? " (password reset)" : ""), before, snapshot(user));
        return UserView.of(user);
    }

    @Transactional
    public void delete(UUID id, Account actor) {
        User user = User.<User> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        if (user.id.equals(actor.id())) {
            throw new ConflictException("You cannot delete your own account.");
        }
        if (user.role == Role.ADMIN && !user.disabled && activeAdminsOtherThan(user.id) == 0) {
            throw new ConflictException("A tenant needs at least one active admin.");
        }
        audit.record("user.delete", "user", user.id, "Deleted " + user.email, snapshot(user), null);
        user.delete();
    }

    private long activeAdminsOtherThan(UUID id) {
        return User.count("role = ?1 and disabled = false and id <> ?2", Role.ADMIN, id);
    }

    /** Inserts a user; the unique index on email, not a look-up first, decides whether it is taken. */
    static void persistUnique(User user) {
        try {
            user.persistAndFlush();
        } catch (PersistenceException e) {
            if (ConflictException.isUniqueViolation(e, "app_user_email_unique")) {
                throw new ConflictException("The email " + user.email + " is already in use.");
            }
            throw e;
        }
    }

    /**
     * Users per tenant id, across tenants (a platform-level aggregate for the operator, no user data):
     * the one place outside sign-in that reads {@code app_user} across tenants ({@link dev.fleethook.kernel.CrossTenant}).
     */
    public Map<String, Long> countsByTenant() {
        return crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.OPERATOR, () -> {
            Map<String, Long> counts = new java.util.HashMap<>();
            List<?> rows = io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
                    .createNativeQuery("SELECT tenant_id, count(*) FROM app_user GROUP BY tenant_id").getResultList();
            for (Object row : rows) {
                Object[] r = (Object[]) row;
                counts.put((String) r[0], ((Number) r[1]).longValue());
            }
            return counts;
        });
    }
}
