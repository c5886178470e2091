package dev.fleethook.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The README's table of Helm values is generated from {@code values.yaml} (helm-docs style: the {@code # --}
 * comment above a key is its description, the key's value its default), so there is one source. This test
 * fails when the README's copy differs; {@code ./mvnw test -Dtest=HelmValuesDocTest -Dfleethook.update-readme=true}
 * rewrites it. It also fails when a value has no description.
 */
class HelmValuesDocTest {

    static final Path VALUES = Path.of("helm/fleethook/values.yaml");
    static final Path README = Path.of("README.md");
    static final String START = "<!-- helm-values:start (generated from helm/fleethook/values.yaml by HelmValuesDocTest) -->";
    static final String END = "<!-- helm-values:end -->";
    static final Pattern KEY = Pattern.compile("^( *)([A-Za-z][A-Za-z0-9_]*):(?: .*)?$");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One documented key: its dotted path and its description. */
    record Row(String key, String description) {
    }

    /** The documented keys of values.yaml in file order. */
    static List<Row> documentedKeys(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        Deque<Map.Entry<Integer, String>> parents = new ArrayDeque<>();
        StringBuilder pending = null;
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("# --")) {
                pending = new StringBuilder(trimmed.substring(4).strip());
                continue;
            }
            if (trimmed.startsWith("##") || trimmed.isEmpty()) {
                pending = null;
                continue;
            }
            if (trimmed.startsWith("#")) {
                if (pending != null) {
                    pending.append(' ').append(trimmed.substring(1).strip());
                }
                continue;
            }
            Matcher m = KEY.matcher(line);
            if (!m.matches()) {
                pending = null;
                continue;
            }
            int indent = m.group(1).length();
            while (!parents.isEmpty() && parents.peek().getKey() >= indent) {
                parents.pop();
            }
            List<String> path = new ArrayList<>();
            parents.descendingIterator().forEachRemaining(p -> path.add(p.getValue()));
            path.add(m.group(2));
            parents.push(Map.entry(indent, m.group(2)));
            if (pending != null) {
                rows.add(new Row(String.join(".", path), pending.toString()));
                pending = null;
            }
        }
        return rows;
    }

    static JsonNode at(JsonNode root, String dotted) {
        JsonNode n = root;
        for (String part : dotted.split("\\.")) {
            n = n.path(part);
        }
        return n;
    }

    static String type(JsonNode n) {
        if (n.isTextual()) {
            return "string";
        }
        if (n.isBoolean()) {
            return "bool";
        }
        if (n.isIntegralNumber()) {
            return "int";
        }
        if (n.isNumber()) {
            return "float";
        }
        return n.isArray() ? "list" : "object";
    }

    static String cell(String text) {
        return text.replace("|", "\\|");
    }

    /** The Markdown table, one row per documented key. */
    static String table() throws IOException {
        JsonNode values = YAML.readTree(VALUES.toFile());
        StringBuilder md = new StringBuilder("| Key | Type | Default | Description |\n|---|---|---|---|\n");
        for (Row row : documentedKeys(Files.readAllLines(VALUES))) {
            JsonNode value = at(values, row.key());
            md.append("| `").append(row.key()).append("` | ").append(type(value)).append(" | `")
                    .append(cell(value.toString())).append("` | ").append(cell(row.description())).append(" |\n");
        }
        return md.toString();
    }

    @Test
    void everyValueHasADescription() throws IOException {
        JsonNode values = YAML.readTree(VALUES.toFile());
        List<String> documented = documentedKeys(Files.readAllLines(VALUES)).stream().map(Row::key).toList();
        Map<String, JsonNode> leaves = new LinkedHashMap<>();
        leaves("", values, leaves);
        List<String> undocumented = leaves.keySet().stream()
                .filter(leaf -> documented.stream().noneMatch(d -> leaf.equals(d) || leaf.startsWith(d + ".")))
                .toList();
        assertTrue(undocumented.isEmpty(), "values.yaml keys without a '# --' description: " + undocumented);
        for (String key : documented) {
            assertTrue(!at(values, key).isMissingNode(), "described but not a key: " + key);
        }
    }

    static void leaves(String prefix, JsonNode node, Map<String, JsonNode> out) {
        if (node.isObject() && !node.isEmpty()) {
            node.fields().forEachRemaining(e -> leaves(prefix + e.getKey() + ".", e.getValue(), out));
        } else {
            out.put(prefix.substring(0, prefix.length() - 1), node);
        }
    }

    @Test
    void theReadmeValuesTableIsTheOneGeneratedFromValuesYaml() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertTrue(start >= 0 && end > start, "README.md needs the markers " + START + " and " + END);
        String expected = table();
        String current = readme.substring(start + START.length(), end).strip() + "\n";
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/helm-values.md"), expected);
        if (!expected.equals(current) && Boolean.getBoolean("fleethook.update-readme")) {
            Files.writeString(README, readme.substring(0, start + START.length()) + "\n" + expected + readme.substring(end));
            return;
        }
        assertEquals(expected, current, "README.md's values table is out of date: run ./mvnw test -Dtest=HelmValuesDocTest "
                + "-Dfleethook.update-readme=true (the table is in target/helm-values.md)");
    }
}
