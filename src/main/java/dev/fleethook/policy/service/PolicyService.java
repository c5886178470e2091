package dev.fleethook.policy.service;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.audit.AuditService;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.policy.Policy;
import dev.fleethook.policy.PolicyRevision;
import dev.fleethook.policy.PolicySpec;
import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.protocol.Sha256;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.Tenant;
import dev.fleethook.tenant.TenantView;
import dev.fleethook.tenant.TenantService;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import dev.fleethook.kernel.ObjectNotFoundException;

/**
 * Policies of the current tenant and their revisions. Every change of content is a new immutable
 * revision; a save based on a stale revision is refused (409). Each change is audited in the same
 * transaction.
 */
@ApplicationScoped
public class PolicyService {

    /**
     * A save refused because the policy moved on since the form was opened: the revision the change was based
     * on, the latest revision with its author and time, how the submitted version differs from the latest
     * (field by field, {@link PolicyDiff}), and the submitted change re-applied on top of the latest
     * ({@link PolicyDiff#reapply}) with the fields both sides changed differently.
     */
    public record StaleEdit(int base, int latest, String author, Instant savedAt, List<PolicyDiff.Change> changes,
            PolicySpec reapplied, List<String> clashes) {

        /** The head of the latest revision's column in the diff: {@code Revision 4 (latest)}. */
        public String latestLabel() {
            return "Revision " + latest + " (latest)";
        }
    }

    /** Fired after a policy's current revision changed or the policy was deleted (cache invalidation). */
    public record PolicyChanged(String tenantId, UUID policyId) {
    }

    @Inject
    PolicyValidator validator;

    @Inject
    ObjectMapper json;

    @Inject
    AuditService audit;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    CurrentAccount currentAccount;

    @Inject
    Event<PolicyChanged> changed;

    /** The current tenant's policies by name. */
    public List<PolicyView> list() {
        return Policy.<Policy> listAll(Sort.by("name")).stream().map(PolicyView::of).toList();
    }

    /** How many servers of the current tenant each policy is assigned to (policies without servers absent). */
    @SuppressWarnings("unchecked")
    public java.util.Map<UUID, Long> serverCounts() {
        java.util.Map<UUID, Long> counts = new java.util.HashMap<>();
        ((List<Object[]>) Policy.getEntityManager().createNativeQuery("""
                SELECT policy_id, count(*) FROM server WHERE tenant_id = ?1 AND policy_id IS NOT NULL GROUP BY policy_id""")
                .setParameter(1, currentTenant.require()).getResultList())
                .forEach(r -> counts.put((UUID) r[0], ((Number) r[1]).longValue()));
        return counts;
    }

    /** The hostnames of the servers a policy is assigned to, sorted. */
    @SuppressWarnings("unchecked")
    public List<String> serversUsing(UUID id) {
        require(id);
        return ((List<Object>) Policy.getEntityManager().createNativeQuery(
                "SELECT hostname FROM server WHERE tenant_id = ?1 AND policy_id = ?2 ORDER BY hostname")
                .setParameter(1, currentTenant.require()).setParameter(2, id).getResultList())
                .stream().map(Object::toString).toList();
    }

    /**
     * Moves every server and unrevoked enrollment token of policy {@code from} to policy {@code to} (the
     * step before deleting {@code from}); their agents get the new policy at their next poll. Returns how
     * many servers moved. 404 when either policy is not the tenant's; 400 when they are the same.
     */
    @Transactional
    public int reassign(UUID from, UUID to) {
        Policy source = entity(from);
        Policy target = entity(to);
        if (from.equals(to)) {
            throw new dev.fleethook.kernel.BadInputException("to", "must be another policy");
        }
        String tenant = currentTenant.require();
        int servers = Policy.getEntityManager().createNativeQuery(
                "UPDATE server SET policy_id = ?1 WHERE tenant_id = ?2 AND policy_id = ?3")
                .setParameter(1, to).setParameter(2, tenant).setParameter(3, from).executeUpdate();
        Policy.getEntityManager().createNativeQuery(
                "UPDATE enrollment_token SET policy_id = ?1 WHERE tenant_id = ?2 AND policy_id = ?3 AND revoked_at IS NULL")
                .setParameter(1, to).setParameter(2, tenant).setParameter(3, from).executeUpdate();
        audit.record("policy.reassign", "policy", from, "Moved " + servers + " server(s) from " + source.name + " to "
                + target.name, null, null);
        changed.fire(new PolicyChanged(tenant, to));
        return servers;
    }

