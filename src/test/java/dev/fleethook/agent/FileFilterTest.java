package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kiwi's on_file as a real filter program: NUL-separated batches, the kept subset, death and timeouts. */
class FileFilterTest {

    /** A filter written to the wire format: keeps every path not ending in .tmp; an empty path ends a batch. */
    static final String DROP_TMP = """
            #!/bin/bash
            while IFS= read -r -d '' path; do
              if [ -z "$path" ]; then printf '\\0'; continue; fi
              case "$path" in *.tmp) ;; *) printf '%s\\0' "$path" ;; esac
            done
            """;

    @TempDir
    Path dir;

    Path program(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void everyFileIsOfferedInBatchesAndOnlyTheKeptOnesComeBack() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data/sub"));
        int files = FileFilter.BATCH * 2 + 17;
        for (int i = 0; i < files; i++) {
            Files.writeString(data.resolve(i % 3 == 0 ? "f" + i + ".tmp" : "f " + i + "\nnew line.txt"), "x");
        }
        Files.writeString(dir.resolve("data/skip.log"), "excluded by the policy");
        try (FileFilter filter = FileFilter.start(launch(program("filter", DROP_TMP)), Map.of(),
                Duration.ofSeconds(10))) {
            FileFilter.Selection s = filter.filter(dir.resolve("data"), List.of("*.log"));
            assertEquals(files, s.offered(), "every file but the excluded one, in three batches");
            long tmp = (files + 2) / 3;
            assertEquals(tmp, s.dropped());
            assertTrue(s.kept().contains(data.resolve("f 1\nnew line.txt").toString()), "names with spaces and newlines");
            assertTrue(s.kept().stream().noneMatch(k -> k.endsWith(".tmp")));
        }
    }

    @Test
    void aFilterThatDiesOrStopsAnsweringIsNamed() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        try (FileFilter dies = FileFilter.start(launch(program("dies", "#!/bin/sh\necho 'no plugin config' >&2\nexit 4\n")), Map.of(), Duration.ofSeconds(10))) {
            var e = assertThrows(FileFilter.DiedException.class, () -> dies.filter(data, List.of()));
            assertTrue(e.getMessage().contains("died") && e.getMessage().contains("exit 4")
                    && e.getMessage().contains("no plugin config"), e.getMessage());
        }
        long start = System.nanoTime();
        try (FileFilter hangs = FileFilter.start(launch(program("hangs", "#!/bin/sh\nsleep 60\n")), Map.of(),
                Duration.ofSeconds(1))) {
            var e = assertThrows(FileFilter.DiedException.class, () -> hangs.filter(data, List.of()));
            assertTrue(e.timedOut(), e.getMessage());
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "killed at the batch timeout");
    }

    @Test
    void keptFilesAndWholeRootsMakeTheEnginesSelection() {
        var kept = new FileFilter.Kept(Set.of("/srv/a/x.txt"), List.of("/srv/b"));
        assertTrue(kept.keeps(Path.of("/srv/a/x.txt")));
        assertTrue(kept.keeps(Path.of("/srv/b/deep/y.tmp")));
        assertTrue(!kept.keeps(Path.of("/srv/a/y.tmp")));
        assertEquals(List.of("/srv/b", "/srv/a/x.txt"), kept.filesList());
    }

    /** The filter program as the gate allows it: scripts enabled, the test folder the allowed root. */
    private ProcessGate.Launch launch(Path program) {
        ProcessGate.Decision d = new ProcessGate(new HookRunner.Permissions(true, false, List.of(dir)))
                .policyProgram(List.of(program.toString()), 0, null);
        assertTrue(d.allowed(), String.valueOf(d.refusal()));
        return d.launch();
    }
}
