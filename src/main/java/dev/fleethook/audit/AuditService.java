package dev.fleethook.audit;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.kernel.Actors;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * The audit log every feature writes to. An entry joins the caller's transaction, so a change and its
 * audit entry are committed together or not at all.
 */
@ApplicationScoped
public class AuditService {

    @Inject
    ObjectMapper json;

    @Inject
    Instance<SecurityIdentity> identity;

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String action, String targetType, Object targetId, String summary, Object before, Object after) {
        AuditEntry e = new AuditEntry();
        e.id = UUID.randomUUID();
        e.at = Instant.now();
        e.actor = actor();
        e.action = action;
        e.targetType = targetType;
        e.targetId = targetId == null ? null : targetId.toString();
        e.summary = summary.length() > 500 ? summary.substring(0, 497) + "..." : summary;
        e.before = toJson(before);
        e.after = toJson(after);
        e.persist();
    }

    public List<AuditEntry> list(String targetType, String targetId, int page, int size) {
        StringBuilder query = new StringBuilder("1 = 1");
        if (targetType != null && !targetType.isBlank()) {
            query.append(" and targetType = :type");
        }
        if (targetId != null && !targetId.isBlank()) {
            query.append(" and targetId = :id");
        }
        var params = new java.util.HashMap<String, Object>();
        if (query.indexOf(":type") >= 0) {
            params.put("type", targetType);
        }
        if (query.indexOf(":id") >= 0) {
            params.put("id", targetId);
        }
        return AuditEntry.<AuditEntry> find(query.toString(), Sort.by("at", Sort.Direction.Descending), params)
                .page(Page.of(page, size)).list();
    }

    private String actor() {
        try {
            return Actors.name(identity.get());
        } catch (RuntimeException noRequest) {
            return Actors.SYSTEM;
        }
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