    /** One policy of the current tenant, if any. */
    public Optional<PolicyView> find(UUID id) {
        return Policy.<Policy> findByIdOptional(id).map(PolicyView::of);
    }

    /**
     * One policy of the current tenant.
     *
     * @throws ObjectNotFoundException when it is not one of the current tenant's
     */
    public PolicyView require(UUID id) {
        return PolicyView.of(entity(id));
    }

    private Policy entity(UUID id) {
        return Policy.<Policy> findByIdOptional(id).orElseThrow(ObjectNotFoundException::new);
    }

    /** The spec of the policy's current revision (for the agent API, inside its transaction). */
    public PolicySpec currentSpec(Policy policy) {
        return spec(revision(policy.id, policy.currentRevision).orElseThrow());
    }

    /** The spec of the policy's current revision. */
    public PolicySpec currentSpec(PolicyView policy) {
        return spec(revision(policy.id(), policy.currentRevision()).orElseThrow());
    }

    /** The current tenant, whose time zone and maximum script timeout shape its policies. */
    public TenantView tenant() {
        return TenantView.of(Tenant.<Tenant> findByIdOptional(currentTenant.require())
                .orElseThrow(ObjectNotFoundException::new));
    }

    public List<ZonedDateTime> nextRuns(PolicySpec spec, int count) {
        ZoneId zone = ZoneId.of(tenant().timeZone());
        return Schedules.nextRuns(Schedules.toCron(spec.schedule()), zone, ZonedDateTime.now(zone), count);
    }

    /**
     * A new revision of a policy (the API's {@code SavePolicyRequest} and the policy form): the revision it
     * is based on (required to change a policy, ignored on create), a note for the history, the whole spec.
     */
    public record SavePolicy(Integer baseRevision, String note, PolicySpec spec) {
    }

    /**
     * Creates a policy with its revision 1, audited as {@code policy.create}.
     *
     * @throws BadInputException naming the spec path ({@code hooks[0].path}) or {@code spec}
     * @throws ConflictException when the name is taken
     */
    @Transactional
    public PolicyView create(SavePolicy request) {
        PolicySpec spec = validator.check(request == null ? null : request.spec(), tenant().maxScriptTimeoutSeconds());
        Policy policy = new Policy();
        policy.id = UUID.randomUUID();
        policy.createdAt = Instant.now();
        policy.isDefault = false;
        apply(policy, spec, 1, request.note());
        try {
            policy.persistAndFlush();
        } catch (PersistenceException e) {
            throw nameTaken(e, spec);
        }
        PolicyRevision revision = newRevision(policy, spec, 1, request.note());
        audit.record("policy.create", "policy", policy.id, "Created policy " + spec.name(), null, revision.spec);
        return PolicyView.of(policy);
    }

    /**
     * Saves a new revision, audited as {@code policy.update}; an unchanged spec writes none.
     *
     * @throws BadInputException naming {@code baseRevision} or the spec path
     * @throws ConflictException when the policy moved past {@code baseRevision}, or the name is taken
     */
    @Transactional
    public PolicyView update(UUID id, SavePolicy request) {
        Policy policy = lockedForChange(id, request == null ? null : request.baseRevision());
        PolicySpec spec = validator.check(request.spec(), tenant().maxScriptTimeoutSeconds());
        return PolicyView.of(saveRevision(policy, spec, request.note(), "policy.update", "Changed policy " + spec.name()));
    }

    @Transactional
    public PolicyView rollback(UUID id, Integer toRevision, Integer baseRevision, String note) {
        if (toRevision == null) {
            throw new BadInputException("revision", "name the revision to roll back to");
        }
        Policy policy = lockedForChange(id, baseRevision);
        PolicyRevision target = revision(id, toRevision)
                .orElseThrow(() -> new BadInputException("revision", "policy has no revision " + toRevision));
        PolicySpec spec = spec(target);
        String why = note == null || note.isBlank() ? "Rolled back to revision " + toRevision : note;
        return PolicyView.of(saveRevision(policy, spec, why, "policy.rollback",
                "Rolled back policy " + spec.name() + " to revision " + toRevision));
    }

