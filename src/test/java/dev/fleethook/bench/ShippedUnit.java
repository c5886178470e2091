package dev.fleethook.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's launch as shipped in {@code deployment/agent/fleethook-agent.service}: the JVM flags of its
 * {@code ExecStart} (between the {@code java} program and {@code -jar}) and its {@code Environment=} lines,
 * so that the benchmarks measure exactly what a server runs.
 */
record ShippedUnit(List<String> jvmFlags, Map<String, String> environment) {

    static final Path UNIT = Path.of("deployment", "agent", "fleethook-agent.service");

    static ShippedUnit read() throws IOException {
        List<String> flags = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(UNIT)) {
            if (line.startsWith("ExecStart=")) {
                List<String> words = Arrays.asList(line.substring("ExecStart=".length()).trim().split("\\s+"));
                flags.addAll(words.subList(1, words.indexOf("-jar")));
            } else if (line.startsWith("Environment=")) {
                for (String pair : line.substring("Environment=".length()).trim().split("\\s+")) {
                    int eq = pair.indexOf('=');
                    env.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        if (flags.isEmpty()) {
            throw new IllegalStateException(UNIT + " has no ExecStart with -jar");
        }
        return new ShippedUnit(List.copyOf(flags), Map.copyOf(env));
    }
}
