package dev.fleethook.fleet.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.fleethook.audit.AuditService;
import dev.fleethook.fleet.EnrollmentToken;
import dev.fleethook.fleet.Server;
import dev.fleethook.fleet.rest.FleetRecords.CreateTokenRequest;
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

    public record Created(EnrollmentToken token, String secret, String command) {
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

    public List<EnrollmentToken> list() {
        return EnrollmentToken.listAll(Sort.by("createdAt", Sort.Direction.Descending));
    }

    @Transactional
    public Created create(CreateTokenRequest request) {
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
        return new Created(t, secret, commandLine(secret));
    }

    @Transactional
    public EnrollmentToken revoke(UUID id) {
        EnrollmentToken t = EnrollmentToken.<EnrollmentToken> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
        if (t.revokedAt == null) {
            t.revokedAt = Instant.now();
            audit.record("enrollment-token.revoke", "enrollment-token", t.id, "Revoked enrollment token " + t.label,
                    null, null);
        }
        return t;
    }

    /** Where the command line puts the agent's state: the agent's own default when it runs as root. */
    public static final String STATE_DIR = "/var/lib/fleethook-agent";

    /** The exact command an administrator pastes on the server (the token last). */
    public String commandLine(String secret) {
        return "java -jar fleethook-agent.jar enroll --portal " + baseUrl + " --state-dir " + STATE_DIR + " --token "
                + secret;
    }
}
