package dev.fleethook.fleet.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.fleethook.audit.AuditService;
import dev.fleethook.fleet.AgentCommandEntity;
import dev.fleethook.fleet.EnrollmentToken;
import dev.fleethook.fleet.Server;
import dev.fleethook.fleet.rest.FleetRecords.Page;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.policy.Policy;
import dev.fleethook.protocol.AgentCommand;
import dev.fleethook.web.BadInputException;
import dev.fleethook.web.ConflictException;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.NotFoundException;

/** Servers of the current tenant: listing, labels, policy, disable/revoke/delete, Backup Now and Cancel. */
@ApplicationScoped
public class ServerService {

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/=-]{0,63}");

    /** Filters of the server list; null fields do not filter. */
    public record Filter(String query, String presence, UUID policyId, String label, int page, int size) {
    }

    @Inject
    ChangeNotifier changes;

    @Inject
    FleetConfig config;

    @Inject
    AuditService audit;

    @Inject
    CurrentAccount currentAccount;

    public Server require(UUID id) {
        return Server.<Server> findByIdOptional(id).orElseThrow(NotFoundException::new);
    }

    public Page<Server> list(Filter f) {
        if (f.size() < 1 || f.size() > 500) {
            throw new BadInputException("size", "must be 1 to 500");
        }
        if (f.page() < 0) {
            throw new BadInputException("page", "must be 0 or more");
        }
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (f.query() != null && !f.query().isBlank()) {
            where.append(" and lower(hostname) like :q");
            params.and("q", "%" + f.query().trim().toLowerCase() + "%");
        }
        if (f.policyId() != null) {
            where.append(" and policyId = :policy");
            params.and("policy", f.policyId());
        }
        if (f.label() != null && !f.label().isBlank()) {
            where.append(" and array_contains(labels, :label)");
            params.and("label", f.label().trim());
        }
        if (f.presence() != null && !f.presence().isBlank()) {
            Instant now = Instant.now();
            switch (f.presence()) {
                case "online" -> where.append(" and status = 'ENABLED' and lastSeenAt > :online");
                case "offline" -> where.append(" and status = 'ENABLED' and lastSeenAt <= :online");
                case "never-seen" -> where.append(" and status = 'ENABLED' and lastSeenAt is null");
                case "disabled" -> where.append(" and status = 'DISABLED'");
                case "revoked" -> where.append(" and status = 'REVOKED'");
                default -> throw new BadInputException("status",
                        "must be one of online, offline, never-seen, disabled, revoked");
            }
            if (f.presence().equals("online") || f.presence().equals("offline")) {
                params.and("online", now.minusSeconds((long) config.pollIntervalSeconds() * Server.ONLINE_INTERVALS));
            }
        }
        var query = Server.<Server> find(where.toString(), Sort.by("hostname").and("enrolledAt"), params);
        long total = query.count();
        List<Server> items = query.page(io.quarkus.panache.common.Page.of(f.page(), f.size())).list();
        return new Page<>(items, total, f.page(), f.size());
    }

    public Map<UUID, String> policyNames() {
        Map<UUID, String> names = new HashMap<>();
        Policy.<Policy> listAll().forEach(p -> names.put(p.id, p.name));
        return names;
    }

    @Transactional
    public Server assignPolicy(UUID serverId, UUID policyId) {
        Server server = require(serverId);
        if (policyId == null) {
            throw new BadInputException("policyId", "is required");
        }
        Policy policy = Policy.<Policy> findByIdOptional(policyId)
                .orElseThrow(() -> new BadInputException("policyId", "no such policy in your organization"));
        UUID before = server.policyId;
        server.policyId = policy.id;
        changes.server(server.id);
        audit.record("server.policy", "server", server.id, "Assigned " + policy.name + " to " + server.hostname,
                before == null ? null : Map.of("policyId", before.toString()), Map.of("policyId", policy.id.toString()));
        return server;
    }

    @Transactional
    public Server setLabels(UUID serverId, List<String> labels) {
        Server server = require(serverId);
        List<String> clean = new ArrayList<>();
        for (int i = 0; labels != null && i < labels.size(); i++) {
            String l = labels.get(i) == null ? "" : labels.get(i).trim();
            if (!LABEL.matcher(l).matches()) {
                throw new BadInputException("labels[" + i + "]",
                        "must be 1 to 64 letters, digits or _ . : / = - (starting with a letter or digit)");
            }
            if (!clean.contains(l)) {
                clean.add(l);
            }
        }
        if (clean.size() > 20) {
            throw new BadInputException("labels", "at most 20 labels");
        }
        String before = String.join(",", server.labels);
        server.labels = clean.toArray(String[]::new);
        audit.record("server.labels", "server", server.id, "Labels of " + server.hostname,
                Map.of("labels", before), Map.of("labels", String.join(",", clean)));
        return server;
    }

    @Transactional
    public Server setStatus(UUID serverId, Server.Status status) {
        Server server = require(serverId);
        if (server.status == Server.Status.REVOKED && status != Server.Status.REVOKED) {
            throw new ConflictException("A revoked server cannot be enabled again; enroll it anew.");
        }
        Server.Status before = server.status;
        server.status = status;
        changes.server(server.id);
        audit.record("server." + status.name().toLowerCase(), "server", server.id,
                status.name().charAt(0) + status.name().substring(1).toLowerCase() + " " + server.hostname,
                Map.of("status", before.name()), Map.of("status", status.name()));
        return server;
    }

    @Transactional
    public void delete(UUID serverId) {
        Server server = require(serverId);
        EnrollmentToken.delete("replaceServerId", server.id);
        audit.record("server.delete", "server", server.id, "Deleted " + server.hostname,
                Map.of("hostname", server.hostname), null);
        changes.server(server.id);
        server.delete();
    }

    /** Backup Now and Cancel commands of this server its agent has not taken yet, oldest first. */
    public List<AgentCommandEntity> pendingCommands(UUID serverId) {
        return AgentCommandEntity.list("serverId = ?1 and acknowledgedAt is null order by createdAt", serverId);
    }

    @Transactional
    public AgentCommandEntity backupNow(UUID serverId) {
        Server server = require(serverId);
        if (server.status != Server.Status.ENABLED) {
            throw new ConflictException("The server is " + server.status.name().toLowerCase() + ": it takes no commands.");
        }
        AgentCommandEntity command = command(server, AgentCommand.Kind.BACKUP_NOW, null);
        audit.record("server.backup-now", "server", server.id, "Backup Now on " + server.hostname, null, null);
        return command;
    }

    @Transactional
    public AgentCommandEntity cancel(UUID jobId, UUID serverId, boolean running) {
        if (!running) {
            throw new ConflictException("The job has already finished.");
        }
        Server server = require(serverId);
        AgentCommandEntity command = command(server, AgentCommand.Kind.CANCEL, jobId);
        audit.record("job.cancel", "job", jobId, "Cancel requested on " + server.hostname, null, null);
        return command;
    }

    private AgentCommandEntity command(Server server, AgentCommand.Kind kind, UUID jobId) {
        AgentCommandEntity c = new AgentCommandEntity();
        c.id = UUID.randomUUID();
        c.serverId = server.id;
        c.kind = kind.name();
        c.jobId = jobId;
        c.createdBy = currentAccount.email();
        c.createdAt = Instant.now();
        c.persist();
        changes.answer(server.id);
        return c;
    }
}
