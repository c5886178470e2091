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
 * {@code ExecStart} (between the {@code java} program and {@code -jar}, without the shell's {@code $$cds}),
 * its {@code Environment=} lines, and whether it uses an AppCDS archive of the agent's classes (written by the
 * first run with {@code -XX:ArchiveClassesAtExit}, mapped by later ones with {@code -XX:SharedArchiveFile}),
 * so that the benchmarks measure exactly what a server runs.
 */
record ShippedUnit(List<String> jvmFlags, Map<String, String> environment, boolean appCds) {

    /** The flags of a run that writes the archive at exit ({@code appCds}), else the plain flags. */
    List<String> trainingFlags(Path archive) {
        List<String> out = new ArrayList<>(List.of("-XX:ArchiveClassesAtExit=" + archive));
        out.addAll(jvmFlags);
        return out;
    }

    /** The flags of a run that maps the archive, or the plain flags without AppCDS. */
    List<String> runFlags(Path archive) {
        if (!appCds) {
            return jvmFlags;
        }
        List<String> out = new ArrayList<>(List.of("-XX:SharedArchiveFile=" + archive));
        out.addAll(jvmFlags);
        return out;
    }

    static final Path UNIT = Path.of("deployment", "agent", "fleethook-agent.service");

    static ShippedUnit read() throws IOException {
        List<String> flags = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        boolean cds = false;
        for (String line : Files.readAllLines(UNIT)) {
            if (line.startsWith("ExecStart=")) {
                cds = line.contains("-XX:ArchiveClassesAtExit=");
                List<String> words = Arrays.asList(line.substring("ExecStart=".length()).trim().split("\\s+"));
                int java = 0;
                for (int i = 0; i < words.size(); i++) {
                    if (words.get(i).endsWith("/java")) {
                        java = i;
                    }
                }
                words.subList(java + 1, words.indexOf("-jar")).stream().filter(w -> !w.startsWith("$"))
                        .forEach(flags::add);
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
        return new ShippedUnit(List.copyOf(flags), Map.copyOf(env), cds);
    }
}
