package dev.fleethook.policy.service;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A field-by-field comparison of two policy specs: each changed leaf with its path
 * ({@code scripts.linux.folder}, {@code hooks[1].mode}) and its value before and after.
 */
public final class PolicyDiff {

    public record Change(String field, String before, String after) {
    }

    private PolicyDiff() {
    }

    public static List<Change> between(JsonNode before, JsonNode after) {
        Map<String, String> a = new LinkedHashMap<>();
        Map<String, String> b = new LinkedHashMap<>();
        flatten("", before, a);
        flatten("", after, b);
        Set<String> fields = new LinkedHashSet<>(a.keySet());
        fields.addAll(b.keySet());
        List<Change> changes = new ArrayList<>();
        for (String field : fields) {
            String x = a.get(field);
            String y = b.get(field);
            if (x == null ? y != null : !x.equals(y)) {
                changes.add(new Change(field, x, y));
            }
        }
        return changes;
    }

    /**
     * A change re-applied on top of a newer revision (a three-way merge of specs as JSON trees): every part
     * that {@code mine} changed from {@code base} takes mine's value, every other part {@code theirs}. A part
     * both changed to different values is a clash: mine wins, and its path is listed ({@code retry.count},
     * {@code hooks} when both edited a hook list of different lengths).
     */
    public record Reapplied(JsonNode spec, List<String> clashes) {
    }

    /** {@code mine} (based on {@code base}) re-applied on top of {@code theirs}; see {@link Reapplied}. */
    public static Reapplied reapply(JsonNode base, JsonNode mine, JsonNode theirs) {
        List<String> clashes = new ArrayList<>();
        return new Reapplied(merge("", base, mine, theirs, clashes), clashes);
    }

    private static JsonNode merge(String path, JsonNode base, JsonNode mine, JsonNode theirs, List<String> clashes) {
        if (java.util.Objects.equals(mine, base)) {
            return theirs;
        }
        if (java.util.Objects.equals(theirs, base) || java.util.Objects.equals(mine, theirs)) {
            return mine;
        }
        if (base != null && mine != null && theirs != null && base.isObject() && mine.isObject() && theirs.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                    .objectNode();
            Set<String> keys = new LinkedHashSet<>();
            theirs.fieldNames().forEachRemaining(keys::add);
            mine.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                JsonNode merged = merge(path.isEmpty() ? key : path + "." + key, base.get(key), mine.get(key),
                        theirs.get(key), clashes);
                if (merged != null) {
                    out.set(key, merged);
                }
            }
            return out;
        }
        if (base != null && mine != null && theirs != null && base.isArray() && mine.isArray() && theirs.isArray()
                && base.size() == mine.size() && mine.size() == theirs.size()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                    .arrayNode();
            for (int i = 0; i < mine.size(); i++) {
                JsonNode merged = merge(path + "[" + i + "]", base.get(i), mine.get(i), theirs.get(i), clashes);
                out.add(merged == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : merged);
            }
            return out;
        }
        clashes.add(path);
        return mine;
    }

    private static void flatten(String path, JsonNode node, Map<String, String> out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                out.put(path, "[]");
            }
            for (int i = 0; i < node.size(); i++) {
                flatten(path + "[" + i + "]", node.get(i), out);
            }
        } else {
            out.put(path, node.asText());
        }
    }
}
