package dev.fleethook.fleet.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.fleethook.fleet.AgentCommandEntity;
import dev.fleethook.fleet.AgentCredential;
import dev.fleethook.fleet.EnrollmentToken;
import dev.fleethook.fleet.Server;
import dev.fleethook.kernel.Secrets;
import dev.fleethook.policy.Policy;
import dev.fleethook.policy.service.PolicyDocuments;
import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.protocol.AgentCommand;
import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.PollResponse;
import dev.fleethook.protocol.Sha256;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.Tenant;
import dev.fleethook.kernel.BadInputException;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

/** The portal side of the agent protocol: enrollment, credentials and poll answers. */
@ApplicationScoped
public class AgentService {

    public static final String SECRET_PREFIX = "fha_";
    public static final String TOKEN_PREFIX = "fhe_";

    /** The token is unknown, expired, used up or revoked: answered 401 (web.ErrorMappers) without saying which. */
    public static class InvalidTokenException extends RuntimeException {
        InvalidTokenException() {
            super("The enrollment token is not valid: it may have expired, been used up or revoked.");
        }
    }

    @Inject
    CurrentTenant currentTenant;

    @Inject
    dev.fleethook.kernel.CrossTenant crossTenant;

    @Inject
    PollCache cache;

    @Inject
    PolicyService policies;

    @Inject
    FleetConfig config;

    @Inject
    ChangeNotifier changes;

    public EnrollResponse enroll(EnrollRequest request) {
        if (request == null || request.token() == null || request.token().isBlank()) {
            throw new BadInputException("token", "is required");
        }
        if (request.hostname() == null || request.hostname().isBlank() || request.hostname().length() > 253) {
            throw new BadInputException("hostname", "is required, at most 253 characters");
        }
        if (request.os() == null) {
            throw new BadInputException("os", "is required: " + dev.fleethook.protocol.WireEnum.allowed(TargetOs.values()));
        }
        if (request.agentVersion() != null && request.agentVersion().length() > 40) {
            throw new BadInputException("agentVersion", "must be at most 40 characters");
        }
        String hash = Secrets.sha256(request.token().trim());
        // Enrollment happens before any tenant is known: find the token's tenant by its hash.
        String tenantId = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.ENROLLMENT, () -> {
            List<?> rows = Panache.getEntityManager()
                    .createNativeQuery("SELECT tenant_id FROM enrollment_token WHERE token_hash = ?1")
                    .setParameter(1, hash).getResultList();
            return rows.isEmpty() ? null : (String) rows.get(0);
        });
        if (tenantId == null) {
            throw new InvalidTokenException();
        }
        String secret = Secrets.newToken(SECRET_PREFIX, 32);
        return currentTenant.inTransaction(tenantId, () -> {
            Tenant tenant = Tenant.findById(tenantId);
            EnrollmentToken token = EnrollmentToken.<EnrollmentToken> find("tokenHash", hash)
                    .withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional().orElse(null);
            Instant now = Instant.now();
            if (token == null || tenant == null || tenant.suspended || !token.usable(now)) {
                throw new InvalidTokenException();
            }
            token.uses++;
            Server server = new Server();
            server.id = UUID.randomUUID();
            server.hostname = request.hostname().trim();
            server.os = request.os().wire();
            server.agentVersion = request.agentVersion();
            server.secretHash = Secrets.sha256(secret);
            server.status = Server.Status.ENABLED;
            server.pollIntervalSeconds = config.pollIntervalSeconds();
            server.enrolledAt = now;
            server.policyId = token.policyId != null ? token.policyId : policies.ensureDefault().id;
            if (token.replaceServerId != null) {
                Server old = Server.findById(token.replaceServerId);
                if (old != null) {
                    server.policyId = old.policyId;
                    server.labels = old.labels;
                    server.replacedServerId = old.id;
                    old.status = Server.Status.REVOKED;
                    changes.server(old.id);
                }
            }
            server.persist();
            return new EnrollResponse(server.id, secret, server.pollIntervalSeconds);
        });
    }

    /** The credential behind a secret hash, from memory or (once) from the database. */
    public Optional<AgentCredential> credential(String secretHash) {
        AgentCredential cached = cache.credential(secretHash);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<AgentCredential> loaded = crossTenant.run(dev.fleethook.kernel.CrossTenant.Use.AGENT_CREDENTIAL, () -> {
            List<?> rows = Panache.getEntityManager().createNativeQuery("""
                    SELECT s.id, s.tenant_id, s.os, s.status, s.poll_interval_seconds, t.suspended
                      FROM server s JOIN tenant t ON t.id = s.tenant_id WHERE s.secret_hash = ?1""")
                    .setParameter(1, secretHash).getResultList();
            if (rows.isEmpty()) {
                return Optional.<AgentCredential> empty();
            }
            Object[] r = (Object[]) rows.get(0);
            return Optional.of(new AgentCredential((UUID) r[0], (String) r[1], TargetOs.fromWire((String) r[2]),
                    Server.Status.valueOf((String) r[3]), ((Number) r[4]).intValue(), (Boolean) r[5]));
        });
        loaded.ifPresent(c -> cache.putCredential(secretHash, c));
        return loaded;
    }

    /** The poll answer of a server, built from the database and cached. */
    public PollCache.Answer answer(AgentCredential agent) {
        PollCache.Answer cached = cache.answer(agent.serverId());
        if (cached != null) {
            return cached;
        }
        PollCache.Answer answer = currentTenant.inTransaction(agent.tenantId(), () -> {
            Server server = Server.findById(agent.serverId());
            Tenant tenant = Tenant.findById(agent.tenantId());
            PolicyDocument document = null;
            if (server.policyId != null) {
                Policy policy = Policy.findById(server.policyId);
                if (policy != null) {
                    document = PolicyDocuments.render(policy.id.toString(), policy.currentRevision,
                            policies.currentSpec(policy), tenant.timeZone, TargetOs.fromWire(server.os));
                }
            }
            List<AgentCommand> commands = AgentCommandEntity.<AgentCommandEntity> list(
                    "serverId = ?1 and acknowledgedAt is null", Sort.by("createdAt"), server.id).stream()
                    .map(c -> new AgentCommand(c.id, AgentCommand.Kind.valueOf(c.kind), c.jobId, c.createdAt,
                            AgentCommand.Kind.TEST_RUN.name().equals(c.kind)
                                    ? TestRunService.wire(dev.fleethook.fleet.TestRun.findById(c.id)) : null))
                    .toList();
            PollResponse response = new PollResponse(server.id, server.pollIntervalSeconds, document, commands);
            byte[] json = PolicyDocuments.canonicalJson(response).getBytes(StandardCharsets.UTF_8);
            return new PollCache.Answer("\"" + Sha256.hex(json) + "\"", json,
                    server.policyId, server.tenantId);
        });
        cache.putAnswer(agent.serverId(), answer);
        return answer;
    }

    /** Whether an If-None-Match header names this ETag (a list, or *, as HTTP allows). */
    public static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        return Arrays.stream(ifNoneMatch.split(",")).map(String::trim)
                .anyMatch(t -> t.equals("*") || t.equals(etag) || t.equals("W/" + etag));
    }
}
