package dev.fleethook.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Policy bodies as plain maps, so a test can break any field, including with values the Java types
 * could not hold (an unknown phase, a string where a number belongs).
 */
public final class PolicyFixtures {

    public static final String DEFAULT_LINUX_FOLDER = "/etc/fleethook/scripts";
    public static final String DEFAULT_WINDOWS_FOLDER = "C:\\Fleethook\\scripts";

    private PolicyFixtures() {
    }

    /** A valid spec: daily at 01:30, archive of /srv/data, Linux scripts on, no hooks. */
    public static Map<String, Object> spec(String name) {
        Map<String, Object> spec = new HashMap<>();
        spec.put("name", name);
        spec.put("description", "Nightly backup");
        spec.put("schedule", map("kind", "daily", "time", "01:30"));
        spec.put("windowMinutes", 240);
        spec.put("retry", map("count", 2, "intervalMinutes", 10));
        spec.put("backup", map("engine", "archive", "sources", list("/srv/data"), "excludes", list("*.tmp"),
                "archive", map("destination", "/var/backups/fleethook", "retention", 5)));
        spec.put("scripts", map("linux", map("enabled", true, "folder", DEFAULT_LINUX_FOLDER),
                "windows", map("enabled", false, "folder", DEFAULT_WINDOWS_FOLDER),
                "skipBackupIfPreScriptFails", true, "timeoutSeconds", 600));
        spec.put("hooks", new ArrayList<>());
        return spec;
    }

    public static Map<String, Object> save(Map<String, Object> spec, Integer baseRevision) {
        Map<String, Object> body = new HashMap<>();
        body.put("spec", spec);
        if (baseRevision != null) {
            body.put("baseRevision", baseRevision);
        }
        return body;
    }

    public static Map<String, Object> hook(String phase, String source, Object... more) {
        Map<String, Object> hook = map("phase", phase, "source", source);
        for (int i = 0; i < more.length; i += 2) {
            hook.put((String) more[i], more[i + 1]);
        }
        return hook;
    }

    /** Sets a value at a dotted path ({@code scripts.linux.folder}, {@code hooks[0].mode}). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> set(Map<String, Object> spec, String path, Object value) {
        String[] parts = path.split("\\.");
        Object node = spec;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            int bracket = part.indexOf('[');
            String key = bracket < 0 ? part : part.substring(0, bracket);
            boolean last = i == parts.length - 1;
            Map<String, Object> m = (Map<String, Object>) node;
            if (bracket < 0) {
                if (last) {
                    m.put(key, value);
                } else {
                    node = m.computeIfAbsent(key, k -> new HashMap<>());
                }
            } else {
                int index = Integer.parseInt(part.substring(bracket + 1, part.indexOf(']')));
                List<Object> list = (List<Object>) m.computeIfAbsent(key, k -> new ArrayList<>());
                while (list.size() <= index) {
                    list.add(new HashMap<>());
                }
                if (last) {
                    list.set(index, value);
                } else {
                    node = list.get(index);
                }
            }
        }
        return spec;
    }

    public static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    public static List<Object> list(Object... values) {
        return new ArrayList<>(List.of(values));
    }
}
