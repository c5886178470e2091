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
import dev.fleethook.kernel.Page;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.policy.Policy;
import dev.fleethook.protocol.AgentCommand;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import dev.fleethook.kernel.ObjectNotFoundException;

/** Servers of the current tenant: listing, labels, policy, disable/revoke/delete, Backup Now, the command queue. */
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

    /**
     * The server entity, for this feature's and the job feature's services inside their transaction;
     * pages and the API take {@link #get}.
     *
     * @throws ObjectNotFoundException when the server is not in the current tenant
     */
    public Server require(UUID id) {
        return Server.<Server> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
    }

    /**
     * One server of the current tenant.
     *
     * @throws ObjectNotFoundException when it is not in the current tenant
     */
    public ServerView get(UUID id) {
        return ServerView.of(require(id));
    }

    /** One page of the current tenant's servers by hostname; page/size as {@link Page#checkRequest}. */
    public Page<ServerView> list(Filter f) {
        Page.checkRequest(f.page(), f.size());
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
                case "online" -> where.append(" and status = 'ENABLED' and " + Server.ONLINE_AT_NOW);
                case "offline" -> where.append(" and status = 'ENABLED' and lastSeenAt is not null and not (")
                        .append(Server.ONLINE_AT_NOW).append(")");
                case "never-seen" -> where.append(" and status = 'ENABLED' and lastSeenAt is null");
                case "disabled" -> where.append(" and status = 'DISABLED'");
                case "revoked" -> where.append(" and status = 'REVOKED'");
                default -> throw new BadInputException("status",
                        "must be one of online, offline, never-seen, disabled, revoked");
            }
            if (f.presence().equals("online") || f.presence().equals("offline")) {
                params.and("now", now);
            }
        }
        var query = Server.<Server> find(where.toString(), Sort.by("hostname").and("enrolledAt"), params);
        long total = query.count();
        List<Server> items = query.page(io.quarkus.panache.common.Page.of(f.page(), f.size())).list();
        return new Page<>(items, total, f.page(), f.size()).map(ServerView::of);
    }

    public Map<UUID, String> policyNames() {
        Map<UUID, String> names = new HashMap<>();
        Policy.<Policy> listAll().forEach(p -> names.put(p.id, p.name));
        return names;
    }

    @Transactional
    public ServerView assignPolicy(UUID serverId, UUID policyId) {
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
        return ServerView.of(server);
    }

    @Transactional
    public ServerView setLabels(UUID serverId, List<String> labels) {
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
        return ServerView.of(server);
    }

    @Transactional
    public ServerView setStatus(UUID serverId, Server.Status status) {
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
        return ServerView.of(server);
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
    public List<CommandView> pendingCommands(UUID serverId) {
        // Test runs show in their own section (TestRunPages), not as pending Backup Now / Cancel.
        return AgentCommandEntity.<AgentCommandEntity> list(
                "serverId = ?1 and acknowledgedAt is null and kind <> ?2 order by createdAt",
                serverId, dev.fleethook.protocol.AgentCommand.Kind.TEST_RUN.name()).stream().map(CommandView::of).toList();
    }

    @Transactional
    public CommandView backupNow(UUID serverId) {
        Server server = require(serverId);
        if (server.status != Server.Status.ENABLED) {
            throw new ConflictException("The server is " + server.status.name().toLowerCase() + ": it takes no commands.");
        }
        AgentCommandEntity command = command(server, AgentCommand.Kind.BACKUP_NOW, null);
        audit.record("server.backup-now", "server", server.id, "Backup Now on " + server.hostname, null, null);
        return CommandView.of(command);
    }

    /**
     * Queues a command for the server's agent (repeated in every poll answer until it is acknowledged)
     * and refreshes the server's cached poll answer after commit. The caller decides whether the command
     * makes sense (the job feature for Cancel) and audits it.
     *
     * @throws ObjectNotFoundException when the server is not in the current tenant
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public CommandView queueCommand(UUID serverId, AgentCommand.Kind kind, UUID jobId) {
        return CommandView.of(command(require(serverId), kind, jobId));
    }

    /** How many servers of the current tenant are in each state, by {@link Server#presence}. */
    public record PresenceCounts(long online, long offline, long neverSeen, long disabled) {
    }

    /** The servers of the current tenant by presence at {@code now} (disabled and revoked count as disabled). */
    public PresenceCounts presenceCounts(Instant now) {
        // One pass over the tenant's servers instead of one count per presence (the dashboard asks on every refresh).
        Object[] n = Server.getEntityManager().createQuery("select"
                + " count(*) filter (where status = :enabled and " + Server.ONLINE_AT_NOW + "),"
                + " count(*) filter (where status = :enabled and lastSeenAt is not null),"
                + " count(*) filter (where status = :enabled and lastSeenAt is null),"
                + " count(*) filter (where status <> :enabled) from Server", Object[].class)
                .setParameter("enabled", Server.Status.ENABLED).setParameter("now", now).getSingleResult();
        long online = ((Number) n[0]).longValue();
        return new PresenceCounts(online, ((Number) n[1]).longValue() - online, ((Number) n[2]).longValue(),
                ((Number) n[3]).longValue());
    }

    /** Hostnames of the given servers of the current tenant (unknown ids are left out). */
    public Map<UUID, String> hostnames(java.util.Collection<UUID> ids) {
        Map<UUID, String> names = new java.util.HashMap<>();
        if (!ids.isEmpty()) {
            Server.<Server> list("id in ?1", List.copyOf(ids)).forEach(s -> names.put(s.id, s.hostname));
        }
        return names;
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