    @Transactional
    public void delete(UUID id) {
        Policy policy = entity(id);
        if (policy.isDefault) {
            throw new ConflictException("The default policy cannot be deleted; make another policy the default first.");
        }
        long users = ((Number) Policy.getEntityManager().createNativeQuery("""
                SELECT (SELECT count(*) FROM server WHERE policy_id = ?1)
                     + (SELECT count(*) FROM enrollment_token WHERE policy_id = ?1 AND revoked_at IS NULL)""")
                .setParameter(1, id).getSingleResult()).longValue();
        if (users > 0) {
            throw new ConflictException("The policy is assigned to servers or enrollment tokens; assign them another policy first.");
        }
        Policy.getEntityManager().createNativeQuery("UPDATE enrollment_token SET policy_id = NULL WHERE policy_id = ?1")
                .setParameter(1, id).executeUpdate();
        String before = revision(id, policy.currentRevision).map(r -> r.spec).orElse(null);
        audit.record("policy.delete", "policy", id, "Deleted policy " + policy.name, before, null);
        PolicyRevision.delete("policyId", id);
        policy.delete();
        changed.fire(new PolicyChanged(policy.tenantId, id));
    }

    /** Makes {@code id} the tenant's default policy (the one new servers get). */
    @Transactional
    public PolicyView makeDefault(UUID id) {
        Policy policy = entity(id);
        if (!policy.isDefault) {
            Policy.update("isDefault = false where isDefault = true");
            Policy.getEntityManager().flush();
            policy.isDefault = true;
            audit.record("policy.default", "policy", id, "Made " + policy.name + " the default policy", null, null);
        }
        return PolicyView.of(policy);
    }

    /** The policy's revisions, newest first (404 for another tenant's policy). */
    public List<PolicyRevisionView> revisions(UUID policyId) {
        require(policyId);
        return PolicyRevision.<PolicyRevision> list("policyId = ?1", Sort.by("number", Sort.Direction.Descending), policyId)
                .stream().map(PolicyRevisionView::of).toList();
    }

    /** One revision of the policy, if it has it (404 for another tenant's policy). */
    public Optional<PolicyRevisionView> findRevision(UUID policyId, int number) {
        require(policyId);
        return revision(policyId, number).map(PolicyRevisionView::of);
    }

    /**
     * The spec saved in one revision of the policy.
     *
     * @throws ObjectNotFoundException when the policy is not the current tenant's or has no such revision
     */
    public PolicySpec spec(UUID policyId, int number) {
        return spec(revision(policyId, number).orElseThrow(ObjectNotFoundException::new));
    }

    private Optional<PolicyRevision> revision(UUID policyId, int number) {
        return PolicyRevision.find("policyId = ?1 and number = ?2", policyId, number).firstResultOptional();
    }

    public List<PolicyDiff.Change> diff(UUID policyId, int from, int to) {
        require(policyId);
        PolicyRevision a = revision(policyId, from).orElseThrow(
                () -> new BadInputException("from", "policy has no revision " + from));
        PolicyRevision b = revision(policyId, to).orElseThrow(
                () -> new BadInputException("to", "policy has no revision " + to));
        try {
            return PolicyDiff.between(json.readTree(a.spec), json.readTree(b.spec));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored specs are valid JSON", e);
        }
    }

