package dev.fleethook.fleet.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.fleethook.audit.AuditService;
import dev.fleethook.fleet.EnrollmentToken;
import dev.fleethook.fleet.Server;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.kernel.Secrets;
import dev.fleethook.policy.Policy;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.InputValidator;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import dev.fleethook.kernel.ObjectNotFoundException;

/** Enrollment tokens: random, stored hashed, shown once with the command line to paste on a server. */
@ApplicationScoped
public class EnrollmentTokenService {

    /** A token just created, with its secret and the command line: shown once, never stored. */
    public record Created(EnrollmentTokenView token, String secret, String command) {
    }

    /**
     * What a new enrollment token needs (the API's {@code CreateTokenRequest} and the page's form): a
     * label, the expiry in minutes (default {@code fleethook.enrollment.token-default-expiry}, at most 30 days),
     * the uses (default 1), an optional policy and an optional server the enrolling one replaces.
     */
    public record NewToken(
            @NotBlank(message = "is required") @Size(max = 120, message = "must be at most 120 characters") String label,
            @Min(value = 1, message = "must be 1 minute to 30 days (43200 minutes)")
            @Max(value = 43_200, message = "must be 1 minute to 30 days (43200 minutes)") Integer expiresInMinutes,
            @Min(value = 1, message = "must be 1 to 10000") @Max(value = 10_000, message = "must be 1 to 10000") Integer maxUses,
            UUID policyId,
            UUID replaceServerId) {
    }

    @Inject
    InputValidator validator;

    @Inject
    FleetConfig config;

    @Inject
    AuditService audit;

    @Inject
    CurrentAccount currentAccount;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "fleethook.portal.base-url")
    String baseUrl;

    /** The current tenant's enrollment tokens, newest first. */
    public List<EnrollmentTokenView> list() {
        return EnrollmentToken.<EnrollmentToken> listAll(Sort.by("createdAt", Sort.Direction.Descending)).stream()
                .map(EnrollmentTokenView::of).toList();
    }

    /**
     * Creates a token, audited as {@code enrollment-token.create}.
     *
     * @throws BadInputException naming the field ({@code body} when {@code request} is null)
     */
    @Transactional
    public Created create(NewToken request) {
        validator.check(request);
        Duration expiry = request.expiresInMinutes() == null ? config.tokenDefaultExpiry()
                : Duration.ofMinutes(request.expiresInMinutes());
        if (expiry.compareTo(config.tokenMaxExpiry()) > 0) {
            throw new BadInputException("expiresInMinutes", "must be at most " + config.tokenMaxExpiry().toMinutes());
        }
        if (request.policyId() != null && Policy.findById(request.policyId()) == null) {
            throw new BadInputException("policyId", "no such policy in your organization");
        }
        if (request.replaceServerId() != null && Server.findById(request.replaceServerId()) == null) {
            throw new BadInputException("replaceServerId", "no such server in your organization");
        }
        String secret = Secrets.newToken(AgentService.TOKEN_PREFIX, 24);
        EnrollmentToken t = new EnrollmentToken();
        t.id = UUID.randomUUID();
        t.label = request.label().trim();
        t.tokenHash = Secrets.sha256(secret);
        t.tokenPrefix = secret.substring(0, AgentService.TOKEN_PREFIX.length() + 6);
        t.policyId = request.policyId();
        t.replaceServerId = request.replaceServerId();
        t.maxUses = request.maxUses() == null ? 1 : request.maxUses();
        t.createdAt = Instant.now();
        t.expiresAt = t.createdAt.plus(expiry);
        t.createdBy = currentAccount.email();
        t.persist();
        audit.record("enrollment-token.create", "enrollment-token", t.id, "Created enrollment token " + t.label, null,
                Map.of("label", t.label, "maxUses", t.maxUses, "expiresAt", t.expiresAt.toString()));
        return new Created(EnrollmentTokenView.of(t), secret, commandLine(secret));
    }

    @Transactional
    public EnrollmentTokenView revoke(UUID id) {
        EnrollmentToken t = EnrollmentToken.<EnrollmentToken> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        if (t.revokedAt == null) {
            t.revokedAt = Instant.now();
            audit.record("enrollment-token.revoke", "enrollment-token", t.id, "Revoked enrollment token " + t.label,
                    null, null);
        }
        return EnrollmentTokenView.of(t);
    }

    /** Where the command line puts the agent's state: the agent's own default when it runs as root. */
    public static final String STATE_DIR = "/var/lib/fleethook-agent";

    /** The exact command an administrator pastes on the server (the token last). */
    public String commandLine(String secret) {
        return "java -jar fleethook-agent.jar enroll --portal " + baseUrl + " --state-dir " + STATE_DIR + " --token "
                + secret;
    }
}
