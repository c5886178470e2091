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

    /** What the audit page filters by; null or blank fields do not filter. {@code from} inclusive, {@code to} exclusive. */
    public record Filter(String actor, String action, String targetType, java.time.Instant from, java.time.Instant to) {
    }

    /** One changed field between an entry's before and after: its JSON path and both values as text ("—": absent). */
    public record Change(String path, String before, String after) {
    }

    /** The entries matching {@code f}, newest first; {@code actor} and {@code action} match a part, case-insensitively. */
    public List<AuditEntryView> list(Filter f, int page, int size) {
        StringBuilder query = new StringBuilder("1 = 1");
        var params = new java.util.HashMap<String, Object>();
        if (f.actor() != null && !f.actor().isBlank()) {
            query.append(" and lower(actor) like :actor");
            params.put("actor", "%" + f.actor().trim().toLowerCase(java.util.Locale.ROOT) + "%");
        }
        if (f.action() != null && !f.action().isBlank()) {
            query.append(" and lower(action) like :action");
            params.put("action", "%" + f.action().trim().toLowerCase(java.util.Locale.ROOT) + "%");
        }
        if (f.targetType() != null && !f.targetType().isBlank()) {
            query.append(" and targetType = :type");
            params.put("type", f.targetType().trim());
        }
        if (f.from() != null) {
            query.append(" and at >= :from");
            params.put("from", f.from());
        }
        if (f.to() != null) {
            query.append(" and at < :to");
            params.put("to", f.to());
        }
        return AuditEntry.<AuditEntry> find(query.toString(), Sort.by("at", Sort.Direction.Descending), params)
                .page(Page.of(page, size)).list().stream().map(AuditEntryView::of).toList();
    }

    /**
     * The fields that differ between two JSON documents (an entry's before and after), by path
     * ({@code retry.count}, {@code hooks[1].mode}), in document order: what the audit page shows instead
     * of two whole documents. Text that is not JSON counts as one value.
     */
    public static List<Change> diff(String before, String after) {
        java.util.Map<String, String> a = flatten(before);
        java.util.Map<String, String> b = flatten(after);
        java.util.LinkedHashSet<String> paths = new java.util.LinkedHashSet<>(a.keySet());
        paths.addAll(b.keySet());
        List<Change> changes = new java.util.ArrayList<>();
        for (String path : paths) {
            String x = a.get(path);
            String y = b.get(path);
            if (!java.util.Objects.equals(x, y)) {
                changes.add(new Change(path, x == null ? "—" : x, y == null ? "—" : y));
            }
        }
        return changes;
    }

    private static java.util.Map<String, String> flatten(String text) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        try {
            flatten("", new com.fasterxml.jackson.databind.ObjectMapper().readTree(text), out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            out.put("(value)", text);
        }
        return out;
    }

    private static void flatten(String path, com.fasterxml.jackson.databind.JsonNode node, java.util.Map<String, String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> flatten(path.isEmpty() ? f.getKey() : path + "." + f.getKey(), f.getValue(), out));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(path + "[" + i + "]", node.get(i), out);
            }
            if (node.isEmpty()) {
                out.put(path, "[]");
            }
        } else {
            out.put(path.isEmpty() ? "(value)" : path, node.isTextual() ? node.asText() : node.toString());
        }
    }

    /** The entries about one kind of object (and one object), newest first. */
    public List<AuditEntryView> list(String targetType, String targetId, int page, int size) {
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
                .page(Page.of(page, size)).list().stream().map(AuditEntryView::of).toList();
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