    /**
     * What a stale save of {@code mine} (valid, based on revision {@code base}) meets: see {@link StaleEdit}.
     * When the base revision does not exist, the submitted version is taken as it is.
     */
    public StaleEdit staleEdit(PolicyView policy, int base, PolicySpec mine) {
        PolicyRevision latest = revision(policy.id(), policy.currentRevision()).orElseThrow(ObjectNotFoundException::new);
        try {
            JsonNode theirs = json.readTree(canonical(latest.spec));
            JsonNode submitted = json.readTree(toJson(PolicyValidator.normalize(mine)));
            List<PolicyDiff.Change> changes = PolicyDiff.between(submitted, theirs);
            Optional<PolicyRevision> start = base < policy.currentRevision() ? revision(policy.id(), base) : Optional.empty();
            PolicySpec reapplied = mine;
            List<String> clashes = List.of();
            if (start.isPresent()) {
                PolicyDiff.Reapplied merged = PolicyDiff.reapply(json.readTree(canonical(start.get().spec)), submitted,
                        theirs);
                reapplied = json.treeToValue(merged.spec(), PolicySpec.class);
                clashes = merged.clashes();
            }
            return new StaleEdit(base, latest.number, latest.author, latest.createdAt, changes, reapplied, clashes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored and submitted specs are valid JSON", e);
        }
    }

    /** The document an agent on {@code os} receives for the policy's current revision. */
    public PolicyDocuments.Rendered document(UUID policyId, TargetOs os) {
        Policy policy = entity(policyId);
        return PolicyDocuments.rendered(PolicyDocuments.render(policy.id.toString(), policy.currentRevision,
                currentSpec(policy), tenant().timeZone(), os));
    }

    /** A new tenant starts with its default policy, created in the same transaction. */
    void onTenantCreated(@Observes TenantService.TenantCreated event) {
        ensureDefault();
    }

    /** Creates the tenant's default policy when it has none: daily at 01:00, archive of /srv, scripts off. */
    @Transactional
    public Policy ensureDefault() {
        Optional<Policy> existing = Policy.find("isDefault", true).firstResultOptional();
        if (existing.isPresent()) {
            return existing.get();
        }
        PolicySpec spec = validator.check(defaultSpec(), null);
        Policy policy = new Policy();
        policy.id = UUID.randomUUID();
        policy.createdAt = Instant.now();
        policy.isDefault = true;
        apply(policy, spec, 1, null);
        policy.persistAndFlush();
        newRevision(policy, spec, 1, "Default policy");
        return policy;
    }

    public static PolicySpec defaultSpec() {
        return new PolicySpec("Default", "Nightly archive of /srv, kept for a week.",
                new PolicySpec.Schedule(ScheduleKind.DAILY, null, "01:00", null), 360,
                new PolicySpec.Retry(2, 15),
                new PolicySpec.Backup(BackupEngine.ARCHIVE, List.of("/srv"), List.of(),
                        new PolicySpec.Archive("/var/backups/fleethook", 7), null, null),
                new PolicySpec.Scripts(new PolicySpec.OsScripts(false, "/etc/fleethook/scripts"),
                        new PolicySpec.OsScripts(false, "C:\\ProgramData\\Fleethook\\scripts"), false, 1800),
                List.of());
    }

    private PolicySpec spec(PolicyRevision revision) {
        try {
            return json.readValue(revision.spec, PolicySpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored specs are valid JSON", e);
        }
    }

    private Policy lockedForChange(UUID id, Integer baseRevision) {
        Policy policy = Policy.<Policy> findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(ObjectNotFoundException::new);
        if (baseRevision == null) {
            throw new BadInputException("baseRevision", "give the revision your change is based on (currently "
                    + policy.currentRevision + ")");
        }
        if (baseRevision != policy.currentRevision) {
            throw new ConflictException("The policy was changed in the meantime: your change is based on revision "
                    + baseRevision + " but it is at revision " + policy.currentRevision
                    + ". Reload it and apply your change again.");
        }
        return policy;
    }

    private Policy saveRevision(Policy policy, PolicySpec spec, String note, String action, String summary) {
        String before = revision(policy.id, policy.currentRevision).map(r -> r.spec).orElse(null);
        String specJson = toJson(spec);
        if (before != null && Sha256.hex(specJson).equals(Sha256.hex(canonical(before)))) {
            return policy; // nothing changed: no empty revision
        }
        int number = policy.currentRevision + 1;
        apply(policy, spec, number, note);
        try {
            policy.persistAndFlush();
        } catch (PersistenceException e) {
            throw nameTaken(e, spec);
        }
        PolicyRevision revision = newRevision(policy, spec, number, note);
        audit.record(action, "policy", policy.id, summary + " (revision " + number + ")", before, revision.spec);
        changed.fire(new PolicyChanged(policy.tenantId, policy.id));
        return policy;
    }

    private void apply(Policy policy, PolicySpec spec, int revision, String note) {
        policy.name = spec.name();
        policy.description = spec.description();
        policy.currentRevision = revision;
        policy.updatedAt = Instant.now();
    }

    private PolicyRevision newRevision(Policy policy, PolicySpec spec, int number, String note) {
        PolicyRevision r = new PolicyRevision();
        r.id = UUID.randomUUID();
        r.policyId = policy.id;
        r.number = number;
        r.spec = toJson(spec);
        r.specHash = Sha256.hex(r.spec);
        r.author = currentAccount.email();
        r.note = note == null || note.isBlank() ? null : (note.length() > 500 ? note.substring(0, 500) : note.trim());
        r.createdAt = Instant.now();
        r.persist();
        return r;
    }

    private String toJson(PolicySpec spec) {
        return PolicyDocuments.canonicalJson(spec);
    }

    private String canonical(String storedJson) {
        try {
            return PolicyDocuments.canonicalJson(json.readValue(storedJson, PolicySpec.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RuntimeException nameTaken(PersistenceException e, PolicySpec spec) {
        if (ConflictException.isUniqueViolation(e, "policy_name_unique")) {
            return new ConflictException("A policy named " + spec.name() + " already exists.");
        }
        return e;
    }
}
